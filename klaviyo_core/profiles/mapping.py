"""Which CSV column goes to which Klaviyo profile field: suggestions from headers, saved mappings by name.

A target is a standard profile field (`email`, `first_name`, `location.zip`, ...), a custom property
(`properties.<name>` with a type), a consent column (`consent.email`, `consent.sms`: which rows consent to
that channel; the `consent.` prefix is reserved) or `ignore`. Suggestions normalise the header (case,
spaces, punctuation) and look it up in header_table.py (synonyms and real export headers); anything unknown
becomes a custom property whose type is guessed from sample values. Mappings are saved as small JSON
files in the workbench data dir, one per name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from klaviyo_core.paths import data_dir, write_private_text
from klaviyo_core.profiles.header_table import CONSENT_TARGETS, LOOKUP, PROPERTY_TYPES_BY_HEADER, text_only

IDENTIFIER_FIELDS = ("email", "phone_number", "external_id")
#: The profile's own attributes and its location (spec: ProfileCreateQueryResourceObject), in the order pages
#: list them; the audience export reads the same names (audiences/export_fields.py).
PERSON_FIELDS = ("first_name", "last_name", "organization", "title", "locale", "image")
LOCATION_FIELDS = (
    "location.address1",
    "location.address2",
    "location.city",
    "location.region",
    "location.country",
    "location.zip",
    "location.timezone",
    "location.latitude",
    "location.longitude",
    "location.ip",
)
STANDARD_FIELDS = (*IDENTIFIER_FIELDS, *PERSON_FIELDS, *LOCATION_FIELDS)
PROPERTY_TYPES = ("text", "number", "boolean", "date", "list")
IGNORE = "ignore"

_NAME_OK = re.compile(r"^[\w .-]{1,64}$")


def normalise_header(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.casefold())


@dataclass(frozen=True)
class ColumnMapping:
    column: str
    target: str  # a STANDARD_FIELDS name, "properties.<name>", "consent.email|sms" or "ignore"
    type: str = "text"  # for custom properties only

    @property
    def is_property(self) -> bool:
        return self.target.startswith("properties.")

    @property
    def is_consent(self) -> bool:
        return self.target.startswith("consent.")

    @property
    def property_name(self) -> str:
        return self.target.split(".", 1)[1]


class MappingError(ValueError):
    pass


@dataclass(frozen=True)
class Mapping:
    columns: tuple[ColumnMapping, ...]

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for col in self.columns:
            check_target(col)
            if col.target != IGNORE and col.target in seen:
                raise MappingError(f"Columns '{seen[col.target]}' and '{col.column}' both map to {col.target}.")
            seen[col.target] = col.column

    def active(self) -> list[ColumnMapping]:
        """The columns that fill profile fields (consent columns decide subscriptions, see `consent_columns`)."""
        return [c for c in self.columns if c.target != IGNORE and not c.is_consent]

    def consent_columns(self) -> dict[str, str]:
        """Channel -> the column whose yes-values say which rows consent to it (mapped to consent.<channel>)."""
        return {c.target.split(".", 1)[1]: c.column for c in self.columns if c.is_consent}

    def column_for(self, target: str) -> str | None:
        return next((c.column for c in self.columns if c.target == target), None)

    def has_identifier(self) -> bool:
        return any(self.column_for(f) for f in IDENTIFIER_FIELDS)

    def to_json(self) -> list[dict[str, str]]:
        return [asdict(c) for c in self.columns]

    @classmethod
    def from_json(cls, doc: Iterable[dict[str, str]]) -> Mapping:
        return cls(tuple(ColumnMapping(d["column"], d["target"], d.get("type", "text")) for d in doc))

    def with_overrides(self, overrides: dict[str, ColumnMapping]) -> Mapping:
        """This mapping with some columns re-targeted (later targets win over an earlier duplicate)."""
        taken = {o.target for o in overrides.values() if o.target != IGNORE}
        cols = []
        for col in self.columns:
            if col.column in overrides:
                cols.append(overrides[col.column])
            elif col.target in taken:
                cols.append(ColumnMapping(col.column, IGNORE))
            else:
                cols.append(col)
        return Mapping(tuple(cols))


def check_target(col: ColumnMapping) -> None:
    if col.target == IGNORE or col.target in STANDARD_FIELDS or col.target in CONSENT_TARGETS:
        return
    if col.is_consent:
        raise MappingError(
            f"Unknown consent target '{col.target}' for column '{col.column}'; "
            f"use {' or '.join(CONSENT_TARGETS)} (the 'consent.' prefix is reserved)."
        )
    if col.is_property and col.property_name.strip():
        if col.type not in PROPERTY_TYPES:
            raise MappingError(f"Unknown type '{col.type}' for column '{col.column}'; use one of {PROPERTY_TYPES}.")
        return
    raise MappingError(
        f"Unknown target '{col.target}' for column '{col.column}'. Use a profile field "
        f"({', '.join(STANDARD_FIELDS)}), {', '.join(CONSENT_TARGETS)}, 'properties.<name>' or 'ignore'."
    )


_BOOL = {"true", "false", "yes", "no", "y", "n", "1", "0", "t", "f"}


def guess_type(values: pd.Series, header: str = "") -> str:
    """The custom-property type that fits all non-empty sample values (text when unsure).

    Never "number" for a phone-like or id-like header (a leading + or 0 would be lost), nor for values
    with a leading + or 0; a header some export documents keeps that export's type."""
    name = normalise_header(header)
    if name in PROPERTY_TYPES_BY_HEADER:
        return PROPERTY_TYPES_BY_HEADER[name]
    sample = values.astype(str).str.strip()
    sample = sample[sample != ""]
    if sample.empty:
        return "text"
    lowered = sample.str.lower()
    if lowered.isin(_BOOL).all() and not lowered.isin({"1", "0"}).all():
        return "boolean"
    leading = sample.str.match(r"^'?[+0]\d").any()
    if not text_only(name) and not leading and pd.to_numeric(sample, errors="coerce").notna().all():
        return "number"
    if sample.str.contains(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", regex=True).all():
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
        if parsed.notna().all():
            return "date"
    if sample.str.startswith("[").all() or sample.str.contains(";").all():
        return "list"
    return "text"


def suggest_mapping(columns: Iterable[str], sample: pd.DataFrame | None = None) -> Mapping:
    """One suggestion per column: known headers to profile fields (a rank-0 spelling beats a rank-1 one
    wherever it stands), consent columns to consent.<channel>, the rest to typed custom properties."""
    columns = list(columns)
    best: dict[str, tuple[int, int]] = {}  # target -> (rank, position) of the column that gets it
    for pos, column in enumerate(columns):
        found = LOOKUP.get(normalise_header(column))
        if found and (found[0] not in best or (found[1], pos) < best[found[0]]):
            best[found[0]] = (found[1], pos)
    winners = {pos: target for target, (_rank, pos) in best.items()}
    out = []
    for pos, column in enumerate(columns):
        if pos in winners:
            out.append(ColumnMapping(column, winners[pos]))
            continue
        values = sample[column] if sample is not None and column in sample else pd.Series([], dtype=object)
        out.append(ColumnMapping(column, f"properties.{column.strip()}", guess_type(values, column)))
    return Mapping(tuple(out))


def parse_map_option(text: str) -> ColumnMapping:
    """`"CSV col=field"`, `"Points=properties.points:number"`, `"Notes=ignore"` (the CLI's --map)."""
    if "=" not in text:
        raise MappingError(f'--map \'{text}\' should look like "CSV column=field", e.g. "E-mail=email".')
    column, _, target = text.rpartition("=")
    target, _, type_ = target.strip().partition(":")
    known = (*STANDARD_FIELDS, IGNORE)
    if target not in known and not target.startswith(("properties.", "consent.")):
        target = f"properties.{target}"
    col = ColumnMapping(column.strip(), target, type_.strip() or "text")
    check_target(col)
    return col


class MappingStore:
    """Saved mappings, one JSON file per name, reusable across imports of the same export."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = (directory or data_dir("profiles")) / "mappings"

    def _path(self, name: str) -> Path:
        if not _NAME_OK.match(name) or name.startswith("."):
            raise MappingError("A mapping name is 1-64 letters, digits, spaces, dots, dashes or underscores.")
        return self.directory / f"{name}.json"

    def save(self, name: str, mapping: Mapping) -> Path:
        path = self._path(name)
        tmp = path.with_suffix(".tmp")
        write_private_text(tmp, json.dumps({"name": name, "columns": mapping.to_json()}, indent=2))
        tmp.replace(path)
        return path

    def load(self, name: str) -> Mapping:
        path = self._path(name)
        if not path.exists():
            known = ", ".join(self.names()) or "none saved yet"
            raise MappingError(f"No saved mapping called '{name}' (known: {known}).")
        return Mapping.from_json(json.loads(path.read_text(encoding="utf-8"))["columns"])

    def names(self) -> list[str]:
        if not self.directory.exists():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json"))

    def apply(self, name: str, columns: Iterable[str], sample: pd.DataFrame | None = None) -> Mapping:
        """A saved mapping fitted to a file: saved columns reused, new columns suggested, missing ones dropped."""
        saved = {c.column: c for c in self.load(name).columns}
        suggested = suggest_mapping(columns, sample)
        return suggested.with_overrides({c: saved[c] for c in columns if c in saved})
