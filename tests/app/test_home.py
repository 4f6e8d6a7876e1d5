"""Home: a start-here path with files to try, one Test connection (the sidebar's), version and API revision,
and status said with Material icons and words, never an emoji alone."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from klaviyo_app import __version__
from klaviyo_spec import SPEC_REVISION
from tests.app.conftest import APP_PATH

ROOT = Path(__file__).resolve().parents[2]
#: Pictographs (the emoji blocks and the dingbat/misc-symbol ranges emoji come from).
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")


def home() -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def _main_texts(at: AppTest) -> list[str]:
    texts = [m.value for m in at.main.markdown] + [c.value for c in at.main.caption]
    return texts + [e.value for e in (*at.main.success, *at.main.info, *at.main.warning)]


def test_start_here_offers_a_path_and_files_to_try() -> None:
    at = home()
    assert any(s.value == "Start here" for s in at.subheader)
    links = [link.proto.page for link in at.get("page_link")]
    assert [Path(p).stem for p in links] == ["profiles_upload", "test_events", "metrics"]
    labels = [getattr(b, "label", "") for b in at.get("download_button")]
    assert labels[:2] == ["Sample profiles", "Sample events"] and sum("Tag template" in x for x in labels) == 3


def test_one_test_connection_and_no_api_paths_for_marketers() -> None:
    at = home()
    assert [b.key for b in at.main.button if getattr(b, "label", None) == "Test connection"] == []
    assert at.sidebar.button(key="sidebar_test_connection").label == "Test connection"
    assert not any("/api/" in t for t in _main_texts(at))


def test_version_and_api_revision_are_shown() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert __version__ == project["version"]
    at = home()
    assert any(__version__ in c.value and f"API revision {SPEC_REVISION}" in c.value for c in at.caption)


def test_status_never_depends_on_an_emoji() -> None:
    at = home()
    for alert in (*at.success, *at.info, *at.warning, *at.error):
        assert alert.icon.startswith(":material/"), alert.icon
    texts = _main_texts(at) + [m.value for m in at.sidebar.markdown] + [t.value for t in at.title]
    assert not [t for t in texts if EMOJI.search(t)]


def test_what_each_page_does_names_every_page() -> None:
    """The list predated Consent, Catalog, See what landed, Lists & segments, History, Campaigns & flows and
    Audience export: a newcomer reading Home did not learn they exist."""
    router = (ROOT / "klaviyo_app" / "ui" / "router.py").read_text(encoding="utf-8")
    titles = [t for t in re.findall(r'\btitle="([^"]+)"', router) if t != "Home"]
    assert len(titles) >= 12
    text = " ".join(m.value for m in home().main.markdown)
    missing = [t for t in titles if f"**{t}**" not in text]
    assert not missing, missing
