"""A crawl process raises its open-files limit to fit its requests at once, within the hard limit; below that it
asks for fewer at once and says so. Each case runs in a child process whose limits it sets (never this one's)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

from govsites.fdlimit import RESERVE, fitted_concurrency, needed
from tests.helpers import ROOT, child_env

PROBE = """
import json, resource, sys
from govsites.cli import open_files_settings
soft, hard = (int(v) for v in sys.argv[1:3])
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
applied = open_files_settings(int(sys.argv[3]))
print(json.dumps({"applied": applied, "soft": resource.getrlimit(resource.RLIMIT_NOFILE)[0]}))
"""


def probe(soft: int, hard: int, concurrent: int) -> tuple[dict[str, object], str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(soft), str(hard), str(concurrent)],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout), done.stderr


def test_the_soft_limit_is_raised_to_fit_the_requests() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    hard = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if hard < needed(1024):
        pytest.skip(f"this machine's hard open-files limit ({hard}) is below what 1,024 requests need")
    result, warning = probe(256, hard, 1024)
    assert result == {"applied": {}, "soft": needed(1024)}
    assert warning == ""


def test_a_low_hard_limit_means_fewer_requests_at_once_and_a_warning() -> None:
    result, warning = probe(256, 1024, 1024)
    assert result == {"applied": {"GOVSITES_CONCURRENT_REQUESTS": (1024 - RESERVE) // 2}, "soft": 1024}
    assert "同时请求数降为 256" in warning
    assert "ulimit -n" in warning


def test_fitting() -> None:
    assert fitted_concurrency(needed(1024), 1024) == 1024
    assert fitted_concurrency(1000, 1024) == (1000 - RESERVE) // 2
    assert fitted_concurrency(100, 1024) == 16  # never nothing
