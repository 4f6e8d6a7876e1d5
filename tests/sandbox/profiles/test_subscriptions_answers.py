"""Bulk subscribe answers pinned while its receipt moved to orjson (`engine/fastbody.py`, issue 20): a body the
strict parser refuses is still refused with its 400, and one it accepts is still processed."""

from __future__ import annotations

import json

import requests

from klaviyo_sandbox import SandboxServer
from tests.sandbox.engine.helpers import headers
from tests.sandbox.profiles.test_subscriptions import JOBS, SUBSCRIBED, _body, _consent, _sub, _wait


def _post(sandbox: SandboxServer, text: str) -> requests.Response:
    hdrs = headers(**{"Content-Type": "application/vnd.api+json"})
    return requests.post(sandbox.url + JOBS, data=text.encode(), headers=hdrs, timeout=10)


def test_refused_bodies_keep_their_answers(sandbox: SandboxServer) -> None:
    text = json.dumps(_body([_sub("a@example.com", email={"marketing": SUBSCRIBED})], custom_source="X"))
    for bad, words in ((str(2**64 + 1), "64-bit"), (str(2**63), "64-bit"), ("NaN", "NaN"), ("1e999", "too large")):
        resp = _post(sandbox, text.replace('"X"', bad))
        assert resp.status_code == 400, bad
        assert words in resp.json()["errors"][0]["detail"], bad
    resp = _post(sandbox, text.replace('"X"', "[" * 70 + "]" * 70))
    assert resp.status_code == 400 and "nested more than 64" in resp.json()["errors"][0]["detail"]
    assert _post(sandbox, text[:-3]).status_code == 400
    _wait(sandbox.url)
    found = requests.get(sandbox.url + "/api/profiles", headers=headers(), timeout=10).json()["data"]
    assert found == []


def test_an_accepted_body_is_processed(sandbox: SandboxServer) -> None:
    text = json.dumps(_body([_sub("a@example.com", email={"marketing": SUBSCRIBED})], custom_source="Zoë's shop"))
    assert _post(sandbox, text).status_code == 202
    _wait(sandbox.url)
    assert _consent(sandbox.url, "a@example.com")["email"]["marketing"]["consent"] == "SUBSCRIBED"
