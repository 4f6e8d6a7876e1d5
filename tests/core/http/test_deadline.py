"""A server that never answers: `ping` and the key test give up after a bounded total time, and say so (14.10).

The real bound is 30 s (CHECK_DEADLINE_SECONDS); the tests shrink it so they stay fast, and assert on the
message and on the retries skipped, not on elapsed time.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

import klaviyo_core.cli
from klaviyo_core import ClientConfig, KlaviyoClient
from klaviyo_core.accounts.probe import check_key
from klaviyo_core.cli import app
from klaviyo_core.http import CHECK_DEADLINE_SECONDS

KEY = "pk_test_deadline_0123456789abcdef"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and reads requests, never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        listener.close()


def test_the_bound_is_thirty_seconds() -> None:
    assert CHECK_DEADLINE_SECONDS == 30.0


def test_ping_gives_up_at_the_deadline_and_says_so(silent_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(klaviyo_core.cli, "CHECK_DEADLINE_SECONDS", 0.4)
    monkeypatch.setenv("KLAVIYO_API_KEY", KEY)
    result = CliRunner().invoke(app, ["--base-url", silent_server, "ping"])
    assert result.exit_code == 3, result.output
    assert "gives up after 0.4 s" in result.output  # said up front, as progress
    assert "within 0.4 s" in result.output and "Traceback" not in result.output


def test_key_test_gives_up_at_the_deadline(silent_server: str) -> None:
    client = KlaviyoClient(ClientConfig(api_key=KEY, base_url=silent_server, pace=False))
    report = check_key(client, deadline=0.4)
    assert not report.ok and "within 0.4 s" in report.summary
    assert client.stats.retries == 0  # no retry was started past the deadline
    assert client.transport.deadline is None  # the bound does not outlive the check
