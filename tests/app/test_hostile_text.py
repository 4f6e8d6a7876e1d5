"""User and server text is shown as text on every page (issue 14 item 3): hostile CSV headers and values, a
hostile account name and a server whose error messages are hostile markdown never become images, links, HTML
or emphasis. Every markdown-rendering element (alerts, captions, markdown, widget labels) is checked."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from streamlit.testing.v1 import AppTest

from klaviyo_app.ui.text import md_escape
from klaviyo_core.accounts.store import AccountStore
from tests.app.conftest import APP_PATH
from tests.memory_keyring import MemoryKeyring, memory_keyring, wb_home

__all__ = ["memory_keyring", "wb_home"]

IMAGE = "![p](http://attacker/x)"
LINK = "[session expired: re-enter your key](http://x)"
HTML = "<img src=x>"
BOLD = "**bold**"
MESSAGE = f"{IMAGE} {LINK} {HTML} {BOLD}"
KEY = "pk_test_hostile_text_0000000000000e5f6"


ACCOUNT = {
    "data": [
        {
            "type": "account",
            "id": "HOSTIL",
            "attributes": {"contact_information": {"organization_name": MESSAGE}, "test_account": False},
        }
    ]
}


class _Hostile(BaseHTTPRequestHandler):
    """A server on loopback that names its account in hostile markdown (so pages can identify the target) and
    answers everything else with a JSON:API error made of hostile markdown."""

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        error = {"id": "x", "status": 400, "code": "invalid", "title": MESSAGE, "detail": MESSAGE, "source": {}}
        ok = self.command == "GET" and self.path.startswith("/api/accounts")
        body = json.dumps(ACCOUNT if ok else {"errors": [error]}).encode()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "application/vnd.api+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hostile_account(wb_home: object, memory_keyring: MemoryKeyring) -> Iterator[str]:
    """The active account is named like a fake link and points at the hostile server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    store = AccountStore()
    store.add(LINK, KEY, base_url=f"http://127.0.0.1:{server.server_address[1]}")
    store.set_active(LINK)
    yield LINK
    server.shutdown()
    server.server_close()


def _bodies(at: AppTest) -> list[str]:
    """Everything Streamlit renders as markdown: alerts, captions, markdown, and widget or tile labels."""
    bodies = [e.value for e in (*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success)]
    bodies += [w.label for w in (*at.checkbox, *at.button, *at.metric, *at.expander)]
    return [str(b) for b in bodies]


def _assert_inert(at: AppTest, *shown: str) -> None:
    """No hostile construct survives unescaped, and each of `shown` appears in its escaped form."""
    assert not at.exception, at.exception
    bodies = _bodies(at)
    for body in bodies:
        assert not re.search(r"(?<!\\)\[(p|session expired)", body), body  # no image or link
        assert not re.search(r"(?<!\\)<img", body), body  # no HTML
        assert BOLD not in body, body  # no emphasis
    for text in shown:
        assert any(md_escape(text) in body for body in bodies), (text, bodies)


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=60).run()
    if page:
        at.switch_page(f"klaviyo_app/app_pages/{page}.py").run()
    return at


def test_md_escape_renders_as_the_same_characters() -> None:
    """Checked with a CommonMark renderer: the escaped text renders to exactly the text, no element at all."""
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    samples = [IMAGE, LINK, HTML, BOLD, "_x_ KLAVIYO_API_KEY pk_...a1b2", "- a\n1. b\n# c\n> d\n===", "`c` ~~s~~ a|b"]
    for text in samples:
        html = renderer.render(md_escape(text))
        plain = html.removeprefix("<p>").removesuffix("</p>\n")  # one paragraph, nothing inside
        expected = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        assert plain == expected, (text, html)


def test_sidebar_home_and_connection_error(hostile_account: str) -> None:
    at = _app()
    _assert_inert(at, LINK)  # the sidebar's target and the home page name the account
    at.sidebar.button(key="sidebar_test_connection").click().run()
    _assert_inert(at, LINK, IMAGE)  # the server's account name, shown as text


def test_keys_page_lists_the_account_as_text(hostile_account: str) -> None:
    _assert_inert(_app("keys"), LINK)


def test_profiles_page_headers_and_values(hostile_account: str) -> None:
    at = _app("profiles_upload")
    header = f'Email,"{IMAGE}","{LINK}",{HTML},{BOLD}\n'
    rows = f'a@example.com,"{IMAGE}","{LINK}",{HTML},{BOLD}\n{BOLD},x,y,z,w\n'
    at.file_uploader(key="profiles_file").set_value(("people.csv", (header + rows).encode(), "text/csv")).run()
    _assert_inert(at, IMAGE, LINK, HTML, BOLD)  # the mapping editor names each column
    at.button(key="profiles_validate").click().run()
    _assert_inert(at)


def test_tags_page_file_and_server_errors(hostile_account: str) -> None:
    at = _app("tags_upload")
    at.file_uploader(key="tags_file").set_value(("t.csv", f'"{LINK}",{HTML}\nx,y\n'.encode(), "text/csv")).run()
    assert at.warning and len(at.selectbox) >= 2  # not recognised: a column mapping, labelled by the header
    _assert_inert(at)
    assert {md_escape(LINK), md_escape(HTML)} <= {s.label for s in at.selectbox}
    at.file_uploader(key="tags_file").set_value(("t.csv", b"tag_group,tag,exclusive\nChannel,Email,\n", "text/csv"))
    at.run()
    assert at.error, "the plan needs the account's tags: the hostile server's error is shown"
    _assert_inert(at, IMAGE)


def test_events_page_server_error(hostile_account: str) -> None:
    at = _app("test_events")
    at.text_input(key="events_identifier").set_value(f"{BOLD}@example.com").run()
    at.button(key="events_send").click().run()
    _assert_inert(at, LINK, IMAGE)


def test_metrics_page_server_error(hostile_account: str) -> None:
    at = _app("metrics")
    assert at.error
    _assert_inert(at, IMAGE)
