"""A person's email or phone as a marketer types it, made into what Klaviyo filters on.

Why: Klaviyo stores phones in E.164 (`+14155550123`) and its filters match the whole value only, so a phone
copied from a spreadsheet as `+1 (415) 555-0123` found nobody, and the page then said "phones need +country
code" to a phone that had one. Spaces, brackets, dots and dashes after a `+` are dropped (and a UK-style
`(0)`, the trunk digit E.164 leaves out); a phone typed without its `+country code` gets a message that shows
how to write it (the country is the user's to say: it is never guessed).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s().\-]")
_PHONE_LIKE = re.compile(r"^[\d\s().\-]{7,}$")


def typed_identifier(text: str) -> str:
    """`text` stripped; a `+` phone without its separators (anything else exactly as typed)."""
    wanted = text.strip()
    if wanted.startswith("+"):
        compact = "+" + _SEPARATORS.sub("", wanted[1:].replace("(0)", ""))  # +44 (0)20: the 0 is dialled at home only
        if compact[1:].isdigit():
            return compact
    return wanted


def missing_country_code(text: str) -> str | None:
    """What to do when `text` reads as a phone without `+country code`; None when it does not."""
    wanted = text.strip()
    if not _PHONE_LIKE.match(wanted) or not 7 <= sum(c.isdigit() for c in wanted) <= 15:  # E.164: 15 at most
        return None
    digits = _SEPARATORS.sub("", wanted).lstrip("0")
    return (
        f"'{wanted}' looks like a phone number without its country code. Klaviyo keeps phones as + country code "
        f"+ number: for a US number write +1{digits}, for a UK one +44{digits}."
    )
