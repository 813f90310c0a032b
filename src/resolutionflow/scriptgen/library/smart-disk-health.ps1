<#
.SYNOPSIS
    Checks physical disk health: Storage health status, SMART failure prediction, and
    reliability counters (temperature, wear, read/write errors). Read-only.
.EXAMPLE
    .\smart-disk-health.ps1
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [int]$WarnTemperatureC = 55
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$bytesPerGb = 1024 * 1024 * 1024
foreach ($disk in @(Get-PhysicalDisk)) {
    $counters = $disk | Get-StorageReliabilityCounter -ErrorAction SilentlyContinue
    $report = [pscustomobject]@{
        Disk              = $disk.FriendlyName
        MediaType         = $disk.MediaType
        SizeGB            = [math]::Round($disk.Size / $bytesPerGb, 0)
        HealthStatus      = $disk.HealthStatus
        OperationalStatus = $disk.OperationalStatus -join ', '
        TemperatureC      = if ($counters) { $counters.Temperature } else { $null }
        WearPercent       = if ($counters) { $counters.Wear } else { $null }
        ReadErrors        = if ($counters) { $counters.ReadErrorsUncorrected } else { $null }
        WriteErrors       = if ($counters) { $counters.WriteErrorsUncorrected } else { $null }
        PowerOnHours      = if ($counters) { $counters.PowerOnHours } else { $null }
    }
    $report
    if ($disk.HealthStatus -ne 'Healthy') {
        Write-Warning "$($disk.FriendlyName) reports $($disk.HealthStatus): back up its data and plan a replacement."
    }
    if ($report.TemperatureC -and $report.TemperatureC -ge $WarnTemperatureC) {
        Write-Warning "$($disk.FriendlyName) runs at $($report.TemperatureC) C."
    }
}

Get-CimInstance -Namespace 'root\wmi' -ClassName 'MSStorageDriver_FailurePredictStatus' -ErrorAction SilentlyContinue |
    Select-Object -Property 'InstanceName', 'PredictFailure', 'Reason' |
    Format-Table -AutoSize
