<#
.SYNOPSIS
    Clears stuck print jobs and restarts the Print Spooler service on this computer.
.EXAMPLE
    .\print-spooler-reset.ps1 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [bool]$ClearQueue = $true,
    [int]$TimeoutSeconds = 30
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$spoolFolder = Join-Path -Path $env:SystemRoot -ChildPath 'System32\spool\PRINTERS'
$service = Get-Service -Name 'Spooler'
Write-Output "Print Spooler is $($service.Status)."

$spoolFiles = @(Get-ChildItem -Path $spoolFolder -File -ErrorAction SilentlyContinue)
Write-Output "Spool files waiting: $($spoolFiles.Count)"

if ($PSCmdlet.ShouldProcess('Print Spooler', 'Stop service')) {
    Stop-Service -Name 'Spooler' -Force
    $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds($TimeoutSeconds))
}

if ($ClearQueue -and $spoolFiles.Count -gt 0) {
    if ($PSCmdlet.ShouldProcess($spoolFolder, "Delete $($spoolFiles.Count) spool file(s)")) {
        $spoolFiles | Remove-Item -Force
    }
}

if ((Get-Service -Name 'Spooler').Status -ne 'Running') {
    Start-Service -Name 'Spooler'
}

Get-Service -Name 'Spooler' | Select-Object -Property 'Name', 'Status', 'StartType'
Get-Printer -ErrorAction SilentlyContinue |
    Select-Object -Property 'Name', 'PrinterStatus', 'JobCount', 'PortName' |
    Format-Table -AutoSize
