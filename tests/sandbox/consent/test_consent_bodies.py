"""Unsubscribe and suppress bodies are parsed with orjson now (`engine/fastbody.py`, issue 20): what the strict
parser refused is still refused with its 400 and nothing changes; an accepted body still unsubscribes."""

from __future__ import annotations

import json

import requests

from klaviyo_sandbox import SandboxServer
from tests.sandbox.consent.test_unsubscribe_and_suppress import _marketing, _subscribe
from tests.sandbox.engine.helpers import headers

UNSUBSCRIBE = "/api/profile-subscription-bulk-delete-jobs"


def _body(email: str) -> str:
    profile = {
        "type": "profile",
        "attributes": {"email": email, "subscriptions": {"email": {"marketing": {"consent": "UNSUBSCRIBED"}}}},
    }
    data = {"type": "profile-subscription-bulk-delete-job", "attributes": {"profiles": {"data": [profile]}}}
    return json.dumps({"data": data, "meta": "X"})


def _post(sandbox: SandboxServer, path: str, text: str) -> requests.Response:
    hdrs = headers(**{"Content-Type": "application/vnd.api+json"})
    return requests.post(sandbox.url + path, data=text.encode(), headers=hdrs, timeout=10)


def test_refused_bodies_keep_their_answers_and_change_nothing(sandbox: SandboxServer) -> None:
    _subscribe(sandbox, "a@example.com")
    for bad, words in ((str(2**64 + 1), "64-bit"), (str(-(2**63) - 1), "64-bit"), ("Infinity", "Infinity")):
        resp = _post(sandbox, UNSUBSCRIBE, _body("a@example.com").replace('"X"', bad))
        assert resp.status_code == 400 and words in resp.json()["errors"][0]["detail"], bad
    suppress = json.dumps({"data": {"type": "profile-suppression-bulk-create-job", "attributes": [[["X"]]]}}).replace(
        '"X"', "1e999"
    )
    assert (
        "too large"
        in _post(sandbox, "/api/profile-suppression-bulk-create-jobs", suppress).json()["errors"][0]["detail"]
    )
    assert _marketing(sandbox, "a@example.com")["consent"] == "SUBSCRIBED"
    assert _post(sandbox, UNSUBSCRIBE, _body("a@example.com").replace('"X"', "{}")).status_code == 202
    assert _marketing(sandbox, "a@example.com")["consent"] == "UNSUBSCRIBED"
