"""The ``https`` check's certificate verification against real TLS servers on loopback: a certificate from a
trusted CA for the address, a self-signed one, an expired one, one for another name, one about to expire.

The certificates are made here with ``cryptography`` (a dependency of Scrapy): a test CA, trusted through
``cafile`` as an office would trust its own CA with ``GOVSITES_TLS_CA_FILE``.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from govsites.registry import write_sites
from govsites.sitechecks.tls import verify_certificate
from govsites.store import open_store
from tests.helpers import crawl_command, run

HOST = "127.0.0.86"
NOW = datetime.datetime.now(datetime.UTC)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
    *,
    address: str = HOST,
    days: tuple[int, int] = (-1, 365),
    ca: bool = False,
) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (_name(subject), key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW + datetime.timedelta(days=days[0]))
        .not_valid_after(NOW + datetime.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    else:
        alt = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))])
        builder = builder.add_extension(alt, critical=False)
        if issuer is not None:
            authority = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
            builder = builder.add_extension(authority, critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


HOME = (
    "<html><head><meta charset='utf-8'><title>某某县人民政府</title></head><body><h2>工作动态</h2>"
    "<ul><li><a href='/a1.html'>县政府召开常务会议</a> 2026-11-20</li></ul></body></html>"
).encode()


class _Quiet(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = HOME if self.path == "/" else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        return


@contextmanager
def tls_server(folder: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Iterator[int]:
    """An HTTPS server on ``HOST`` presenting ``cert``; yields its port."""
    cert_file, key_file = folder / f"{cert.serial_number}.pem", folder / f"{cert.serial_number}.key"
    cert_file.write_bytes(_pem(cert))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = ThreadingHTTPServer((HOST, 0), _Quiet)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_certificates_as_a_visitors_browser_judges_them(tmp_path: Path) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("govsites test CA", ca_key, None, ca=True, days=(-10, 3650))
    cafile = tmp_path / "ca.pem"
    cafile.write_bytes(_pem(ca))
    issuer = (ca.subject, ca_key)
    key = ec.generate_private_key(ec.SECP256R1())
    cases = {
        "trusted": (_cert("www.test.gov.cn", key, issuer), True, "证书有效，有效期至"),
        "self_signed": (_cert("www.test.gov.cn", key, None), False, "证书无效：自签名证书"),
        "expired": (_cert("www.test.gov.cn", key, issuer, days=(-400, -35)), False, "证书无效：证书已过期"),
        "other_name": (_cert("other", key, issuer, address="127.0.0.99"), False, "证书无效：证书与网站地址不符"),
        "expiring": (_cert("www.test.gov.cn", key, issuer, days=(-300, 10)), True, "天后（"),
    }
    for case, (cert, valid, words) in cases.items():
        with tls_server(tmp_path, cert, key) as port:
            found = verify_certificate(HOST, port, timeout=10, cafile=str(cafile))
        assert (case, found.valid) == (case, valid), found.detail
        assert words in found.detail, (case, found.detail)


def test_a_crawled_https_site_with_a_self_signed_certificate_fails_the_https_check(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    with tls_server(tmp_path, _cert("www.test.gov.cn", key, None), key) as port:
        registry = write_sites(tmp_path / "sites.csv", [_site_row(f"https://{HOST}:{port}/")])
        result = run(
            crawl_command(registry, tmp_path / "store.sqlite", "tls", "2026-12-01", "--allow-private", "--probes", "1"),
            GOVSITES_RENDER_ENABLED="0",
            GOVSITES_LINK_TIMEOUT="5",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    store = open_store(tmp_path / "store.sqlite")
    try:
        rows = store.query_tuples("SELECT status, detail FROM site_checks WHERE check_name = 'https'", ())
    finally:
        store.close()
    assert [(status, str(detail)) for status, detail in rows] == [("wrong", "首页使用 HTTPS；证书无效：自签名证书")]


def _site_row(home: str) -> dict[str, str]:
    return {"site_id": "tls", "name": "某某县人民政府", "group": "county", "county": "某某县", "home_url": home}


def test_no_tls_at_all_is_not_a_valid_certificate() -> None:
    server = ThreadingHTTPServer((HOST, 0), _Quiet)  # plain HTTP on the port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        found = verify_certificate(HOST, server.server_address[1], timeout=10)
    finally:
        server.shutdown()
        server.server_close()
    assert not found.valid
    assert found.detail.startswith("证书未能验证：TLS 握手失败")
