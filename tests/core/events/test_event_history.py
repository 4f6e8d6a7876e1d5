"""Sent-event history: persisted per account under KLAVIYO_WORKBENCH_HOME, never holding a key."""

from __future__ import annotations

from pathlib import Path

import pytest

from klaviyo_core.clock import now_iso
from klaviyo_core.events.history import EventHistory, HistoryEntry
from klaviyo_core.paths import data_dir

KEY = "pk_test_0123456789abcdefWXYZ"


def entry(metric: str = "Started Checkout", **extra: object) -> HistoryEntry:
    base: dict[str, object] = {
        "sent_at": now_iso(),
        "target": "sandbox",
        "account": "Sandbox Store",
        "metric": metric,
        "profile": "sarah@example.com",
        "status": 202,
        "ok": True,
        "outcome": "Accepted",
        "event": {"metric": metric, "email": "sarah@example.com", "properties": {"a": 1}},
    }
    base.update(extra)
    return HistoryEntry(**base)  # type: ignore[arg-type]


def test_home_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(tmp_path))
    assert data_dir() == tmp_path
    assert EventHistory("Sandbox Store").path.is_relative_to(tmp_path)


def test_history_is_per_account_and_newest_first(tmp_path: Path) -> None:
    sandbox = EventHistory("Sandbox Store", home=tmp_path)
    live = EventHistory("Acme Live", home=tmp_path)
    sandbox.append(entry("Viewed Product"))
    sandbox.append(entry("Placed Order"))
    live.append(entry("Started Checkout", target="live", account="Acme Live"))
    assert [e.metric for e in sandbox.load()] == ["Placed Order", "Viewed Product"]
    assert [e.metric for e in EventHistory("Acme Live", home=tmp_path).load()] == ["Started Checkout"]
    assert sandbox.load(limit=1)[0].row()["target"] == "sandbox: Sandbox Store"


def test_no_key_is_ever_written(tmp_path: Path) -> None:
    history = EventHistory("Sandbox Store", home=tmp_path)
    history.append(
        entry(
            outcome=f"HTTP 401 for key {KEY}",
            response={"errors": [{"detail": f"Incorrect key {KEY}"}]},
            event={"metric": "X", "properties": {"note": KEY}},
        )
    )
    text = history.path.read_text()
    assert KEY not in text and "pk_..." in text


def test_a_torn_line_is_skipped(tmp_path: Path) -> None:
    history = EventHistory("Sandbox Store", home=tmp_path)
    history.append(entry("Viewed Product"))
    with history.path.open("a") as fh:
        fh.write('{"sent_at": "2026-')
    assert [e.metric for e in history.load()] == ["Viewed Product"]
    history.clear()
    assert history.load() == []


def test_one_clock_format_for_every_stamp() -> None:
    """Saved-account tests and event history share klaviyo_core.clock.now_iso: UTC seconds ending in Z."""
    from datetime import UTC, datetime

    from klaviyo_core.accounts.probe import KeyReport
    from klaviyo_core.events import now_iso as events_now_iso

    assert events_now_iso is now_iso
    stamp = now_iso()
    assert stamp.endswith("Z") and datetime.fromisoformat(stamp).tzinfo == UTC
    assert KeyReport.__dataclass_fields__["when"].default_factory is now_iso
