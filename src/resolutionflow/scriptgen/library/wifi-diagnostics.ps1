<#
.SYNOPSIS
    Wi-Fi diagnostics: current connection and signal, saved Wi-Fi profiles, the WLAN report,
    and optionally forgets a broken saved profile so it can be joined again.
.EXAMPLE
    .\wifi-diagnostics.ps1 -ProfileName 'Office-WiFi' -ForgetProfile $true -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$ProfileName = '',
    [bool]$ForgetProfile = $false,
    [bool]$GenerateReport = $true
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Write-Output '--- Current wireless interface ---'
netsh.exe wlan show interfaces

Write-Output '--- Saved Wi-Fi profiles ---'
netsh.exe wlan show profiles

Get-NetAdapter -Physical |
    Where-Object { $_.MediaType -like '*802.11*' -or $_.Name -like '*Wi*Fi*' } |
    Select-Object -Property 'Name', 'Status', 'LinkSpeed', 'DriverVersion' |
    Format-Table -AutoSize

if ($ProfileName) {
    Write-Output "--- Profile $ProfileName ---"
    netsh.exe wlan show profile name="$ProfileName"
}

if ($GenerateReport) {
    # The report is an HTML file Windows builds from the last three days of WLAN events.
    netsh.exe wlan show wlanreport | Out-Null
    Write-Output "WLAN report: $env:ProgramData\Microsoft\Windows\WlanReport\wlan-report-latest.html"
}

if ($ForgetProfile) {
    if (-not $ProfileName) { throw 'ForgetProfile needs -ProfileName.' }
    if ($PSCmdlet.ShouldProcess($ProfileName, 'Delete saved Wi-Fi profile')) {
        netsh.exe wlan delete profile name="$ProfileName"
    }
}
