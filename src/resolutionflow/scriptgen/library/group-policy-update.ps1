<#
.SYNOPSIS
    Applies Group Policy now (gpupdate /force) and shows which policies apply to the
    computer and the signed-in user, with an optional HTML report.
.EXAMPLE
    .\group-policy-update.ps1 -Target Computer -ReportPath C:\Temp\gp.html
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [ValidateSet('Both', 'Computer', 'User')]
    [string]$Target = 'Both',
    [string]$ReportPath = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if ($Target -eq 'Both') {
    gpupdate.exe /force /wait:120
}
else {
    gpupdate.exe /target:$Target /force /wait:120
}

Write-Output '--- Applied policy summary ---'
gpresult.exe /r /scope computer
if ($Target -ne 'Computer') {
    gpresult.exe /r /scope user
}

if ($ReportPath) {
    gpresult.exe /h "$ReportPath" /f
    Write-Output "HTML report written to $ReportPath"
}

Get-WinEvent -LogName 'Microsoft-Windows-GroupPolicy/Operational' -MaxEvents 50 -ErrorAction SilentlyContinue |
    Where-Object { $_.Level -le 3 } |
    Select-Object -First 10 -Property 'TimeCreated', 'Id', 'LevelDisplayName', 'Message'
