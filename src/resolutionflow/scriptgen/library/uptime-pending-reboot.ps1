<#
.SYNOPSIS
    Shows how long this computer has been up and whether a restart is pending (Windows
    Update, component servicing, file renames, domain join, ConfigMgr); can restart it.
.EXAMPLE
    .\uptime-pending-reboot.ps1
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [bool]$RestartIfPending = $false
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$os = Get-CimInstance -ClassName 'Win32_OperatingSystem'
$uptime = (Get-Date) - $os.LastBootUpTime
Write-Output ("Last boot: {0} (up {1} days {2} hours)" -f $os.LastBootUpTime, $uptime.Days, $uptime.Hours)

$reasons = [System.Collections.Generic.List[string]]::new()
if (Test-Path -Path 'HKLM:\Software\Microsoft\Windows\CurrentVersion\Component Based Servicing\RebootPending') {
    $reasons.Add('Component Based Servicing')
}
if (Test-Path -Path 'HKLM:\Software\Microsoft\Windows\CurrentVersion\WindowsUpdate\Auto Update\RebootRequired') {
    $reasons.Add('Windows Update')
}
$sessionManager = Get-ItemProperty -Path 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager' -ErrorAction SilentlyContinue
if ($sessionManager -and $sessionManager.PSObject.Properties['PendingFileRenameOperations']) {
    $reasons.Add('Pending file renames')
}
if (Test-Path -Path 'HKLM:\SYSTEM\CurrentControlSet\Services\Netlogon\JoinDomain') {
    $reasons.Add('Domain join')
}
$ccm = Invoke-CimMethod -Namespace 'root\ccm\ClientSDK' -ClassName 'CCM_ClientUtilities' `
    -MethodName 'DetermineIfRebootPending' -ErrorAction SilentlyContinue
if ($ccm -and ($ccm.RebootPending -or $ccm.IsHardRebootPending)) {
    $reasons.Add('Configuration Manager client')
}

if ($reasons.Count -eq 0) {
    Write-Output 'No restart is pending.'
}
else {
    Write-Output "Restart pending: $($reasons -join ', ')"
    if ($RestartIfPending) {
        if ($PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'Restart the computer')) {
            Restart-Computer -Force
        }
    }
}
