<#
.SYNOPSIS
    Resets the Windows Update components: stops the update services, sets the download
    cache folders aside, and starts the services again.
.EXAMPLE
    .\windows-update-reset.ps1 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [bool]$RenameCacheFolders = $true
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$serviceNames = @('wuauserv', 'bits', 'cryptsvc', 'msiserver')
$stamp = Get-Date -Format 'yyyyMMddHHmmss'
$folders = @(
    (Join-Path -Path $env:SystemRoot -ChildPath 'SoftwareDistribution'),
    (Join-Path -Path $env:SystemRoot -ChildPath 'System32\catroot2')
)

foreach ($name in $serviceNames) {
    if ($PSCmdlet.ShouldProcess($name, 'Stop service')) {
        Stop-Service -Name $name -Force -ErrorAction SilentlyContinue
    }
}

if ($RenameCacheFolders) {
    foreach ($folder in $folders) {
        if (-not (Test-Path -Path $folder)) { continue }
        $newName = "$(Split-Path -Path $folder -Leaf).$stamp.old"
        if ($PSCmdlet.ShouldProcess($folder, "Rename to $newName")) {
            Rename-Item -Path $folder -NewName $newName
        }
    }
}

foreach ($name in $serviceNames) {
    Start-Service -Name $name -ErrorAction SilentlyContinue
}

Get-Service -Name $serviceNames | Select-Object -Property 'Name', 'Status', 'StartType'
Write-Output 'Run Windows Update again; the old folders can be removed once updates succeed.'
