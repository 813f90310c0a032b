<#
.SYNOPSIS
    Lists locked-out Active Directory user accounts, shows where the lockout came from,
    and unlocks them when asked.
.EXAMPLE
    .\ad-locked-accounts.ps1 -Identity jsmith -Unlock $true -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$Identity = '',
    [bool]$Unlock = $false,
    [string]$SearchBase = '',
    [int]$LockoutEventHours = 24
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module ActiveDirectory

$pdc = (Get-ADDomain).PDCEmulator
$search = @{ LockedOut = $true; UsersOnly = $true; Server = $pdc }
if ($SearchBase) { $search['SearchBase'] = $SearchBase }

$locked = @(Search-ADAccount @search)
if ($Identity) {
    $locked = @($locked | Where-Object {
            $_.SamAccountName -eq $Identity -or $_.UserPrincipalName -eq $Identity
        })
}

if ($locked.Count -eq 0) {
    Write-Output 'No locked-out accounts match.'
    return
}

$since = (Get-Date).AddHours(-$LockoutEventHours)
$events = @(Get-WinEvent -ComputerName $pdc -FilterHashtable @{
        LogName = 'Security'; Id = 4740; StartTime = $since
    } -ErrorAction SilentlyContinue)

foreach ($account in $locked) {
    $user = Get-ADUser -Identity $account.SamAccountName -Server $pdc `
        -Properties 'LockoutTime', 'BadLogonCount', 'LastBadPasswordAttempt', 'Enabled'
    $source = $events |
        Where-Object { $_.Properties[0].Value -eq $account.SamAccountName } |
        Select-Object -First 1
    [pscustomobject]@{
        SamAccountName     = $user.SamAccountName
        Enabled            = $user.Enabled
        BadLogonCount      = $user.BadLogonCount
        LastBadPassword    = $user.LastBadPasswordAttempt
        LockedOutAt        = [datetime]::FromFileTime([int64]$user.LockoutTime)
        LockoutFromMachine = if ($source) { $source.Properties[1].Value } else { 'unknown' }
    }
}

if ($Unlock) {
    foreach ($account in $locked) {
        if ($PSCmdlet.ShouldProcess($account.SamAccountName, 'Unlock Active Directory account')) {
            Unlock-ADAccount -Identity $account.SamAccountName -Server $pdc
            Write-Output "Unlocked $($account.SamAccountName)."
        }
    }
}
