<#
.SYNOPSIS
    Tests whether a VPN gateway can be reached from this computer: DNS, ping, the VPN
    port, and the state of the configured Windows VPN connections. Read-only.
.EXAMPLE
    .\vpn-reachability.ps1 -VpnHost vpn.contoso.com -Port 443
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [string]$VpnHost = '',
    [int]$Port = 443,
    [string]$InternalHost = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if ([string]::IsNullOrWhiteSpace($VpnHost)) {
    throw 'VpnHost is required: the public name or address of the VPN gateway.'
}

$resolved = Resolve-DnsName -Name $VpnHost -ErrorAction SilentlyContinue |
    Where-Object { $_.Type -eq 'A' -or $_.Type -eq 'AAAA' }
if ($resolved) {
    Write-Output "DNS: $VpnHost resolves to $(($resolved.IPAddress) -join ', ')"
}
else {
    Write-Warning "DNS: $VpnHost does not resolve. Check the name and the DNS servers."
}

$ping = Test-Connection -ComputerName $VpnHost -Count 2 -Quiet -ErrorAction SilentlyContinue
Write-Output "Ping: $ping (many gateways block ICMP, so a failure here alone proves little)"

$tcp = Test-NetConnection -ComputerName $VpnHost -Port $Port -WarningAction SilentlyContinue
Write-Output "TCP ${Port}: $($tcp.TcpTestSucceeded) from interface $($tcp.InterfaceAlias)"

Get-VpnConnection -ErrorAction SilentlyContinue |
    Select-Object -Property 'Name', 'ServerAddress', 'ConnectionStatus', 'TunnelType', 'SplitTunneling' |
    Format-Table -AutoSize

if ($InternalHost) {
    $inside = Test-NetConnection -ComputerName $InternalHost -WarningAction SilentlyContinue
    Write-Output "Internal host ${InternalHost}: ping $($inside.PingSucceeded)"
}
