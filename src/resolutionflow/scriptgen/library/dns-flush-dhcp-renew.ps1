<#
.SYNOPSIS
    Flushes the DNS client cache and renews the DHCP lease, then shows the new addressing.
.EXAMPLE
    .\dns-flush-dhcp-renew.ps1 -AdapterName 'Ethernet' -WhatIf
#>
[CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
param(
    [string]$AdapterName = '',
    [bool]$RenewLease = $true,
    [string]$TestName = 'www.microsoft.com'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Write-Output 'Flushing the DNS client cache.'
Clear-DnsClientCache

if ($RenewLease) {
    $target = 'all DHCP adapters'
    if ($AdapterName) { $target = $AdapterName }
    # Releasing drops the connection for a moment: a remote session may not come back.
    if ($PSCmdlet.ShouldProcess($target, 'Release and renew the DHCP lease')) {
        if ($AdapterName) {
            ipconfig.exe /release "$AdapterName" | Out-Null
            ipconfig.exe /renew "$AdapterName" | Out-Null
        }
        else {
            ipconfig.exe /release | Out-Null
            ipconfig.exe /renew | Out-Null
        }
    }
}

Get-NetIPConfiguration |
    Where-Object { $null -ne $_.IPv4DefaultGateway } |
    Select-Object -Property 'InterfaceAlias',
        @{ Name = 'IPv4'; Expression = { $_.IPv4Address.IPAddress } },
        @{ Name = 'Gateway'; Expression = { $_.IPv4DefaultGateway.NextHop } },
        @{ Name = 'DnsServers'; Expression = { $_.DNSServer.ServerAddresses -join ', ' } } |
    Format-Table -AutoSize

if ($TestName) {
    Resolve-DnsName -Name $TestName -ErrorAction SilentlyContinue |
        Select-Object -First 3 -Property 'Name', 'Type', 'IPAddress'
}
