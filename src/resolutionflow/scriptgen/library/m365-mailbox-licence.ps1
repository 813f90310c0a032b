<#
.SYNOPSIS
    Checks a Microsoft 365 user's mailbox and licences: mailbox type, size and quota,
    forwarding, and the licences and service plans assigned. Read-only.
.DESCRIPTION
    Needs the ExchangeOnlineManagement and Microsoft.Graph.Users modules. Both sign in
    interactively (modern authentication); no credentials are stored in this script.
.EXAMPLE
    .\m365-mailbox-licence.ps1 -UserPrincipalName jsmith@contoso.com
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$UserPrincipalName = '',
    [bool]$Disconnect = $true
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if ([string]::IsNullOrWhiteSpace($UserPrincipalName)) {
    throw 'UserPrincipalName is required, for example -UserPrincipalName user@contoso.com.'
}

foreach ($module in @('ExchangeOnlineManagement', 'Microsoft.Graph.Users')) {
    if (-not (Get-Module -ListAvailable -Name $module)) {
        throw "Module $module is missing: Install-Module $module -Scope CurrentUser"
    }
}

Connect-ExchangeOnline -ShowBanner:$false
Connect-MgGraph -Scopes 'User.Read.All' -NoWelcome

$mailbox = Get-EXOMailbox -Identity $UserPrincipalName `
    -Properties 'ForwardingSmtpAddress', 'DeliverToMailboxAndForward', 'ProhibitSendQuota'
$stats = Get-EXOMailboxStatistics -Identity $UserPrincipalName
[pscustomobject]@{
    DisplayName          = $mailbox.DisplayName
    RecipientType        = $mailbox.RecipientTypeDetails
    PrimarySmtpAddress   = $mailbox.PrimarySmtpAddress
    ItemCount            = $stats.ItemCount
    TotalItemSize        = $stats.TotalItemSize
    ProhibitSendQuota    = $mailbox.ProhibitSendQuota
    ForwardingTo         = $mailbox.ForwardingSmtpAddress
    LastLogonTime        = $stats.LastLogonTime
} | Format-List

$user = Get-MgUser -UserId $UserPrincipalName -Property 'AccountEnabled', 'UsageLocation', 'DisplayName'
Write-Output "Account enabled: $($user.AccountEnabled); usage location: $($user.UsageLocation)"
if (-not $user.UsageLocation) {
    Write-Warning 'No usage location is set: licences cannot be assigned until one is.'
}

$licences = @(Get-MgUserLicenseDetail -UserId $UserPrincipalName)
if ($licences.Count -eq 0) {
    Write-Warning 'The user has no licence assigned.'
}
foreach ($licence in $licences) {
    $plans = $licence.ServicePlans |
        Where-Object { $_.ServicePlanName -like 'EXCHANGE*' -or $_.ServicePlanName -like 'TEAMS*' }
    [pscustomobject]@{
        Sku          = $licence.SkuPartNumber
        MailboxPlans = ($plans | ForEach-Object { "$($_.ServicePlanName)=$($_.ProvisioningStatus)" }) -join '; '
    }
}

if ($Disconnect) {
    Disconnect-ExchangeOnline -Confirm:$false
    Disconnect-MgGraph | Out-Null
}
