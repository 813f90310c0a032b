<#
.SYNOPSIS
    Clears the Microsoft Teams cache for the current user (classic and new Teams): closes
    Teams and deletes its cache folders. Chats and files are kept in the cloud.
.EXAMPLE
    .\teams-cache-clear.ps1 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [bool]$RestartTeams = $true
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$running = @(Get-Process -Name 'Teams', 'ms-teams' -ErrorAction SilentlyContinue)
if ($running.Count -gt 0) {
    if ($PSCmdlet.ShouldProcess('Microsoft Teams', 'Close the running process')) {
        $running | Stop-Process -Force
        Start-Sleep -Seconds 3
    }
}

$cacheFolders = @(
    (Join-Path -Path $env:APPDATA -ChildPath 'Microsoft\Teams'),
    (Join-Path -Path $env:LOCALAPPDATA -ChildPath 'Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams')
)
foreach ($folder in $cacheFolders) {
    if (-not (Test-Path -Path $folder)) { continue }
    if ($PSCmdlet.ShouldProcess($folder, 'Delete the Teams cache')) {
        Get-ChildItem -Path $folder -Force | Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
        Write-Output "Cleared $folder"
    }
}

if ($RestartTeams) {
    $newTeams = Get-AppxPackage -Name 'MSTeams' -ErrorAction SilentlyContinue
    if ($newTeams) {
        Start-Process -FilePath 'explorer.exe' -ArgumentList 'shell:AppsFolder\MSTeams_8wekyb3d8bbwe!MSTeams'
    }
    else {
        $classic = Join-Path -Path $env:LOCALAPPDATA -ChildPath 'Microsoft\Teams\Update.exe'
        if (Test-Path -Path $classic) {
            Start-Process -FilePath $classic -ArgumentList '--processStart', 'Teams.exe'
        }
    }
}
