"""An in-memory keyring backend for tests, and fixtures that install it (or keyring's "no backend").

Tests never touch the developer's real keyring and never depend on keyrings.alt.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such entry")


@pytest.fixture
def wb_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings go to tmp_path; KLAVIYO_API_KEY from the developer's shell must not leak into tests."""
    home = tmp_path / "workbench"
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(home))
    monkeypatch.delenv("KLAVIYO_API_KEY", raising=False)
    monkeypatch.delenv("KLAVIYO_BASE_URL", raising=False)
    return home


@pytest.fixture
def memory_keyring(wb_home: Path) -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(wb_home: Path) -> Iterator[None]:
    """keyring's own "fail" backend: what a headless Linux server has."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)
