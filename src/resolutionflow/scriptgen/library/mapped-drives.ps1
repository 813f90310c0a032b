<#
.SYNOPSIS
    Lists mapped network drives for the current user, tests that each share answers, and
    can remap one drive letter to a share.
.EXAMPLE
    .\mapped-drives.ps1 -DriveLetter 'S' -RemotePath '\\fs01\shared' -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$DriveLetter = '',
    [string]$RemotePath = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$mappings = @(Get-SmbMapping -ErrorAction SilentlyContinue)
foreach ($mapping in $mappings) {
    [pscustomobject]@{
        Drive      = $mapping.LocalPath
        RemotePath = $mapping.RemotePath
        Status     = $mapping.Status
        Reachable  = Test-Path -Path $mapping.RemotePath
    }
}
if ($mappings.Count -eq 0) {
    Write-Output 'No SMB drive mappings for this user.'
}

if ($DriveLetter -and $RemotePath) {
    $local = "$($DriveLetter.TrimEnd(':')):"
    $existing = $mappings | Where-Object { $_.LocalPath -eq $local }
    if ($existing) {
        if ($PSCmdlet.ShouldProcess($local, "Remove mapping to $($existing.RemotePath)")) {
            Remove-SmbMapping -LocalPath $local -Force -UpdateProfile
        }
    }
    if ($PSCmdlet.ShouldProcess($local, "Map to $RemotePath")) {
        New-SmbMapping -LocalPath $local -RemotePath $RemotePath -Persistent $true | Out-Null
        Write-Output "$local now maps to $RemotePath."
    }
}
