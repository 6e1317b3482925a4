"""Throwaway redis-server and PostgreSQL servers on loopback, in temp dirs, for the distributed-mode tests and
``make bench``'s distributed section.

Both need their Debian packages (``apt-get install -y redis-server postgresql``); :func:`missing_reason` says
what is missing so a test can skip with a clear reason. PostgreSQL refuses to run as root, so as root the
cluster is owned by and run as the ``postgres`` user (created by the Debian package).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[4]))
    return found[-1].parent if found else None


def missing_reason(redis: bool = True, postgres: bool = True) -> str:
    """Why the servers cannot be started here ('' when they can)."""
    if redis and shutil.which("redis-server") is None:
        return "redis-server is not installed (apt-get install -y redis-server)"
    if postgres:
        if pg_bin() is None:
            return "PostgreSQL server binaries are not installed (apt-get install -y postgresql)"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no 'postgres' user to run PostgreSQL as"
    return ""


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server on a free loopback port, no persistence; yields its ``redis://`` URL."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="govsites-redis-")
    proc = subprocess.Popen(  # noqa: S603 - the system's redis-server, our own arguments
        [  # noqa: S607 - found on PATH, as the Debian package installs it
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    if owner is None:
        return command
    return ["runuser", "-u", owner, "--", *command]


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A fresh PostgreSQL cluster on a free loopback port (trust auth); yields a ``postgresql://`` URL."""
    bindir = pg_bin()
    assert bindir is not None
    owner = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="govsites-pg-", dir="/tmp"))
    data = base / "data"
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    port = free_port()

    def sh(command: list[str]) -> None:
        subprocess.run(  # noqa: S603 - PostgreSQL's own binaries, our own arguments
            _as_owner(command, owner), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120
        )

    try:
        sh(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "govsites",
                "-E",
                "UTF8",
                "--locale",
                "C.UTF-8",
            ]
        )
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        sh([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "-t", "60", "start"])
        sh([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "govsites", "govsites"])
        yield f"postgresql://govsites@127.0.0.1:{port}/govsites"
    finally:
        subprocess.run(  # noqa: S603 - PostgreSQL's own pg_ctl
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], owner),
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)
