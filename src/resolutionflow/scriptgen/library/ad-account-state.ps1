<#
.SYNOPSIS
    Shows the state of an Active Directory user account (enabled, locked, password age and
    expiry) and can restart the password age or require a change at next sign-in.
.EXAMPLE
    .\ad-account-state.ps1 -Identity jsmith
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$Identity = '',
    [bool]$ResetPasswordAge = $false,
    [bool]$RequireChangeAtLogon = $false
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
Import-Module ActiveDirectory

if ([string]::IsNullOrWhiteSpace($Identity)) {
    throw 'Identity is required: pass -Identity with a sAMAccountName or UPN.'
}

$properties = @(
    'Enabled', 'LockedOut', 'PasswordExpired', 'PasswordLastSet', 'PasswordNeverExpires',
    'LastLogonDate', 'AccountExpirationDate', 'BadLogonCount', 'msDS-UserPasswordExpiryTimeComputed'
)
$user = Get-ADUser -Identity $Identity -Properties $properties
$expiryRaw = $user.'msDS-UserPasswordExpiryTimeComputed'
$expiry = 'never'
if ($expiryRaw -and $expiryRaw -lt [int64]::MaxValue) {
    $expiry = [datetime]::FromFileTime($expiryRaw)
}

[pscustomobject]@{
    SamAccountName       = $user.SamAccountName
    Enabled              = $user.Enabled
    LockedOut            = $user.LockedOut
    PasswordExpired      = $user.PasswordExpired
    PasswordLastSet      = $user.PasswordLastSet
    PasswordExpires      = $expiry
    PasswordNeverExpires = $user.PasswordNeverExpires
    AccountExpires       = $user.AccountExpirationDate
    LastLogonDate        = $user.LastLogonDate
    BadLogonCount        = $user.BadLogonCount
} | Format-List

if ($ResetPasswordAge) {
    # Setting pwdLastSet to 0 then -1 stamps the current time, restarting the expiry clock
    # without changing the password itself.
    if ($PSCmdlet.ShouldProcess($user.SamAccountName, 'Restart the password age (pwdLastSet)')) {
        Set-ADUser -Identity $user -Replace @{ pwdLastSet = 0 }
        Set-ADUser -Identity $user -Replace @{ pwdLastSet = -1 }
        Write-Output 'Password age restarted.'
    }
}

if ($RequireChangeAtLogon) {
    if ($PSCmdlet.ShouldProcess($user.SamAccountName, 'Require a password change at next sign-in')) {
        Set-ADUser -Identity $user -ChangePasswordAtLogon $true
        Write-Output 'The user must change the password at next sign-in.'
    }
}
