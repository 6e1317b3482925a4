"""Tests for govsites.netpolicy: private-address detection and the scope policy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govsites.netpolicy import ScopePolicy, is_private_address, resolve_host


@pytest.mark.parametrize(
    "ip",
    [
        "10.0.0.5",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.1",
        "127.0.0.1",
        "127.10.20.30",
        "169.254.169.254",  # cloud metadata
        "169.254.1.1",
        "100.64.0.1",  # CGNAT
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fe80::1%eth0",
        "fd12:3456::1",  # unique local
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.1.2.3",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:5",  # NAT64 of 10.0.0.5
        "[::1]",
        "127.1",  # legacy short form a resolver accepts
        "2130706433",  # 127.0.0.1 as one number
        "0x7f.0.0.1",
    ],
)
def test_private_addresses(ip: str) -> None:
    assert is_private_address(ip)


@pytest.mark.parametrize(
    "ip",
    [
        "8.8.8.8",
        "114.114.114.114",
        "61.185.22.10",
        "172.32.0.1",
        "100.128.0.1",
        "2400:3200::1",
        "::ffff:8.8.8.8",
    ],
)
def test_public_addresses(ip: str) -> None:
    assert not is_private_address(ip)


@pytest.mark.parametrize("text", ["", "localhost", "www.ankang.gov.cn", "999.1.1.1.1", "not an ip"])
def test_non_addresses_are_not_private(text: str) -> None:
    assert not is_private_address(text)


@given(st.text(max_size=40))
def test_is_private_address_never_raises(text: str) -> None:
    assert isinstance(is_private_address(text), bool)


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_ipv4_and_its_mapped_ipv6_form_agree(value: int) -> None:
    a, b, c, d = value.to_bytes(4, "big")
    dotted = f"{a}.{b}.{c}.{d}"
    assert is_private_address(dotted) == is_private_address(f"::ffff:{dotted}")


# --- resolve_host -------------------------------------------------------------------------------


def test_resolve_host_literals_and_localhost() -> None:
    assert resolve_host("10.0.0.5") == ["10.0.0.5"]
    assert resolve_host("[::1]") == ["::1"]
    localhost = resolve_host("localhost")
    assert localhost, "localhost must resolve through getaddrinfo"
    assert all(is_private_address(ip) for ip in localhost)
    assert len(localhost) == len(set(localhost))


def test_resolve_host_failure_gives_empty_list() -> None:
    assert resolve_host("") == []
    assert resolve_host("nonexistent.invalid") == []
    assert resolve_host("bad..name") == []


# --- ScopePolicy --------------------------------------------------------------------------------

POLICY = ScopePolicy(allowed_hosts=frozenset({"127.0.0.5", "demo.gov.test", "www.ankang.gov.cn"}))


def public_resolver(host: str) -> list[str]:
    return {"www.ankang.gov.cn": ["61.185.22.10"], "www.gov.cn": ["8.8.8.8"]}.get(host, [])


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/",
        "http://172.16.3.4:8080/admin",
        "http://192.168.1.1/",
        "http://127.0.0.1:6800/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0:8000/",
        "http://2130706433/",
        "http://0x7f.1/",
    ],
)
def test_literal_private_ip_is_refused(url: str) -> None:
    assert POLICY.check(url, resolve=public_resolver) == "private"


def test_localhost_is_refused_through_real_resolution() -> None:
    assert POLICY.check("http://localhost:8080/") == "private"
    assert POLICY.check("http://LOCALHOST./x") == "private"


def test_registered_loopback_host_is_allowed() -> None:
    assert POLICY.check("http://127.0.0.5:8000/index.html") is None
    intranet = ScopePolicy(allowed_hosts=frozenset({"oa.ankang.gov.cn"}))
    assert intranet.check("http://oa.ankang.gov.cn/", resolve=lambda _h: ["10.1.1.1"]) is None
    assert POLICY.check("http://demo.gov.test/x", resolve=lambda _h: ["127.0.0.9"]) is None


def test_allow_private_lifts_the_address_rule_but_not_the_scheme_rule() -> None:
    open_policy = ScopePolicy(allowed_hosts=frozenset(), allow_private=True)
    assert open_policy.check("http://10.0.0.5/") is None
    assert open_policy.check("http://localhost/") is None
    assert open_policy.check("http://169.254.169.254/") is None
    assert open_policy.check("file:///etc/passwd") == "scheme"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://ftp.ankang.gov.cn/x.zip",
        "file:///etc/passwd",
        "file:///C:/Users/a.doc",
        "gopher://x/",
        "data:,x",
    ],
)
def test_non_http_schemes_are_refused(url: str) -> None:
    assert POLICY.check(url) == "scheme"


def test_registered_host_with_other_scheme_is_still_refused() -> None:
    assert POLICY.check("ftp://www.ankang.gov.cn/") == "scheme"


def test_resolver_pointing_a_public_name_at_a_private_address_is_refused() -> None:
    def rebinding(host: str) -> list[str]:
        return ["10.0.0.5"] if host == "files.example.com" else []

    assert POLICY.check("https://files.example.com/a.pdf", resolve=rebinding) == "private"


def test_any_private_record_among_several_refuses() -> None:
    def mixed(_host: str) -> list[str]:
        return ["8.8.8.8", "192.168.0.2"]

    assert POLICY.check("http://mixed.example.com/", resolve=mixed) == "private"


def test_public_and_unresolvable_hosts_pass() -> None:
    assert POLICY.check("https://www.gov.cn/zhengce/", resolve=public_resolver) is None
    assert POLICY.check("http://8.8.8.8/") is None
    # An unresolvable name is not a policy refusal: the download reports "dns".
    assert POLICY.check("http://nonexistent.invalid/", resolve=lambda _h: []) is None


def test_failing_resolver_is_not_a_refusal() -> None:
    def broken(_host: str) -> list[str]:
        raise OSError("resolver down")

    assert POLICY.check("http://www.example.cn/", resolve=broken) is None


def test_hostless_or_garbage_urls_are_invalid() -> None:
    assert POLICY.check("http:///path") == "invalid"
    assert POLICY.check("http://[::1/") == "invalid"


@given(st.text(max_size=60))
def test_check_never_raises(url: str) -> None:
    result = POLICY.check(url, resolve=lambda _h: [])
    assert result in {None, "scheme", "private", "invalid"}
