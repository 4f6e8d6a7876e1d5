"""Key checks that need no network: public vs private, malformed keys, fingerprints."""

from __future__ import annotations

import pytest

from klaviyo_core.accounts.key_format import check_key_format
from klaviyo_core.http.redaction import mask_key

REAL_SHAPE = "pk_" + "a1B2c3D4e5" * 3 + "f6G7"  # pk_ + 34 letters/digits, like Klaviyo's own keys


def test_real_shaped_key_is_accepted_without_warning() -> None:
    verdict = check_key_format(f"  '{REAL_SHAPE}'\n")
    assert verdict.ok and verdict.key == REAL_SHAPE and not verdict.warning


def test_test_key_is_accepted() -> None:
    assert check_key_format("pk_test_full_access_0000000000000001").ok


def test_public_site_id_is_refused_with_the_difference_explained() -> None:
    verdict = check_key_format("AbC123")
    assert not verdict.ok and verdict.kind == "public"
    assert "public key" in verdict.reason and "pk_" in verdict.reason and "API keys" in verdict.reason


@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("", "empty", "No key"),
        ("   ", "empty", "No key"),
        ("sk_live_0123456789abcdefghijklmnop", "malformed", "starts with pk_"),
        (f"Klaviyo-API-Key {REAL_SHAPE}", "malformed", "Authorization header"),
        ("pk_abc def ghi jkl mno pqr stu", "malformed", "spaces"),
        ("pk_abc-def-ghi-jkl-mno-pqr", "malformed", "characters"),
        ("pk_short", "malformed", "only 8 characters"),
        ("pk_" + "a" * 200, "malformed", "too long"),
    ],
)
def test_malformed_keys_are_refused_with_a_reason(text: str, kind: str, words: str) -> None:
    verdict = check_key_format(text)
    assert not verdict.ok and verdict.kind == kind and words in verdict.reason


def test_unusual_shape_is_accepted_with_a_warning() -> None:
    verdict = check_key_format("pk_" + "x" * 25)
    assert verdict.ok and "usual shape" in verdict.warning


def test_reasons_and_repr_never_contain_the_key() -> None:
    for text in (REAL_SHAPE, f"Klaviyo-API-Key {REAL_SHAPE}", REAL_SHAPE + " junk"):
        verdict = check_key_format(text)
        assert REAL_SHAPE not in verdict.reason and REAL_SHAPE not in repr(verdict)


def test_mask_key_is_the_fingerprint() -> None:
    assert mask_key(REAL_SHAPE) == "pk_...F6G7".replace("F6G7", REAL_SHAPE[-4:])
    assert mask_key(None) == "(none)" and mask_key("pk_abc") == "pk_..."
