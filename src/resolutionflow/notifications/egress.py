"""Where an outgoing webhook may go: a public https address, checked when it is saved and again
on every send, on the address actually connected to.

Saving refuses loopback, private, link-local, multicast and reserved addresses in every form
they can be written in (dotted, decimal `2130706433`, hex and octal parts, IPv6 and IPv4 in
IPv6), names that only mean something inside a network (`localhost`, `*.internal`, a single
label, cloud metadata names), credentials in the address, and plain http. Sending resolves the
name, refuses it if any address it resolves to is not public, and connects to the address it
checked (the TLS name check still uses the host name), so a name that resolves somewhere else
a second later (DNS rebinding) changes nothing. Redirects are never followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from resolutionflow.errors import Invalid, Problem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that lead inside a network (or to a cloud's metadata service) whatever DNS says.
INTERNAL_SUFFIXES = (
    ".localhost",
    ".local",
    ".internal",
    ".localdomain",
    ".home.arpa",
    ".lan",
    ".intranet",
    ".corp",
    ".home",
    ".private",
    ".test",
    ".invalid",
)
INTERNAL_NAMES = frozenset(
    {"localhost", "metadata", "metadata.google.internal", "instance-data", "kubernetes"}
)


class EgressRefused(Exception):
    """The destination is not one a webhook may reach."""


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP literal stands for, in any of its spellings."""
    text = host.strip("[]")
    try:
        return ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        pass
    # inet_aton reads what browsers and curl read: 2130706433, 0x7f.1, 0177.0.0.1, 127.1.
    if text and all(c in "0123456789abcdefxABCDEFX." for c in text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def address_problem(address: IPAddress) -> str | None:
    """Why a webhook may not go to this address, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_problem(embedded)
    checks = (
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address (cloud metadata lives there)"),
        (address.is_multicast, "a multicast address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "an address that is not public"),
    )
    for bad, why in checks:
        if bad:
            return why
    return None


def _name_problem(host: str) -> str | None:
    name = host.rstrip(".").lower()
    if name in INTERNAL_NAMES or name.endswith(INTERNAL_SUFFIXES):
        return "a name that only exists inside a network"
    if "." not in name:
        return "a name without a domain (it would resolve inside a network)"
    return None


@dataclass(frozen=True)
class Target:
    """Where a request goes: the URL's parts and the address checked for it."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the name."""
        parts = urlsplit(self.url)
        literal = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        netloc = f"{literal}:{self.port}"
        return parts._replace(netloc=netloc).geturl()

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _split(url: str) -> tuple[SplitResult, str, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise EgressRefused(f"not a valid address ({exc})") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise EgressRefused("only https:// addresses are allowed")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise EgressRefused("an address may not carry a user name or password")
    return parts, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _loopback_allowed(address: IPAddress | None, host: str, allow_http_loopback: bool) -> bool:
    if not allow_http_loopback:
        return False
    return host.lower() == "localhost" or (address is not None and address.is_loopback)


def check_static(url: str, *, allow_http_loopback: bool = False) -> tuple[SplitResult, str, int]:
    """Everything about the URL that needs no DNS: scheme, credentials, literal addresses,
    internal names. EgressRefused says what is wrong."""
    parts, host, port = _split(url)
    address = literal_address(host)
    local_dev = _loopback_allowed(address, host, allow_http_loopback)
    if parts.scheme == "http" and not local_dev:
        raise EgressRefused("only https:// addresses are allowed (plain http is not)")
    if local_dev:
        return parts, host, port
    if address is not None:
        problem = address_problem(address)
        if problem:
            raise EgressRefused(f"it points to {problem}")
    else:
        problem = _name_problem(host)
        if problem:
            raise EgressRefused(f"'{host}' is {problem}")
    return parts, host, port


async def resolve(host: str, port: int) -> list[str]:
    """The addresses a name resolves to (replaceable in tests)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def target_for(url: str, *, allow_http_loopback: bool = False) -> Target:
    """Check the URL and pick the address to connect to; EgressRefused if it may not be used."""
    parts, host, port = check_static(url, allow_http_loopback=allow_http_loopback)
    literal = literal_address(host)
    if literal is not None:
        return Target(url, parts.scheme, host, port, literal)
    try:
        found = await resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise EgressRefused(f"'{host}' could not be resolved ({exc})") from None
    addresses = [ipaddress.ip_address(a.split("%")[0]) for a in found]
    if not addresses:
        raise EgressRefused(f"'{host}' has no address")
    local_dev = allow_http_loopback and all(a.is_loopback for a in addresses)
    for address in addresses:
        problem = None if local_dev else address_problem(address)
        if problem:
            raise EgressRefused(f"'{host}' resolves to {problem} ({address})")
    return Target(url, parts.scheme, host, port, addresses[0])


async def check_webhook_url(url: str, *, allow_http_loopback: bool = False) -> str:
    """The URL to store, or Invalid naming what is wrong. A name that does not resolve now is
    accepted (it is checked again on every send); one that resolves inward is not."""
    try:
        parts, host, _port = check_static(url, allow_http_loopback=allow_http_loopback)
        if literal_address(host) is None and not _loopback_allowed(None, host, allow_http_loopback):
            try:
                await target_for(url, allow_http_loopback=allow_http_loopback)
            except EgressRefused as exc:
                if "could not be resolved" not in str(exc) and "has no address" not in str(exc):
                    raise
    except EgressRefused as exc:
        raise Invalid(
            f"the webhook address cannot be used: {exc}",
            problems=[Problem("webhook_url", str(exc))],
        ) from None
    return parts.geturl()
