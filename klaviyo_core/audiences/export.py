"""Audience export: the members of a list or a segment to a CSV (for an ad platform's customer-list upload).

Why it is built this way:
- Members are read 100 a page (the maximum of GET /api/lists/{id}/profiles and /api/segments/{id}/profiles,
  facts §14, §18) and written page by page through the one CSV writer (formulas neutralised, file private),
  so an export of any size holds one page in memory. Columns: `--fields` (export_fields.py; email by default).
- The file is written under a `.partial` name and renamed when the last page is in: a failed export never
  leaves a file that looks complete. A checkpoint after every page makes it resumable without writing a row
  twice (export_checkpoint.py); progress and an ETA come from the endpoint's rate limit (export_progress.py).
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

import contextlib
import hashlib
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from klaviyo_core.accounts.target import Target, check_same_target, target_or_own
from klaviyo_core.audiences.export_checkpoint import (
    ExportCheckpoint,
    checkpoint_key,
    drop_checkpoint,
    load_checkpoint,
    save_checkpoint,
)
from klaviyo_core.audiences.export_fields import DEFAULT_FIELDS, field_value, needs_subscriptions, parse_fields
from klaviyo_core.audiences.export_progress import PAGE_SIZE, EtaClock, ExportProgress
from klaviyo_core.csvfile.write import csv_line
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.errors import KlaviyoError
from klaviyo_core.paths import open_private

PLATFORMS = ("google", "meta")
KINDS = ("list", "segment")


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


def header(hashed: str | None, fields: tuple[str, ...] = DEFAULT_FIELDS) -> list[str]:
    return [*fields, *(("email_sha256", "phone_sha256") if hashed else ())]


def member_row(item: dict[str, Any], fields: tuple[str, ...], hashed: str | None) -> list[str]:
    """One member's cells: the chosen fields, then the hashes (of the profile's email and phone, chosen or not)."""
    row = [field_value(item, name) for name in fields]
    if hashed:
        attrs: dict[str, Any] = item.get("attributes") or {}
        row += hashed_columns(str(attrs.get("email") or ""), str(attrs.get("phone_number") or ""), hashed)
    return row


def first_page(audience: Audience, fields: tuple[str, ...]) -> str:
    """The first page's path and query: 100 members (the maximum), subscriptions only when a consent column is
    chosen. No fields[profile]: the spec requires joined_group_at in every member."""
    params = {"page[size]": str(PAGE_SIZE)}
    if needs_subscriptions(fields):
        params["additional-fields[profile]"] = "subscriptions"
    return f"/api/{audience.kind}s/{audience.id}/profiles?{urlencode(params)}"


def export_audience(
    client: KlaviyoClient,
    audience: Audience,
    out: Path,
    hashed: str | None = None,
    on_row: Callable[[int], None] | None = None,
    *,
    fields: str | tuple[str, ...] | None = None,
    target: Target | None = None,
    on_progress: Callable[[ExportProgress], None] | None = None,
    resume: bool = True,
    total: int | None = None,
) -> ExportResult:
    """Write the audience's members to `out`: a private file that appears whole when the last page is in.

    An export stopped part way (an API error, a crash) resumes from its last page when run again with the same
    audience, columns, hashing and file (`resume=False` starts afresh); see export_checkpoint.py. The export is
    bound to `target` (None: the client's own account): a resume on another account raises TargetMismatch.
    `on_progress` gets rows, pages and an ETA after each page (`total`: the audience's size if known, else it
    is asked once)."""
    if hashed is not None and hashed not in PLATFORMS:
        raise ValueError(f"--hashed is one of {', '.join(PLATFORMS)}, not '{hashed}'.")
    columns = parse_fields(fields)
    current = target_or_own(client, target)
    key = checkpoint_key(current.account_id, audience.kind, audience.id, columns, hashed, out)
    partial = out.with_name(out.name + ".partial")
    cp = _resume_point(key, partial, current) if resume else None
    if cp is None:
        cp = ExportCheckpoint(key, current.to_dict(), asdict(audience), list(columns), hashed, str(out))
        cp.next_page = first_page(audience, columns)
        with open_private(partial, "w", encoding="utf-8", newline="") as fh:
            fh.write(csv_line(header(hashed, columns)))
        cp.size = partial.stat().st_size
        save_checkpoint(cp)
    if on_progress is not None and total is None:
        total = audience_size(client, audience)
    try:
        _read_pages(client, cp, partial, columns, hashed, on_row, on_progress, EtaClock(client, total, cp.rows))
    except BaseException:
        if cp.pages == 0:  # nothing read (an unknown list, a refused key): nothing to resume either
            partial.unlink(missing_ok=True)
            drop_checkpoint(key)
        raise
    os.replace(partial, out)
    drop_checkpoint(key)
    return ExportResult(audience, out, cp.rows)


def _read_pages(
    client: KlaviyoClient,
    cp: ExportCheckpoint,
    partial: Path,
    columns: tuple[str, ...],
    hashed: str | None,
    on_row: Callable[[int], None] | None,
    on_progress: Callable[[ExportProgress], None] | None,
    clock: EtaClock,
) -> None:
    """Page after page: rows appended and flushed, then the checkpoint (see export_checkpoint.py). The next page
    is already being read while this one is written (`prefetch_pages`), so the writing costs no request time."""
    with open_private(partial, "r+b") as fh:
        fh.truncate(cp.size)  # rows written after the last checkpoint are read again, never kept twice
        fh.seek(cp.size)
        for items, next_page in prefetch_pages(client, cp.next_page):
            fh.write("".join(csv_line(member_row(item, columns, hashed)) for item in items).encode("utf-8"))
            fh.flush()
            cp.size, cp.rows, cp.pages, cp.next_page = fh.tell(), cp.rows + len(items), cp.pages + 1, next_page
            save_checkpoint(cp)
            if on_row is not None and items:
                on_row(cp.rows)
            if on_progress is not None:
                on_progress(clock.progress(cp.rows, cp.pages))


def _resume_point(key: str, partial: Path, current: Target) -> ExportCheckpoint | None:
    cp = load_checkpoint(key)
    if cp is None:
        return None
    check_same_target("unfinished export", Target.from_dict(cp.target), current)
    if not partial.is_file() or partial.stat().st_size < cp.size or not cp.next_page:
        drop_checkpoint(key)  # the partial file is gone or shorter than recorded: start afresh
        return None
    return cp


def prefetch_pages(client: KlaviyoClient, first: str | None) -> Iterator[tuple[list[Any], str | None]]:
    """(members, path of the next page) in order; one thread reads the next page while the caller handles this
    one (a cursor allows no more than one request ahead). A failure is raised here, where the caller is."""
    pages: queue.Queue[tuple[list[Any], str | None] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def fetch() -> None:
        url = first
        try:
            while url and not stop.is_set():
                doc = client.get(url) or {}
                following = _relative((doc.get("links") or {}).get("next"), url)
                pages.put((doc.get("data") or [], following))
                url = following
            pages.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, which raises it
            pages.put(exc)

    reader = threading.Thread(target=fetch, name="audience-export-reader", daemon=True)
    reader.start()
    try:
        while (item := pages.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # unblock a reader waiting to put a page nobody will take
            with contextlib.suppress(queue.Empty):
                pages.get(timeout=0.05)


def _relative(next_url: str | None, current: str) -> str | None:
    """`links.next` as a path and query (the sandbox's port may change between runs); None at the end, or when
    the link repeats the page just read (it would loop forever)."""
    if not next_url:
        return None
    parts = urlsplit(next_url)
    relative = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if relative == current else relative


def audience_size(client: KlaviyoClient, audience: Audience) -> int | None:
    """The audience's member count (`additional-fields[...]=profile_count`, 1/s and 15/min: asked once per
    export), or None when it cannot be read: the ETA then waits for it."""
    params = {f"additional-fields[{audience.kind}]": "profile_count"}
    try:
        doc = client.get(f"/api/{audience.kind}s/{audience.id}", params) or {}
    except KlaviyoError:
        return None
    count = ((doc.get("data") or {}).get("attributes") or {}).get("profile_count")
    return int(count) if isinstance(count, int) else None
