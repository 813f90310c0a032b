<#
.SYNOPSIS
    Shows free disk space and removes old temporary files (Windows temp and user temp
    folders) to free space; can empty the recycle bin too.
.EXAMPLE
    .\disk-cleanup-temp.ps1 -Days 7 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$DriveLetter = 'C',
    [int]$Days = 7,
    [bool]$EmptyRecycleBin = $false
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$bytesPerGb = 1024 * 1024 * 1024

function Get-FreeSpace {
    $volume = Get-Volume -DriveLetter $DriveLetter
    [math]::Round($volume.SizeRemaining / $bytesPerGb, 2)
}

$before = Get-FreeSpace
Write-Output "Free space on ${DriveLetter}: $before GB"

$cutoff = (Get-Date).AddDays(-$Days)
$folders = @(
    (Join-Path -Path $env:SystemRoot -ChildPath 'Temp'),
    $env:TEMP
) + @(Get-ChildItem -Path "$($DriveLetter):\Users\*\AppData\Local\Temp" -Directory -ErrorAction SilentlyContinue |
        ForEach-Object { $_.FullName })

foreach ($folder in ($folders | Sort-Object -Unique)) {
    if (-not (Test-Path -Path $folder)) { continue }
    $old = @(Get-ChildItem -Path $folder -File -Recurse -Force -ErrorAction SilentlyContinue |
            Where-Object { $_.LastWriteTime -lt $cutoff })
    if ($old.Count -eq 0) { continue }
    $sizeMb = [math]::Round(($old | Measure-Object -Property 'Length' -Sum).Sum / 1048576, 1)
    if ($PSCmdlet.ShouldProcess($folder, "Delete $($old.Count) file(s), $sizeMb MB, older than $Days days")) {
        $old | Remove-Item -Force -ErrorAction SilentlyContinue
    }
}

if ($EmptyRecycleBin) {
    if ($PSCmdlet.ShouldProcess("Recycle bin on $DriveLetter", 'Empty')) {
        Clear-RecycleBin -DriveLetter $DriveLetter -Force -ErrorAction SilentlyContinue
    }
}

$after = Get-FreeSpace
Write-Output "Free space on ${DriveLetter}: $after GB (was $before GB)"
