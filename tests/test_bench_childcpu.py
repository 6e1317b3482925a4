"""The bench counts the CPU of what a step leaves running (bench.childcpu): a grandchild that outlives its parent,
as Chromium's processes outlive Playwright's driver, is waited for and counted. Measured in a child Python
process, so that the test run itself never becomes a subreaper."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.helpers import ROOT

#: The bench step: a child that starts a grandchild burning 0.4 s of CPU (its own clock) and exits at once.
STEP = textwrap.dedent(
    """
    import json, subprocess, sys
    from bench.childcpu import ChildCpu

    BURN = "import time\\nwhile time.process_time() < 0.4: pass"
    LEAVE = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {BURN!r}])"
    usage = ChildCpu()
    subprocess.run([sys.executable, "-c", LEAVE], check=True)
    spent = usage.stop(grace=60)
    print(json.dumps({"subreaper": usage.subreaper, "cpu": spent.cpu, "orphans": spent.orphans,
                      "left": spent.left_running}))
    """
)


def test_an_orphan_of_the_step_is_waited_for_and_its_cpu_counted() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STEP], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["subreaper"] is True
    assert (figures["orphans"], figures["left"]) == (1, 0)
    assert figures["cpu"] >= 0.4  # the grandchild's own 0.4 s, counted only because it was waited for here


#: Two processes of the step, each burning 0.6 s of CPU then idling 1 s (so that a reading after the burn is
#: taken): one named as Chromium's processes are, one not.
BROWSER_STEP = textwrap.dedent(
    """
    import json, subprocess, sys
    from bench.childcpu import BrowserCpu

    BURN = (
        "import ctypes, sys, time\\n"
        "ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)\\n"
        "while time.process_time() < 0.6: pass\\n"
        "time.sleep(1)"
    )
    browser = BrowserCpu()
    children = [subprocess.Popen([sys.executable, "-c", BURN, name]) for name in ("chromium", "worker")]
    for child in children:
        child.wait()
    cpu, processes = browser.stop()
    print(json.dumps({"cpu": cpu, "processes": processes}))
    """
)


def test_the_browsers_share_of_a_steps_cpu_is_read_from_its_processes() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BROWSER_STEP], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["processes"] == 1  # the process named chromium, not its sibling
    assert 0.55 <= figures["cpu"] < 1.2  # its burn (in clock ticks) and its start-up, not the sibling's burn
