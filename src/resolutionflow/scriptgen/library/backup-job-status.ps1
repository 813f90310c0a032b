<#
.SYNOPSIS
    Reports recent backup results on this server: Windows Server Backup, and Veeam Backup &
    Replication jobs when the Veeam PowerShell module is present. Read-only.
.EXAMPLE
    .\backup-job-status.ps1 -Hours 48
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [int]$Hours = 24
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$since = (Get-Date).AddHours(-$Hours)
$found = $false

if (Get-Command -Name 'Get-WBSummary' -ErrorAction SilentlyContinue) {
    $found = $true
    $summary = Get-WBSummary
    [pscustomobject]@{
        Source             = 'Windows Server Backup'
        LastSuccessfulTime = $summary.LastSuccessfulBackupTime
        LastBackupTime     = $summary.LastBackupTime
        LastResultHResult  = $summary.LastBackupResultHR
        NextBackupTime     = $summary.NextBackupTime
        VersionsAvailable  = $summary.NumberOfVersions
    } | Format-List
    if ($summary.LastSuccessfulBackupTime -lt $since) {
        Write-Warning "No successful Windows Server Backup in the last $Hours hours."
    }
}

if (Get-Module -ListAvailable -Name 'Veeam.Backup.PowerShell') {
    $found = $true
    Import-Module Veeam.Backup.PowerShell -WarningAction SilentlyContinue
    $sessions = @(Get-VBRBackupSession | Where-Object { $_.CreationTime -ge $since })
    $sessions |
        Sort-Object -Property 'CreationTime' -Descending |
        Select-Object -Property 'JobName', 'Result', 'State', 'CreationTime', 'EndTime' |
        Format-Table -AutoSize
    $failed = @($sessions | Where-Object { $_.Result -eq 'Failed' -or $_.Result -eq 'Warning' })
    if ($failed.Count -gt 0) {
        Write-Warning "$($failed.Count) Veeam session(s) failed or warned in the last $Hours hours."
    }
}

if (-not $found) {
    Write-Output 'Neither Windows Server Backup nor the Veeam module is installed here.'
    Get-WinEvent -FilterHashtable @{ LogName = 'Application'; StartTime = $since; Level = 1, 2 } `
        -ErrorAction SilentlyContinue |
        Where-Object { $_.ProviderName -match 'backup|veeam|acronis|datto' } |
        Select-Object -First 20 -Property 'TimeCreated', 'ProviderName', 'Message'
}
