<#
.SYNOPSIS
    Audits the local Administrators group: lists every member, marks the ones not on the
    expected list, and can remove one named member.
.EXAMPLE
    .\local-admin-audit.ps1 -ExpectedMembers 'CONTOSO\Domain Admins', 'Administrator'
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string[]]$ExpectedMembers = @('Administrator', 'Domain Admins'),
    [string]$RemoveMember = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# The group is found by its well-known SID so the script works on non-English Windows.
$group = Get-LocalGroup -SID 'S-1-5-32-544'
$members = @(Get-LocalGroupMember -Group $group)

foreach ($member in $members) {
    $shortName = ($member.Name -split '\\')[-1]
    $expected = ($ExpectedMembers -contains $member.Name) -or ($ExpectedMembers -contains $shortName)
    [pscustomobject]@{
        Name            = $member.Name
        ObjectClass     = $member.ObjectClass
        PrincipalSource = $member.PrincipalSource
        Expected        = $expected
    }
}

$unexpected = @($members | Where-Object {
        $short = ($_.Name -split '\\')[-1]
        -not (($ExpectedMembers -contains $_.Name) -or ($ExpectedMembers -contains $short))
    })
if ($unexpected.Count -gt 0) {
    Write-Warning "Unexpected administrators: $(($unexpected.Name) -join ', ')"
}

if ($RemoveMember) {
    if ($PSCmdlet.ShouldProcess($RemoveMember, "Remove from $($group.Name)")) {
        Remove-LocalGroupMember -Group $group -Member $RemoveMember
        Write-Output "Removed $RemoveMember from $($group.Name)."
    }
}
