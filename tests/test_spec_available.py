"""Make a missing spec visible: the automatic response checks quietly do nothing without it."""

from __future__ import annotations

from tests.spec_validation import SPEC_PATH, require_spec, response_errors


def test_official_spec_is_there_and_checks_bite() -> None:
    require_spec()  # skips with the path it looked at: set KLAVIYO_OPENAPI_SPEC or put shared/ beside the repo
    assert SPEC_PATH.is_file()
    problems = response_errors("GET", "/api/accounts", 200, {"data": [{"type": "account"}]})
    assert problems, "a response missing required members must be reported"
