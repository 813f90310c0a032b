<#
.SYNOPSIS
    Checks and repairs Windows time synchronisation: shows the time source and offset,
    optionally points the clock at an NTP server, and forces a resync.
.EXAMPLE
    .\time-sync.ps1 -NtpServer 'time.windows.com' -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$NtpServer = '',
    [string]$CompareWith = 'time.windows.com'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Write-Output '--- Time service status ---'
w32tm.exe /query /status
Write-Output "Time source: $(w32tm.exe /query /source)"

if ($CompareWith) {
    Write-Output "--- Offset against $CompareWith ---"
    w32tm.exe /stripchart /computer:"$CompareWith" /samples:3 /dataonly
}

if ($NtpServer) {
    if ($PSCmdlet.ShouldProcess('Windows Time service', "Use $NtpServer as the time source")) {
        w32tm.exe /config /manualpeerlist:"$NtpServer" /syncfromflags:manual /update
        Restart-Service -Name 'w32time'
    }
}

Write-Output '--- Forcing a resync ---'
w32tm.exe /resync /force
Get-Date
