"""Scope policy: which URLs the crawler may fetch (pure decisions, no Scrapy).

The link checker follows links written by third parties, so it must not be turned into a tool
that probes the operator's own network (SSRF): a link to ``http://169.254.169.254/`` (cloud
metadata), ``http://10.0.0.5/`` or ``http://localhost:8080/`` on a government page is refused
unless that host is one of the registered sites (the bundled demo web runs on 127.0.0.x).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Carrier-grade NAT (RFC 6598) is not "private" for the ipaddress module but is not public either.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# NAT64 well-known prefix: the low 32 bits are an IPv4 address.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse_ip(ip: str) -> IPAddress | None:
    """Parse an IP literal (brackets and IPv6 zone ids allowed, legacy IPv4 forms like 127.1)."""
    text = ip.strip().removeprefix("[").removesuffix("]").split("%", 1)[0]
    if not text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if ":" in text:
        return None
    try:  # inet_aton accepts what resolvers accept: "127.1", "0x7f.0.0.1", "2130706433"
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except (OSError, ValueError):
        return None


def _unwrap(addr: IPAddress) -> IPAddress:
    """Return the IPv4 address embedded in an IPv4-mapped/compatible/NAT64 IPv6 address."""
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return addr.ipv4_mapped
        if addr in _NAT64:
            return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
        value = int(addr)
        if 1 < value <= 0xFFFFFFFF:  # deprecated IPv4-compatible form ::a.b.c.d (not ::, ::1)
            return ipaddress.IPv4Address(value)
    return addr


def is_private_address(ip: str) -> bool:
    """True for addresses the crawler must not reach unless told to.

    Private (RFC 1918, fc00::/7), loopback, link-local (169.254/16 incl. the metadata address
    169.254.169.254, fe80::/10), CGNAT 100.64/10, unspecified, multicast, reserved and any other
    non-global range. IPv4-mapped (``::ffff:127.0.0.1``) and NAT64 addresses are unwrapped.
    A string that is not an IP address gives False.
    """
    parsed = _parse_ip(ip)
    if parsed is None:
        return False
    addr = _unwrap(parsed)
    if (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or not addr.is_global
    ):
        return True
    return isinstance(addr, ipaddress.IPv4Address) and addr in _CGNAT


def resolve_host(host: str) -> list[str]:
    """The IP addresses a host name resolves to (socket.getaddrinfo), in order, without duplicates.

    A literal IP is returned as itself; [] when the name cannot be resolved.
    """
    name = host.strip().removeprefix("[").removesuffix("]")
    if not name:
        return []
    try:
        return [str(ipaddress.ip_address(name.split("%", 1)[0]))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        return []
    ips: list[str] = []
    for info in infos:
        ip = str(info[4][0]).split("%", 1)[0]
        if ip not in ips:
            ips.append(ip)
    return ips


DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class ScopePolicy:
    """Decides whether a request may be sent.

    `allowed_hosts` are the registered sites (lowercase), as ``host`` (any port) or ``host:port`` (that
    port only); they are allowed even when they are private (a site on an intranet or the demo web on
    127.0.0.x). Another port of a registered private host is judged like any private address.
    """

    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    allow_private: bool = False

    def check(self, url: str, resolve: Callable[[str], list[str]] = resolve_host) -> str | None:
        """None when the request may go, else the reason: "scheme", "invalid" or "private".

        "scheme": not http/https (ftp:, file:, ...). "invalid": no host or an unparseable URL.
        "private": the host is, or resolves to, a private/loopback/link-local/metadata address,
        is not a registered host and `allow_private` is False. A name that does not resolve is not
        refused here (None), so that the download itself reports "dns".
        """
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").rstrip(".")
        except ValueError:
            return "invalid"
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            return "scheme"
        if not host:
            return "invalid"
        try:
            port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 0)
        except ValueError:
            return "invalid"
        if self.allow_private or host in self.allowed_hosts or f"{host}:{port}" in self.allowed_hosts:
            return None
        if host == "localhost" or host.endswith(".localhost"):
            return "private"  # RFC 6761: always loopback, whatever the resolver says
        literal = _parse_ip(host)
        if literal is not None:
            return "private" if is_private_address(str(literal)) else None
        try:
            addresses = resolve(host)
        except (OSError, UnicodeError, ValueError):
            addresses = []
        if any(is_private_address(ip) for ip in addresses):
            return "private"
        return None
