"""AppTest runs the app in this process: point its data dir at a temp folder and skip the demo seed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest


@pytest.fixture(autouse=True)
def workbench_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.getbasetemp() / "workbench-home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("KLAVIYO_WORKBENCH_HOME", str(home))
    monkeypatch.setenv("KLAVIYO_WORKBENCH_NO_DEMO", "1")
    yield home


APP_PATH = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(path: str, *, timeout: float = 90) -> AppTest:
    """The whole app (router, sidebar, the embedded sandbox it starts) switched to the page at `path`, which
    loaded without an exception: how a person reaches a page, and what every page test starts from."""
    at = AppTest.from_file(APP_PATH, default_timeout=timeout)
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def upload_file(at: AppTest, key: str, name: str, data: bytes) -> AppTest:
    """`data` given to the page's file uploader `key` as the CSV file `name`; the page ran it without an exception."""
    at.file_uploader(key=key).set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at
