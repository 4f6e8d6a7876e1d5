"""A consent file read and checked row by row, before anything is read from or sent to the account.

Columns (header case- and space-insensitive, any order): `email` and/or `phone_number` (`phone`), an optional
`consented_at` (when the person gave consent; needed per row by a historical import), and optional channel
columns `email_marketing` / `sms_marketing` whose yes-words (the profile import's, `profiles/cells.py`) say
which of the chosen channels apply to that row; without them every chosen channel applies to every row.

Why the checks live here: Klaviyo checks a subscribe or unsubscribe request whole (one bad profile -> 400,
nothing happens: facts §10), so a bad row is left out with its reason instead of sinking its batch. The rules
are the profile import's own (`profiles/fields.py` check_emails / check_phones, the same E.164 parsing), plus
what consent adds: SMS needs an E.164 phone whose region the account can send SMS to (since revision
2024-05-15 Klaviyo answers 400 for a region without a sending number: facts §10, a Klaviyo employee on the
community forum), and a historical import needs a past `consented_at` with a time zone (spec:
`historical_import` requires `consented_at` in the past).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import phonenumbers

from klaviyo_core.csvfile.reader import CsvReader
from klaviyo_core.csvfile.sniff import CsvError
from klaviyo_core.paths import data_dir, private_dir
from klaviyo_core.profiles.cells import YES_WORDS
from klaviyo_core.profiles.fields import check_emails, check_phones
from klaviyo_core.profiles.header_table import LOOKUP
from klaviyo_core.profiles.mapping import normalise_header

EMAIL, SMS = "email", "sms"
CHANNELS = (EMAIL, SMS)
#: The regions SMS consent is sent for unless the user names the account's own (`--sms-region`). The API
#: does not say which sending numbers an account has, so the user declares them.
DEFAULT_SMS_REGIONS = ("US",)
_ALIASES = {"phone": "phone_number", "phonenumber": "phone_number", "mobile": "phone_number", "e_mail": "email"}
_CHANNEL_COLUMNS = {EMAIL: "email_marketing", SMS: "sms_marketing"}


class ConsentFileError(ValueError):
    """The file cannot be used at all (no identifier column, not a CSV); the message says what to do."""


@dataclass
class ConsentRow:
    """One data row: who (normalised), when consent was given, and the channels it asks for.

    `problems` holds, per channel, why that channel cannot be sent for this row; the row's other channels
    still go (nothing silently lost: the plan and the report show each one)."""

    line: int
    email: str = ""
    phone: str = ""
    region: str = ""
    consented_at: datetime | None = None
    channels: tuple[str, ...] = ()
    problems: dict[str, str] = field(default_factory=dict)
    given: str = ""  # the identifier as the file wrote it, so a refused row can still be found

    @property
    def who(self) -> str:
        return self.email or self.phone or self.given


@dataclass(frozen=True)
class ConsentFile:
    rows: tuple[ConsentRow, ...]
    columns: tuple[str, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowRules:
    """What the rows are checked against: the channels asked for, historical or not, the SMS regions."""

    channels: tuple[str, ...] = (EMAIL,)
    historical: bool = False
    sms_regions: tuple[str, ...] = DEFAULT_SMS_REGIONS
    default_country: str = "US"


def _norm(name: str) -> str:
    key = "_".join(name.strip().lower().replace("-", " ").split())
    return _ALIASES.get(key, key)


def _renames(columns: list[str]) -> dict[str, str]:
    """Each column's name as this reader knows it. The identifier columns are found as the profile import finds
    them (its header table: Mailchimp's "Email Address", Shopify's "Phone", "Mobile"...), the best-ranked spelling
    winning when a file has several, so an export people already have works without renaming a column."""
    out = {c: _norm(c) for c in columns}
    best: dict[str, tuple[int, int, str]] = {}
    for position, column in enumerate(columns):
        found = LOOKUP.get(normalise_header(column))
        if found and found[0] in ("email", "phone_number"):
            rank = (found[1], position, column)
            if found[0] not in best or rank < best[found[0]]:
                best[found[0]] = rank
    for target, (_, _, column) in best.items():
        for other in [c for c, name in out.items() if name == target and c != column]:
            out[other] = f"{_norm(other)} (not used)"  # a second email column is left as it is
        out[column] = target
    return out


def _parse_time(text: str, now: datetime) -> tuple[datetime | None, str]:
    """(moment, problem): ISO 8601 with a zone, in the past."""
    if not text:
        return None, "has no consented_at; a historical import needs when each person consented"
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None, f"consented_at '{text}' is not a date-time; write it like 2024-03-01T14:30:00+01:00"
    if moment.tzinfo is None:
        return None, f"consented_at '{text}' has no time zone; add one (…Z or +01:00), it is ambiguous by hours"
    if moment > now:
        return None, f"consented_at '{text}' is in the future; a historical import needs a past time"
    return moment.astimezone(UTC), ""


def _region(e164: str) -> str:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or ""
    except phonenumbers.NumberParseException:
        return ""


def _frames(path: Path) -> tuple[pd.DataFrame, tuple[str, ...], tuple[str, ...]]:
    try:
        with CsvReader(path) as reader:
            columns = reader.header.columns
            parts, bad = [], []
            for chunk in reader:
                parts.append(chunk.frame)
                bad += [f"line {r.line}: {r.reason}" for r in chunk.ragged]
            frame = pd.concat(parts) if parts else pd.DataFrame(columns=list(columns))
    except CsvError as exc:
        raise ConsentFileError(str(exc)) from None
    return frame, tuple(columns), (*reader.header.warnings, *bad)


def read_consent_file(path: Path | str, rules: RowRules, *, now: datetime | None = None) -> ConsentFile:
    """Read and check every row (the csvfile readers sniff encoding and delimiter); ConsentFileError when the
    file as a whole is unusable."""
    frame, columns, warnings = _frames(Path(path))
    frame = frame.rename(columns=_renames(list(frame.columns)))
    if not {"email", "phone_number"} & set(frame.columns):
        raise ConsentFileError(
            f"The file needs an email or a phone_number column; its columns are {', '.join(columns) or 'none'}. "
            "Rename the column that holds the addresses to email (or the phone numbers to phone_number) and "
            "upload it again."
        )
    n = len(frame)
    empty = pd.Series([""] * n, index=frame.index, dtype=object)
    raw_email = frame["email"].fillna("").str.strip() if "email" in frame else empty
    raw_phone = frame["phone_number"].fillna("").str.strip() if "phone_number" in frame else empty
    emails, email_ok = check_emails(raw_email.astype(object))
    phones, phone_ok = check_phones(raw_phone.astype(object), rules.default_country)
    regions = {p: _region(p) for p in set(phones[phone_ok & (phones != "")])}
    now = now or datetime.now(UTC)
    flags = {
        ch: frame[col].fillna("").str.strip().str.lower().isin(YES_WORDS)
        for ch, col in _CHANNEL_COLUMNS.items()
        if col in frame
    }
    times = frame["consented_at"].fillna("").str.strip() if "consented_at" in frame else empty
    flag_lists = {ch: f.tolist() for ch, f in flags.items()}
    columns_as_lists = zip(
        frame.index.tolist(),
        emails.tolist(),
        phones.tolist(),
        raw_email.tolist(),
        raw_phone.tolist(),
        email_ok.tolist(),
        phone_ok.tolist(),
        times.tolist(),
        strict=True,
    )  # plain lists: a per-row `.iloc` costs more than the checks themselves on 100,000 rows
    rows = []
    for i, (line, email, phone, given_email, given_phone, good_email, good_phone, time) in enumerate(columns_as_lists):
        row = ConsentRow(int(line), email=str(email), phone=str(phone), given=str(given_email or given_phone))
        row.region = regions.get(row.phone, "")
        row.channels = tuple(ch for ch in rules.channels if ch not in flag_lists or flag_lists[ch][i])
        problems: dict[str, str] = {}
        if not good_email:
            row.email = ""
            problems[EMAIL] = f"email '{given_email}' is not a valid address"
        if not good_phone:
            row.phone = ""
            problems[SMS] = f"phone '{given_phone}' is not a valid phone number; write it as E.164 (+1415…)"
        _check_channels(row, problems, rules)
        if rules.historical:
            row.consented_at, why = _parse_time(str(time), now)
            if why:
                row.problems.update(dict.fromkeys(row.channels, why))
        rows.append(row)
    _mark_repeats(rows)
    return ConsentFile(tuple(rows), columns, warnings)


def _check_channels(row: ConsentRow, problems: dict[str, str], rules: RowRules) -> None:
    for ch in row.channels:
        if ch == EMAIL and not row.email:
            row.problems[EMAIL] = problems.get(EMAIL, "has no email for the email channel")
        if ch == SMS:
            if not row.phone:
                row.problems[SMS] = problems.get(SMS, "has no phone number; SMS consent needs an E.164 phone")
            elif row.region not in rules.sms_regions:
                row.problems[SMS] = (
                    f"phone {row.phone} is in region {row.region or 'unknown'}, where this account sends no SMS "
                    f"(sending regions: {', '.join(rules.sms_regions)}); Klaviyo refuses SMS consent there"
                )
    if not row.email and not row.phone and not row.problems:
        row.problems.update(dict.fromkeys(row.channels or CHANNELS[:1], "has neither an email nor a phone number"))


def _mark_repeats(rows: Iterable[ConsentRow]) -> None:
    """A person twice in a file: the first row wins; the later ones are left out with the line they repeat."""
    seen: dict[str, int] = {}
    for row in rows:
        key = row.email or row.phone
        if not key:
            continue
        if key in seen:
            row.problems.update(dict.fromkeys(row.channels, f"repeats line {seen[key]} ({key}); only the first counts"))
        else:
            seen[key] = row.line


def read_consent_upload(content: bytes, rules: RowRules, *, now: datetime | None = None) -> ConsentFile:
    """`read_consent_file` for bytes (a page's upload): spooled to a private temporary file, then removed."""
    folder = private_dir(data_dir("consent", "uploads"))
    fd, name = tempfile.mkstemp(dir=folder, suffix=".csv")  # 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        return read_consent_file(name, rules, now=now)
    finally:
        Path(name).unlink(missing_ok=True)
