<#
.SYNOPSIS
    Restarts a Windows service (and the services that depend on it), waits for it to run
    again and shows its state and recent errors.
.EXAMPLE
    .\restart-windows-service.ps1 -ServiceName Spooler -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$ServiceName = '',
    [int]$TimeoutSeconds = 60
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if ([string]::IsNullOrWhiteSpace($ServiceName)) {
    throw 'ServiceName is required: the service name or display name.'
}

$service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
if (-not $service) {
    $service = Get-Service -DisplayName $ServiceName
}
$dependents = @($service.DependentServices | Where-Object { $_.Status -eq 'Running' })
Write-Output "$($service.DisplayName) ($($service.Name)) is $($service.Status)."
if ($dependents.Count -gt 0) {
    Write-Output "Running dependents that restart with it: $(($dependents.Name) -join ', ')"
}

if ($PSCmdlet.ShouldProcess($service.Name, 'Restart service')) {
    Restart-Service -Name $service.Name -Force
    $service.WaitForStatus('Running', [TimeSpan]::FromSeconds($TimeoutSeconds))
    foreach ($dependent in $dependents) {
        Start-Service -Name $dependent.Name -ErrorAction SilentlyContinue
    }
}

Get-Service -Name $service.Name | Select-Object -Property 'Name', 'Status', 'StartType'
Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = 'Service Control Manager'; StartTime = (Get-Date).AddHours(-1) } `
    -ErrorAction SilentlyContinue |
    Where-Object { $_.Message -like "*$($service.DisplayName)*" } |
    Select-Object -First 5 -Property 'TimeCreated', 'Id', 'Message'
