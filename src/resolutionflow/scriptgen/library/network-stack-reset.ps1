<#
.SYNOPSIS
    Resets the Windows network stack (Winsock catalogue, TCP/IP settings, DNS cache) when
    connectivity is broken beyond a simple renew. Needs a restart afterwards.
.EXAMPLE
    .\network-stack-reset.ps1 -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [bool]$RestartNow = $false
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$principal = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'Run this script from an elevated PowerShell window.'
}

Write-Output 'Current adapters before the reset:'
Get-NetIPConfiguration | Select-Object -Property 'InterfaceAlias', 'IPv4Address', 'DNSServer' | Format-Table -AutoSize

if ($PSCmdlet.ShouldProcess('Winsock catalogue', 'Reset')) {
    netsh.exe winsock reset
}
if ($PSCmdlet.ShouldProcess('TCP/IP stack', 'Reset')) {
    netsh.exe int ip reset
}
Clear-DnsClientCache
Write-Output 'The reset takes effect after a restart.'

if ($RestartNow) {
    if ($PSCmdlet.ShouldProcess($env:COMPUTERNAME, 'Restart the computer')) {
        Restart-Computer -Force
    }
}
