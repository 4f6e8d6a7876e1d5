"""A Sender is built in one call and leaves the (cached, shared) client as it found it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from klaviyo_core.accounts.target import TargetUnknown
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_core.profiles.checkpoint import Checkpoint, Workspace
from klaviyo_core.profiles.mapping import Mapping
from klaviyo_core.profiles.pipeline import ImportOptions, import_profiles
from klaviyo_core.profiles.sender import Sender


def _client() -> KlaviyoClient:
    return KlaviyoClient(ClientConfig(api_key="pk_test_sender_listener_000000", base_url="http://127.0.0.1:9"))


def test_close_removes_only_its_own_wait_listener(tmp_path: Path) -> None:
    client = _client()
    page_listener = lambda kind, seconds, operation: None  # noqa: E731 - someone else listening too
    client.add_wait_listener(page_listener)
    stop = threading.Event()
    sender = Sender(client, Workspace(tmp_path, "x"), Checkpoint("x", "f.csv", "fp", [], {}), deadline=1.0, stop=stop)
    assert sender.stop is stop and sender.deadline == 1.0
    assert sender._on_wait in client.transport.listeners
    sender.close()
    sender.close()  # twice is harmless
    assert client.transport.listeners == [page_listener]


def test_sending_without_a_client_says_so_at_the_first_request(tmp_path: Path) -> None:
    """import_profiles(None, ...) may still stop, or record a checkpoint; a request needs a client."""
    path = tmp_path / "people.csv"
    path.write_text("Email\nann@example.com\n", encoding="utf-8")
    mapping = Mapping.from_json([{"column": "Email", "target": "email"}])
    with pytest.raises(TargetUnknown, match="pass a client"):  # the account binding asks first
        import_profiles(None, path, mapping, ImportOptions(), data_dir=tmp_path / "data")
