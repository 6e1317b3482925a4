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
