"""`python -m klaviyo_sandbox serve`: prints when ready, masks a generated key, persists, honours scopes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.sandbox.engine.helpers import headers

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "klaviyo_sandbox", "serve", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline() if proc.stdout else ""
        lines.append(line)
        if line.startswith("Sandbox ready on "):
            return proc, "".join(lines)
        if proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("sandbox did not start: " + "".join(lines))


def test_serve_with_scoped_keys(tmp_path: Path) -> None:
    port = _free_port()
    proc, out = serve(
        "--port", str(port), "--db", str(tmp_path / "db.sqlite3"),
        "--key", "pk_test_full", "--key", "pk_test_ro:profiles:read",
    )  # fmt: skip
    try:
        assert f"Sandbox ready on http://127.0.0.1:{port}" in out
        url = f"http://127.0.0.1:{port}"
        assert requests.get(url + "/api/accounts", headers=headers("pk_test_full"), timeout=5).status_code == 200
        denied = requests.get(url + "/api/accounts", headers=headers("pk_test_ro"), timeout=5)
        assert denied.status_code == 403 and denied.json()["errors"][0]["code"] == "permission_denied"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert (tmp_path / "db.sqlite3").exists()


def test_serve_without_key_prints_it_masked(tmp_path: Path) -> None:
    proc, out = serve("--port", str(_free_port()), "--db", str(tmp_path / "db.sqlite3"))
    try:
        assert "created full-access key pk_..." in out
        assert "pk_sandbox_" not in out  # only the masked form is shown
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_with_admin_needs_the_token_printed_masked(tmp_path: Path) -> None:
    port = _free_port()
    proc, out = serve("--port", str(port), "--db", str(tmp_path / "db.sqlite3"), "--admin")
    try:
        token_file = tmp_path / "db.sqlite3.admin-token"
        token = token_file.read_text().strip()
        assert "Admin routes on" in out and token not in out and str(token_file) in out
        assert token_file.stat().st_mode & 0o777 == 0o600
        url = f"http://127.0.0.1:{port}/__sandbox/faults"
        assert requests.get(url, timeout=5).status_code == 403
        assert requests.get(url, headers={"X-Sandbox-Admin-Token": token}, timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
