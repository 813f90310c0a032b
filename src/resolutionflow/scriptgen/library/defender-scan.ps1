<#
.SYNOPSIS
    Checks Microsoft Defender Antivirus health, updates its signatures, runs a quick or full
    scan and lists recent detections.
.EXAMPLE
    .\defender-scan.ps1 -ScanType FullScan
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [ValidateSet('QuickScan', 'FullScan')]
    [string]$ScanType = 'QuickScan',
    [bool]$UpdateSignatures = $true
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$status = Get-MpComputerStatus
$status |
    Select-Object -Property 'AMServiceEnabled', 'AntivirusEnabled', 'RealTimeProtectionEnabled',
        'AntivirusSignatureLastUpdated', 'QuickScanEndTime', 'FullScanEndTime' |
    Format-List

if (-not $status.RealTimeProtectionEnabled) {
    Write-Warning 'Real-time protection is off. Check for another antivirus product or a policy.'
}

if ($UpdateSignatures) {
    Update-MpSignature
}

Write-Output "Starting $ScanType; this can take a while."
Start-MpScan -ScanType $ScanType

Get-MpThreatDetection |
    Sort-Object -Property 'InitialDetectionTime' -Descending |
    Select-Object -First 10 -Property 'InitialDetectionTime', 'ThreatID', 'ActionSuccess', 'Resources' |
    Format-Table -AutoSize
