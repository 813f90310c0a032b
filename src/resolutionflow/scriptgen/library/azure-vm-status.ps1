<#
.SYNOPSIS
    Shows the power state and size of Azure virtual machines in a subscription or resource
    group, and can restart one VM.
.DESCRIPTION
    Needs the Az.Accounts and Az.Compute modules. Connect-AzAccount signs in interactively;
    no credentials are stored in this script.
.EXAMPLE
    .\azure-vm-status.ps1 -ResourceGroup 'rg-prod' -RestartVM 'app01' -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$SubscriptionId = '',
    [string]$ResourceGroup = '',
    [string]$RestartVM = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

foreach ($module in @('Az.Accounts', 'Az.Compute')) {
    if (-not (Get-Module -ListAvailable -Name $module)) {
        throw "Module $module is missing: Install-Module Az -Scope CurrentUser"
    }
}

if (-not (Get-AzContext)) {
    Connect-AzAccount | Out-Null
}
if ($SubscriptionId) {
    Set-AzContext -Subscription $SubscriptionId | Out-Null
}
Write-Output "Subscription: $((Get-AzContext).Subscription.Name)"

$query = @{ Status = $true }
if ($ResourceGroup) { $query['ResourceGroupName'] = $ResourceGroup }
$vms = @(Get-AzVM @query)

$vms |
    Select-Object -Property 'Name', 'ResourceGroupName', 'Location', 'PowerState',
        @{ Name = 'Size'; Expression = { $_.HardwareProfile.VmSize } },
        @{ Name = 'OsType'; Expression = { $_.StorageProfile.OsDisk.OsType } } |
    Format-Table -AutoSize

$stopped = @($vms | Where-Object { $_.PowerState -ne 'VM running' })
if ($stopped.Count -gt 0) {
    Write-Warning "Not running: $(($stopped.Name) -join ', ')"
}

if ($RestartVM) {
    $target = $vms | Where-Object { $_.Name -eq $RestartVM } | Select-Object -First 1
    if (-not $target) { throw "No VM called $RestartVM in this scope." }
    if ($PSCmdlet.ShouldProcess($RestartVM, 'Restart Azure VM')) {
        Restart-AzVM -ResourceGroupName $target.ResourceGroupName -Name $target.Name | Out-Null
        Write-Output "Restarted $RestartVM."
    }
}
