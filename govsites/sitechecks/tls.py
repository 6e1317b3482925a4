"""``https`` certificates: whether the certificate a site's HTTPS answer came with is one a visitor's browser
accepts (a chain to a trusted root, the site's host name, not expired).

Scrapy does not verify certificates (it must read sites with broken ones), so the ``https`` check asks again,
with Python's :mod:`ssl` and the system's trusted roots (plus ``GOVSITES_TLS_CA_FILE`` for an office's own CA):
one TLS handshake, no request. Run in a thread by :class:`govsites.pipelines.SiteChecksPipeline`.
"""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import dataclass

#: Days before expiry from which a valid certificate's detail warns.
EXPIRY_WARNING_DAYS = 30

#: OpenSSL's verification messages, in the words of the detail.
REASONS = {
    "certificate has expired": "证书已过期",
    "self-signed certificate": "自签名证书",
    "self signed certificate": "自签名证书",
    "unable to get local issuer certificate": "证书链不完整或签发机构不受信任",
    "certificate is not yet valid": "证书尚未生效",
    "Hostname mismatch": "证书与网站域名不符",
    "IP address mismatch": "证书与网站地址不符",
}


@dataclass(frozen=True)
class Certificate:
    """What the handshake showed: ``valid`` and, in Chinese, why not or until when."""

    valid: bool
    detail: str


def _reason(error: ssl.SSLCertVerificationError) -> str:
    message = error.verify_message or str(error)
    for known, words in REASONS.items():
        if known in message:
            return words
    return message


def verify_certificate(host: str, port: int = 443, timeout: float = 10.0, cafile: str = "") -> Certificate:
    """One TLS handshake with ``host:port`` verifying its certificate (the system's roots, and ``cafile``)."""
    context = ssl.create_default_context()
    if cafile:
        context.load_verify_locations(cafile=cafile)
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            peer = tls.getpeercert()
    except ssl.SSLCertVerificationError as exc:
        return Certificate(False, f"证书无效：{_reason(exc)}")
    except (OSError, ssl.SSLError) as exc:
        return Certificate(False, f"证书未能验证：TLS 握手失败（{exc}）")
    if not peer or "notAfter" not in peer:
        return Certificate(True, "证书有效")
    not_after = ssl.cert_time_to_seconds(str(peer["notAfter"]))
    until = time.strftime("%Y-%m-%d", time.gmtime(not_after))
    days = int((not_after - time.time()) // 86400)
    if days < EXPIRY_WARNING_DAYS:
        return Certificate(True, f"证书有效，但{days}天后（{until}）到期")
    return Certificate(True, f"证书有效，有效期至 {until}")
