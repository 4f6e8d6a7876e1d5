"""Issue 13 item 3: the dry run's verdict on a value is the import's.

The same tricky values go through the validator and through a sandbox bulk import job: a value the validator
takes is sent as the validator sends it (normalised, IDN domains in ASCII) and must be imported; a value it
refuses is sent as written and must be refused too (the validator is not stricter than the rule).
Both apply klaviyo_spec/field_rules.py.
"""

from __future__ import annotations

import json

import pandas as pd

from klaviyo_core.profiles.mapping import ColumnMapping, Mapping
from klaviyo_core.profiles.validate import EMAIL_MAY_BE_REFUSED, ValidationOptions, validate_chunk
from klaviyo_sandbox import SandboxServer
from tests.contract.test_import_profiles import admin, client_for

TRICKY_EMAILS = [
    "plain@example.com",
    "Mixed.Case@Example.COM",
    "bob+tag@sub.example.co.uk",
    "o'neil@example.ie",
    "aiden.garcía.29@example.com",  # non-ASCII local part: the documented choice is to refuse
    "ü@example.de",
    "a@bücher.ch",  # IDN domain: sent as xn--
    "a@xn--bcher-kva.ch",
    '"quoted local"@example.com',
    "a.@example.com",
    ".a@example.com",
    "a..b@example.com",
    "a@example.com.",
    "a@example",
    "a@x.c",
    "a@b.test",
    "a@localhost",
    "a@[192.0.2.1]",
    "x" * 64 + "@example.com",
    "x" * 65 + "@example.com",
    "a@" + "b" * 63 + ".com",
    "a@" + "b" * 64 + ".com",
    "a@" + ".".join(["c" * 60] * 4) + ".com",
    "a b@example.com",
    "a@exa_mple.com",
    "user@sub-.example.com",
    "@example.com",
    "first.last@xn--80ak6aa92e.xn--p1ai",
]


def _validator(values: list[str]) -> tuple[list[bool], list[str], dict[int, str]]:
    frame = pd.DataFrame({"Email": values}, dtype=object)
    frame.index = pd.RangeIndex(2, 2 + len(values), name="row")
    result = validate_chunk(frame, Mapping((ColumnMapping("Email", "email"),)), ValidationOptions())
    sent = dict(zip(result.valid_index, result.values["email"], strict=True))
    ok = [row in sent for row in frame.index]
    payload = [json.loads(sent[row]) if row in sent else value for row, value in zip(frame.index, values, strict=True)]
    reasons = {int(r.row): str(r.reason) for r in result.problems.itertuples()}
    return ok, payload, reasons


def _sandbox(sandbox: SandboxServer, emails: list[str]) -> list[bool]:
    client = client_for(sandbox)
    profiles = [{"type": "profile", "attributes": {"email": e}} for e in emails]
    body = {"data": {"type": "profile-bulk-import-job", "attributes": {"profiles": {"data": profiles}}}}
    job = client.post("/api/profile-bulk-import-jobs", body)["data"]["id"]
    assert admin(sandbox, "POST", "/__sandbox/jobs/wait", {"timeout": 10})["idle"]
    errors = list(client.iter_resources(f"/api/profile-bulk-import-jobs/{job}/import-errors", {"page[size]": 100}))
    refused = {int(e["attributes"]["source"]["pointer"].split("/")[5]) for e in errors}
    return [i not in refused for i in range(len(emails))]


def test_validator_and_sandbox_agree_on_every_tricky_email(sandbox: SandboxServer) -> None:
    ok, payload, reasons = _validator(TRICKY_EMAILS)
    imported = _sandbox(sandbox, payload)
    disagree = [(v, o, i) for v, o, i in zip(TRICKY_EMAILS, ok, imported, strict=True) if o != i]
    assert not disagree
    assert (
        ok[TRICKY_EMAILS.index("a@bücher.ch")] and payload[TRICKY_EMAILS.index("a@bücher.ch")] == "a@xn--bcher-kva.ch"
    )
    garcia = TRICKY_EMAILS.index("aiden.garcía.29@example.com")
    assert not ok[garcia] and reasons[garcia + 2] == EMAIL_MAY_BE_REFUSED  # said as "may refuse", not "invalid"
    assert "may refuse" not in reasons[TRICKY_EMAILS.index("a@x.c") + 2]


def test_every_phone_the_validator_takes_is_imported(sandbox: SandboxServer) -> None:
    """Phones: the validator sends E.164 read with libphonenumber; the sandbox checks the E.164 shape only
    (field_rules' documented choice), so here only the validator's yes is held to the sandbox's."""
    values = ["+1 415 555 0100", "(415) 555-0100", "tel:+14155550100", "+44 20 7946 0958", "0044 20 7946 0958"]
    values += ["\uff0b1 415 555 0123", "+33 1 42 68 53 00", "12", "+447700900024", "abc"]
    frame = pd.DataFrame({"Phone": values}, dtype=object)
    frame.index = pd.RangeIndex(2, 2 + len(values), name="row")
    result = validate_chunk(frame, Mapping((ColumnMapping("Phone", "phone_number"),)), ValidationOptions())
    sent = [json.loads(v) for v in result.values["phone_number"]]
    assert len(sent) == 6  # "0044 ..." is not how a US line dials abroad
    client = client_for(sandbox)
    profiles = [{"type": "profile", "attributes": {"phone_number": p}} for p in sent]
    body = {"data": {"type": "profile-bulk-import-job", "attributes": {"profiles": {"data": profiles}}}}
    job = client.post("/api/profile-bulk-import-jobs", body)["data"]["id"]
    assert admin(sandbox, "POST", "/__sandbox/jobs/wait", {"timeout": 10})["idle"]
    assert list(client.iter_resources(f"/api/profile-bulk-import-jobs/{job}/import-errors", {})) == []
