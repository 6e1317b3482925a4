"""``make bench``'s distributed section (functional: what it runs and prints, never how fast): one process, local
processes and distributed workers crawl one small served web; the section says whether each site's pages read and
capped agree, and reads the CPU of the Redis and PostgreSQL servers it started.

Needs redis-server and PostgreSQL's server binaries; skipped with the reason otherwise.
"""

from __future__ import annotations

import re

import pytest
import redis

from bench.distributed import bench_distributed, postgres_cpu, redis_cpu, redis_reads
from bench.localservers import missing_reason, postgres_server, redis_server
from govsites.store import Store

REASON = missing_reason()
pytestmark = pytest.mark.skipif(bool(REASON), reason=REASON or "servers available")


def test_server_cpu_is_read_from_the_servers_started() -> None:
    with redis_server() as redis_url, postgres_server() as pg_url:
        port = int(pg_url.rsplit(":", 1)[1].split("/", 1)[0])
        before = postgres_cpu(port)
        with Store(pg_url) as store:
            for _ in range(200):
                store.query_tuples("SELECT COUNT(*) FROM pages")
        assert postgres_cpu(port) > before  # its backend's work is counted
        assert postgres_cpu(port + 1) == 0.0  # no server there
        assert redis_cpu(redis_url) > 0.0
        reads, commands = redis_reads(redis_url)
        client = redis.Redis.from_url(redis_url)
        for _ in range(50):
            client.incr("n")
        pipe = client.pipeline(transaction=False)
        for _ in range(50):
            pipe.incr("n")
        pipe.execute()
        more_reads, more_commands = redis_reads(redis_url)
        # fifty round trips and one pipeline, a hundred commands (connecting and INFO itself: a few more)
        assert 51 <= more_reads - reads < 51 + 20
        assert 100 <= more_commands - commands < 100 + 20


def test_the_section_crawls_three_ways_and_compares_the_sites(capsys: pytest.CaptureFixture[str]) -> None:
    bench_distributed(sites=2, pages=20, latency=(0, 0), workers=2)
    out = capsys.readouterr().out
    assert "三次抓取各站页面数与上限拒绝数一致（2 个网站）" in out, out
    for label in ("单进程（SQLite）", "本机 2 个进程分站点", "分布式 2 个工作进程"):
        line = next(line for line in out.splitlines() if line.startswith(label))
        pages = int(re.search(r"页面 (\d+)", line).group(1))  # type: ignore[union-attr]
        assert pages > 20, line
    assert re.search(r"Redis CPU \d+\.\d+ s", out), out
    assert re.search(r"Redis 往返（服务器读事件）\d+ 次，每页 \d+\.\d 次", out), out
