"""Joining import errors back to file lines: by pointer without parsing a profile, else by identity."""

from __future__ import annotations

import json

from klaviyo_core.profiles.sender import _error_line, _identity_index

LINES = [2, 3, 5]
PROFILES = [
    json.dumps({"type": "profile", "attributes": {"email": "ann@example.com"}}),
    json.dumps({"type": "profile", "attributes": {"phone_number": "+14155550100"}}),
    json.dumps({"type": "profile", "attributes": {"email": "Cy@Example.com", "external_id": "C-1"}}),
]


class Identities:
    """The identity index, counting how often it was asked for (it parses every profile of the job)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        return _identity_index(LINES, PROFILES)


def test_a_pointer_names_the_row_and_no_profile_is_parsed() -> None:
    identities = Identities()
    attrs = {"source": {"pointer": "/data/attributes/profiles/data/2/attributes/email"}}
    assert _error_line(attrs, LINES, identities) == 5
    assert identities.calls == 0


def test_without_a_usable_pointer_the_payload_identifies_the_row() -> None:
    identities = Identities()
    by_email = {
        "source": {"pointer": "/data/attributes/profiles/data/9"},
        "original_payload": {"email": "cy@example.com"},
    }
    by_phone = {"original_payload": {"attributes": {"phone_number": "+14155550100"}}}
    unknown = {"original_payload": {"email": "nobody@example.com"}}
    assert _error_line(by_email, LINES, identities) == 5  # index 9 is not in this job
    assert _error_line(by_phone, LINES, identities) == 3
    assert _error_line(unknown, LINES, identities) is None
    assert identities.calls == 3  # the importer caches it (functools.cache): built once per job
