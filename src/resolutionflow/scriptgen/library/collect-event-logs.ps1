<#
.SYNOPSIS
    Collects recent errors and warnings from the Windows event logs into a CSV file and
    shows the most frequent sources. Read-only apart from writing the report.
.EXAMPLE
    .\collect-event-logs.ps1 -Hours 48 -LogNames 'System', 'Application'
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [int]$Hours = 24,
    [string[]]$LogNames = @('System', 'Application'),
    [string]$OutputFolder = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if (-not $OutputFolder) { $OutputFolder = $env:TEMP }
$since = (Get-Date).AddHours(-$Hours)
$events = foreach ($log in $LogNames) {
    Get-WinEvent -FilterHashtable @{ LogName = $log; Level = 1, 2, 3; StartTime = $since } `
        -ErrorAction SilentlyContinue
}
$events = @($events)

$report = Join-Path -Path $OutputFolder -ChildPath ("events-{0}-{1}.csv" -f $env:COMPUTERNAME, (Get-Date -Format 'yyyyMMdd-HHmm'))
$events |
    Select-Object -Property 'TimeCreated', 'LogName', 'LevelDisplayName', 'ProviderName', 'Id', 'Message' |
    Export-Csv -Path $report -NoTypeInformation -Encoding UTF8

Write-Output "$($events.Count) error/warning event(s) in the last $Hours hours, saved to $report"
$events |
    Group-Object -Property 'ProviderName', 'Id' |
    Sort-Object -Property 'Count' -Descending |
    Select-Object -First 15 -Property 'Count', 'Name' |
    Format-Table -AutoSize
