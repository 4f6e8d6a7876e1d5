"""Audience export: the members of a list or a segment to a CSV (for an ad platform's customer-list upload).

Why it is built this way:
- Members are read 100 a page (the maximum of GET /api/lists/{id}/profiles and /api/segments/{id}/profiles,
  facts §14, §18) and written row by row through the one CSV writer (formulas neutralised, file private), so
  an export of any size holds one page in memory.
- The file is written under a `.partial` name and renamed when the last page is in: a failed export never
  leaves a file that looks complete.
- `hashed="meta"|"google"` adds `email_sha256` and `phone_sha256`, normalised as each platform's customer-list
  upload requires before SHA-256 (lowercase hex):
  - Meta (Custom Audiences, "Hashing and normalizing data",
    https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#hash): email trimmed
    and lowercased; phone with symbols, letters and leading zeros removed, digits only with the country code,
    so no "+" (+1 555-555-0123 -> 15555550123).
  - Google (Customer Match, "Prepare user data",
    https://developers.google.com/display-video/api/guides/tasks/upload-customer-match-audience/prepare-data,
    and Google Ads help answer 7659867): email without whitespace and lowercased; phone in E.164 with its
    country code, so the "+" stays (+15555550123).
  An empty identifier gets an empty hash (a hash of "" would match nobody and look like data).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from klaviyo_core.csvfile.write import write_csv
from klaviyo_core.http.client import KlaviyoClient

PLATFORMS = ("google", "meta")
KINDS = ("list", "segment")
PAGE_SIZE = 100
BASE_COLUMNS = ("email", "phone_number")


@dataclass(frozen=True)
class Audience:
    """A list or a segment, by id and name."""

    kind: str
    id: str
    name: str


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    audience: Audience
    path: Path
    rows: int


def list_audiences(client: KlaviyoClient, kind: str) -> list[Audience]:
    """Every list (or segment) of the account, sorted by name, so a page can offer them in a picker."""
    if kind not in KINDS:
        raise ValueError(f"An audience is a list or a segment, not '{kind}'.")
    found = [Audience(kind, i["id"], (i.get("attributes") or {}).get("name") or i["id"]) for i in
             client.iter_resources(f"/api/{kind}s")]  # fmt: skip
    return sorted(found, key=lambda a: (a.name.lower(), a.id))


def resolve_audience(client: KlaviyoClient, kind: str, wanted: str) -> Audience:
    """The list or segment with this id, or else this name (case-insensitive). ValueError names the choices."""
    found = list_audiences(client, kind)
    exact = [a for a in found if a.id == wanted] or [a for a in found if a.name.lower() == wanted.strip().lower()]
    if len(exact) == 1:
        return exact[0]
    if not exact:
        names = ", ".join(sorted({a.name for a in found})) or "none yet"
        raise ValueError(f"No {kind} named or with id '{wanted}'. Known {kind}s: {names}.")
    raise ValueError(f"Several {kind}s are named '{wanted}': pass one id instead: {', '.join(a.id for a in exact)}.")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else ""


def normalise_email(email: str, platform: str) -> str:
    """Both platforms: no whitespace, lowercase (see the module docstring for the sources)."""
    del platform  # the same rule for both; kept so a platform that differs later changes one place
    return re.sub(r"\s+", "", email).lower()


def normalise_phone(phone: str, platform: str) -> str:
    """Meta: digits only with the country code, no "+" and no leading zeros. Google: E.164, "+" kept."""
    digits = re.sub(r"\D", "", phone).lstrip("0")
    if not digits:
        return ""
    return digits if platform == "meta" else "+" + digits


def hashed_columns(email: str, phone: str, platform: str) -> tuple[str, str]:
    """(email_sha256, phone_sha256) for one member, normalised for `platform` first."""
    if platform not in PLATFORMS:
        raise ValueError(f"--hashed is one of {', '.join(PLATFORMS)}, not '{platform}'.")
    return _sha256(normalise_email(email, platform)), _sha256(normalise_phone(phone, platform))


def header(hashed: str | None) -> list[str]:
    return [*BASE_COLUMNS, *(("email_sha256", "phone_sha256") if hashed else ())]


def member_rows(client: KlaviyoClient, audience: Audience, hashed: str | None) -> Iterator[list[str]]:
    """One row per member, in the endpoint's order, 100 a page."""
    params = {"page[size]": str(PAGE_SIZE)}  # no fields[profile]: the spec requires joined_group_at in every member
    for item in client.iter_resources(f"/api/{audience.kind}s/{audience.id}/profiles", params):
        attrs: dict[str, Any] = item.get("attributes") or {}
        email, phone = str(attrs.get("email") or ""), str(attrs.get("phone_number") or "")
        yield [email, phone, *(hashed_columns(email, phone, hashed) if hashed else ())]


def export_audience(
    client: KlaviyoClient,
    audience: Audience,
    out: Path,
    hashed: str | None = None,
    on_row: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write the audience's members to `out` (private file, written as `.partial` then renamed)."""
    if hashed is not None and hashed not in PLATFORMS:
        raise ValueError(f"--hashed is one of {', '.join(PLATFORMS)}, not '{hashed}'.")
    partial = out.with_name(out.name + ".partial")
    count = 0

    def rows() -> Iterator[list[str]]:
        nonlocal count
        yield header(hashed)
        for row in member_rows(client, audience, hashed):
            count += 1
            if on_row is not None:
                on_row(count)
            yield row

    try:
        write_csv(partial, rows())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return ExportResult(audience, out, count)
