"""The CLI skeleton: ping, exit codes, explanations instead of tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY

ROOT = Path(__file__).resolve().parents[3]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "KLAVIYO_API_KEY"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "klaviyo_core", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_ping_sandbox() -> None:
    result = cli("--sandbox", "--empty", "ping")
    assert result.returncode == 0, result.stderr
    assert "Connected to Sandbox Store" in result.stdout


def test_ping_with_env_key(sandbox: SandboxServer) -> None:
    result = cli("--base-url", sandbox.url, "ping", env={"KLAVIYO_API_KEY": FULL_KEY})
    assert result.returncode == 0, result.stderr
    assert FULL_KEY not in result.stdout + result.stderr


def test_ping_with_bad_key_exits_3_without_traceback(sandbox: SandboxServer) -> None:
    secret = "pk_test_WRONG_key_1234567890abcdef"
    result = cli("--base-url", sandbox.url, "ping", env={"KLAVIYO_API_KEY": secret})
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert "did not accept this API key" in result.stderr
    assert secret not in result.stdout + result.stderr


def test_no_key_is_a_usage_error() -> None:
    result = cli("ping")
    assert result.returncode == 2
    assert "KLAVIYO_API_KEY" in result.stderr and "Traceback" not in result.stderr
