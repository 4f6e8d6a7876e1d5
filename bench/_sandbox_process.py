"""A sandbox in a process of its own, for benches that must not share a core's GIL with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start(
    db: Path, key: str, *, rate_limits: bool = True, job_step: float = 0.05, window_scale: float = 1.0
) -> tuple[subprocess.Popen[str], str]:
    """Start `python -m klaviyo_sandbox serve` on a free port; returns the process and its base URL.

    `window_scale` shrinks the rate-limit windows (0.1: a 6 s minute), for a client given the same scale."""
    cmd = [sys.executable, "-m", "klaviyo_sandbox", "serve", "--port", "0", "--db", str(db), "--key", key]
    cmd += ["--job-step", str(job_step), "--window-scale", str(window_scale)]
    cmd += [] if rate_limits else ["--no-rate-limits"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "ready on" not in line:
        proc.kill()
        raise SystemExit(f"sandbox did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[1].strip()


def cpu_seconds(pid: int) -> float | None:
    """User+system CPU of a process (Linux /proc), which other load on the machine does not inflate."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
