"""``ipv6`` (informational): whether the site's host name has an AAAA record (an IPv6 address).

Only the record is looked up: connecting over IPv6 needs a route this machine may not have, so the check says
what was resolved, not whether the site answers over IPv6.
"""

from __future__ import annotations

import ipaddress
import socket

from govsites.sitechecks.result import CheckResult


def ipv6_record(host: str) -> CheckResult:
    """``ok`` with the IPv6 addresses of ``host``; ``missing`` without an AAAA record; ``not_applicable`` for an
    address literal; ``error`` when the lookup itself fails."""
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        kind = "IPv6" if literal.version == 6 else "IPv4"
        return CheckResult("ipv6", "not_applicable", f"网址为{kind}地址 {host}，无域名可查")
    try:
        answers = socket.getaddrinfo(host, None, socket.AF_INET6, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
            return CheckResult("ipv6", "missing", f"{host} 无 AAAA 记录（未支持 IPv6）")
        return CheckResult("ipv6", "error", f"{host} 的 AAAA 查询失败：{exc.strerror}")
    except OSError as exc:
        return CheckResult("ipv6", "error", f"{host} 的 AAAA 查询失败：{exc}")
    addresses = sorted({str(info[4][0]) for info in answers})
    if not addresses:
        return CheckResult("ipv6", "missing", f"{host} 无 AAAA 记录（未支持 IPv6）")
    return CheckResult("ipv6", "ok", f"{host} 有 AAAA 记录：{'、'.join(addresses[:3])}（仅查询记录，未测试 IPv6 连通）")
