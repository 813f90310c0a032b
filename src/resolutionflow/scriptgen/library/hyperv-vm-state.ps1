<#
.SYNOPSIS
    Shows the state of Hyper-V virtual machines on this host: running state, uptime, memory,
    checkpoints and replication health; can start VMs that are off.
.EXAMPLE
    .\hyperv-vm-state.ps1 -VMName 'SQL*'
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$VMName = '*',
    [bool]$StartStopped = $false
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module Hyper-V

$vms = @(Get-VM -Name $VMName)
$bytesPerMb = 1024 * 1024
$vms |
    Select-Object -Property 'Name', 'State', 'Uptime', 'Status', 'ReplicationHealth',
        @{ Name = 'MemoryMB'; Expression = { [int]($_.MemoryAssigned / $bytesPerMb) } },
        @{ Name = 'Checkpoints'; Expression = { @(Get-VMSnapshot -VM $_).Count } } |
    Format-Table -AutoSize

$oldCheckpoints = @(Get-VMSnapshot -VM $vms | Where-Object { $_.CreationTime -lt (Get-Date).AddDays(-7) })
if ($oldCheckpoints.Count -gt 0) {
    Write-Warning "$($oldCheckpoints.Count) checkpoint(s) are older than 7 days; they grow and slow the disks."
}

if ($StartStopped) {
    foreach ($vm in ($vms | Where-Object { $_.State -eq 'Off' })) {
        if ($PSCmdlet.ShouldProcess($vm.Name, 'Start virtual machine')) {
            Start-VM -VM $vm
        }
    }
}
