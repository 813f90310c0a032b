<#
.SYNOPSIS
    Inventories installed software (64-bit, 32-bit and per-user uninstall entries) with
    version, publisher and install date; can filter by name and save a CSV. Read-only.
.EXAMPLE
    .\installed-software.ps1 -NameFilter '*Office*'
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$NameFilter = '*',
    [string]$OutputPath = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$uninstallKeys = @(
    'HKLM:\Software\Microsoft\Windows\CurrentVersion\Uninstall\*',
    'HKLM:\Software\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\*',
    'HKCU:\Software\Microsoft\Windows\CurrentVersion\Uninstall\*'
)

$software = foreach ($key in $uninstallKeys) {
    Get-ItemProperty -Path $key -ErrorAction SilentlyContinue |
        Where-Object { $_.PSObject.Properties['DisplayName'] -and $_.DisplayName -like $NameFilter } |
        ForEach-Object {
            [pscustomobject]@{
                Name        = $_.DisplayName
                Version     = $_.PSObject.Properties['DisplayVersion'].Value
                Publisher   = $_.PSObject.Properties['Publisher'].Value
                InstallDate = $_.PSObject.Properties['InstallDate'].Value
                Scope       = if ($key -like 'HKCU:*') { 'User' } else { 'Machine' }
            }
        }
}
$software = @($software | Sort-Object -Property 'Name', 'Version' -Unique)

$software | Format-Table -AutoSize
Write-Output "$($software.Count) item(s) found."

if ($OutputPath) {
    $software | Export-Csv -Path $OutputPath -NoTypeInformation -Encoding UTF8
    Write-Output "Saved to $OutputPath"
}
