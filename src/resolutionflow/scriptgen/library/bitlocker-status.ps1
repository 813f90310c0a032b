<#
.SYNOPSIS
    Shows BitLocker status for the volumes of this computer: protection, encryption
    progress, key protectors, and whether a recovery password protector exists. Read-only;
    recovery passwords themselves are never printed.
.EXAMPLE
    .\bitlocker-status.ps1 -MountPoint 'C:'
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$MountPoint = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$volumes = if ($MountPoint) { @(Get-BitLockerVolume -MountPoint $MountPoint) } else { @(Get-BitLockerVolume) }

foreach ($volume in $volumes) {
    $protectorTypes = @($volume.KeyProtector | ForEach-Object { $_.KeyProtectorType.ToString() })
    [pscustomobject]@{
        MountPoint          = $volume.MountPoint
        VolumeStatus        = $volume.VolumeStatus
        ProtectionStatus    = $volume.ProtectionStatus
        EncryptionPercent   = $volume.EncryptionPercentage
        EncryptionMethod    = $volume.EncryptionMethod
        LockStatus          = $volume.LockStatus
        KeyProtectors       = $protectorTypes -join ', '
        HasRecoveryPassword = $protectorTypes -contains 'RecoveryPassword'
    }
    if ($volume.ProtectionStatus -eq 'Off' -and $volume.VolumeStatus -eq 'FullyEncrypted') {
        Write-Warning "$($volume.MountPoint) is encrypted but protection is suspended."
    }
}

$tpm = Get-Tpm -ErrorAction SilentlyContinue
if ($tpm) {
    Write-Output "TPM present: $($tpm.TpmPresent); ready: $($tpm.TpmReady)"
}
