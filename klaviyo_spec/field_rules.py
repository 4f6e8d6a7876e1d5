"""One rule per profile field, shared by the client's validator and the sandbox.

Why here: the dry run must say what the import will say. The validator (`klaviyo_core.profiles`) and the
sandbox (`klaviyo_sandbox.profiles`) cannot import each other; both import this dependency-free package,
so a rule changes in one place. `tests/core/profiles/test_field_rules_differential.py` feeds the same tricky
values through the validator and a sandbox bulk import job and asserts the same verdict.

Sources (`../shared/klaviyo-api-facts.md` §8 and the help centre pages it cites):
- phone_number: Klaviyo's API takes E.164 only ("If you're using an API call, note that Klaviyo only accepts
  the E.164 format", help.klaviyo.com 360046055671): "+", a country code that does not start with 0, at most
  15 digits in all. The validator reads what people write (national numbers, spaces, "tel:") with
  libphonenumber for the row's country and sends E.164, so the sandbox sees only this shape. SANDBOX CHOICE:
  the sandbox checks the E.164 shape only (libphonenumber per row would slow its bulk imports); the validator
  is stricter (the number plan: "+447700900024" is a reserved drama number) and never sends what it refuses.
- email: Klaviyo documents no syntax. DOCUMENTED SANDBOX CHOICES, applied by both sides:
  * ASCII only. Non-ASCII local parts ("garcía@...", SMTPUTF8) are refused: Klaviyo does not say it takes
    them, Mailchimp documents taking international characters only after the @, and many receiving servers
    refuse them. The validator says "Klaviyo may refuse" for such an address instead of calling it valid.
  * International domain names are sent in their ASCII (IDNA, "xn--") form, which every mail system takes:
    "a@bücher.ch" goes out as "a@xn--bcher-kva.ch" (the validator converts it; the sandbox sees ASCII).
  * Dot-atom local parts only (RFC 5321 4.1.2 without quoted strings): no quotes, no leading, trailing or
    doubled dots; "+" and the other atext characters are fine (Klaviyo's community treats "name+tag@"
    sign-ups as accepted).
  * Lengths from RFC 5321 4.5.3.1 / RFC 3696 errata: local part <= 64, domain <= 253 (labels <= 63), whole
    address <= 254; the top-level label is letters (2-63) or an IDNA "xn--" label.
  * Special-use domains (RFC 6761: .test, .local, .localhost, .invalid, .onion, .arpa) cannot receive mail
    and are refused.
- dates: properties take ISO 8601 (date or date-time); the validator sends YYYY-MM-DD or a UTC date-time.
- sizes: a profile is at most 100 KB and a bulk job at most 10,000 profiles and 5 MB (facts §8).
"""

from __future__ import annotations

import re

EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
SPECIAL_USE_DOMAINS = ("arpa", "invalid", "local", "localhost", "onion", "test")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Spelled as character classes ([Tt][Ee][Ss][Tt]): the sandbox matches every imported row, and a case-
# insensitive group made the whole pattern twice as slow.
_SPECIAL = "|".join("".join(f"[{c.upper()}{c}]" for c in name) for name in SPECIAL_USE_DOMAINS)
EMAIL_PATTERN = (
    rf"^(?=.{{3,{EMAIL_MAX}}}$)(?!\.)(?!.*\.\.)[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,{EMAIL_LOCAL_MAX}}}(?<!\.)@"
    rf"(?=.{{1,253}}$)(?:{_LABEL}\.)+(?!(?:{_SPECIAL})$)(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})$"
)
EMAIL = re.compile(EMAIL_PATTERN)
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
PROFILE_MAX_BYTES = 100 * 1024
JOB_MAX_PROFILES = 10_000
JOB_MAX_BYTES = 5 * 1024 * 1024

NON_ASCII_LOCAL = "Klaviyo may refuse this address: it has characters outside ASCII before the @"


def email_ok(value: str) -> bool:
    """Whether an email address (already trimmed) passes the shared rule."""
    return EMAIL.match(value) is not None


def phone_ok(value: str) -> bool:
    """Whether a phone number is in E.164, the only form Klaviyo's API takes."""
    return E164.match(value) is not None
