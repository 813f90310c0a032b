<#
.SYNOPSIS
    Resets the Outlook cache for the current user: closes Outlook, sets the offline cache
    (OST) and RoamCache aside so Outlook rebuilds them, and lists the mail profiles.
.EXAMPLE
    .\outlook-profile-reset.ps1 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [bool]$RenameOst = $true,
    [bool]$ClearRoamCache = $true
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$profilesKey = 'HKCU:\Software\Microsoft\Office\16.0\Outlook\Profiles'
if (Test-Path -Path $profilesKey) {
    Write-Output 'Outlook profiles:'
    Get-ChildItem -Path $profilesKey | ForEach-Object { "  $($_.PSChildName)" }
}

$outlook = @(Get-Process -Name 'OUTLOOK' -ErrorAction SilentlyContinue)
if ($outlook.Count -gt 0) {
    if ($PSCmdlet.ShouldProcess('Outlook', 'Close the running process')) {
        $outlook | Stop-Process -Force
        Start-Sleep -Seconds 3
    }
}

$stamp = Get-Date -Format 'yyyyMMddHHmm'
$dataFolder = Join-Path -Path $env:LOCALAPPDATA -ChildPath 'Microsoft\Outlook'
if ($RenameOst) {
    foreach ($ost in @(Get-ChildItem -Path $dataFolder -Filter '*.ost' -ErrorAction SilentlyContinue)) {
        if ($PSCmdlet.ShouldProcess($ost.FullName, 'Rename so Outlook builds a new cache')) {
            Rename-Item -Path $ost.FullName -NewName "$($ost.Name).$stamp.old"
        }
    }
}

$roamCache = Join-Path -Path $dataFolder -ChildPath 'RoamCache'
if ($ClearRoamCache -and (Test-Path -Path $roamCache)) {
    if ($PSCmdlet.ShouldProcess($roamCache, 'Delete cached autocomplete and settings files')) {
        Get-ChildItem -Path $roamCache -File | Remove-Item -Force
    }
}

Write-Output 'Start Outlook again; it downloads the mailbox into a new cache.'
