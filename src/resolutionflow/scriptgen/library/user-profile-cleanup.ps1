<#
.SYNOPSIS
    Lists local user profiles nobody has used for a number of days and, only with -Delete $true,
    removes them (profile folder and registry entry together, as Windows does).
.DESCRIPTION
    A dry run by default: without -Delete $true nothing changes and the profiles that would go are
    listed with their last use. Profiles in use (loaded), special and system profiles and
    the accounts in -ExcludeUsers are never touched. With -Delete $true each removal asks for
    confirmation (ConfirmImpact High); -WhatIf shows what would happen, and -Confirm:$false
    skips the questions for an unattended run.
.EXAMPLE
    .\user-profile-cleanup.ps1 -Days 30
.EXAMPLE
    .\user-profile-cleanup.ps1 -Days 30 -ExcludeUsers @('Administrator', 'svc-backup') -Delete $true
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [int]$Days = 30,
    [string[]]$ExcludeUsers = @('Administrator', 'Default', 'Public'),
    [bool]$Delete = $false
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if ($Days -lt 1) {
    throw 'Days must be 1 or more.'
}
$cutoff = (Get-Date).AddDays(-$Days)

$stale = @(Get-CimInstance -ClassName Win32_UserProfile |
        Where-Object {
            -not $_.Special -and -not $_.Loaded -and $_.LocalPath -and $_.LastUseTime -and
            $_.LastUseTime -lt $cutoff -and
            $ExcludeUsers -notcontains (Split-Path -Path $_.LocalPath -Leaf)
        } |
        Sort-Object -Property LastUseTime)

if ($stale.Count -eq 0) {
    Write-Output "No user profile unused for more than $Days days."
    return
}

Write-Output "User profiles unused for more than $Days days: $($stale.Count)"
$stale | Select-Object -Property 'LocalPath', 'LastUseTime', 'SID' | Format-Table -AutoSize | Out-String -Width 200

if (-not $Delete) {
    Write-Output 'Dry run: nothing was deleted. Run again with -Delete $true to remove these profiles.'
    return
}

$removed = 0
foreach ($userProfile in $stale) {
    $what = "$($userProfile.LocalPath), last used $($userProfile.LastUseTime)"
    if ($PSCmdlet.ShouldProcess($what, 'Delete the user profile (folder and registry entry)')) {
        try {
            Remove-CimInstance -InputObject $userProfile
            $removed++
        }
        catch {
            Write-Warning "Could not delete $($userProfile.LocalPath): $($_.Exception.Message)"
        }
    }
}
Write-Output "Deleted $removed of $($stale.Count) profile(s)."
