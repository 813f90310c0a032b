<#
.SYNOPSIS
    Lists certificates in a Windows certificate store that expire within a number of days,
    and optionally checks the certificate a TLS endpoint presents. Read-only.
.EXAMPLE
    .\certificate-expiry.ps1 -Days 45 -HostName mail.contoso.com
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [int]$Days = 30,
    [string]$StorePath = 'Cert:\LocalMachine\My',
    [string]$HostName = '',
    [int]$Port = 443
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$limit = (Get-Date).AddDays($Days)
Get-ChildItem -Path $StorePath -Recurse |
    Where-Object { -not $_.PSIsContainer -and $_.NotAfter -le $limit } |
    Sort-Object -Property 'NotAfter' |
    Select-Object -Property 'Subject', 'NotAfter', 'Thumbprint',
        @{ Name = 'DaysLeft'; Expression = { [int]($_.NotAfter - (Get-Date)).TotalDays } } |
    Format-Table -AutoSize

if ($HostName) {
    $client = [System.Net.Sockets.TcpClient]::new($HostName, $Port)
    try {
        $ssl = [System.Net.Security.SslStream]::new($client.GetStream(), $false, { $true })
        $ssl.AuthenticateAsClient($HostName)
        $remote = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($ssl.RemoteCertificate)
        [pscustomobject]@{
            Endpoint = "${HostName}:$Port"
            Subject  = $remote.Subject
            Issuer   = $remote.Issuer
            NotAfter = $remote.NotAfter
            DaysLeft = [int]($remote.NotAfter - (Get-Date)).TotalDays
        } | Format-List
        $ssl.Dispose()
    }
    finally {
        $client.Dispose()
    }
}
