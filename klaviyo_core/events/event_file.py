"""An events CSV as people have it: the encoding Excel wrote, a comma, semicolon or tab between cells, decimal
commas in a semicolon file, and property columns typed as a profile import types them.

Why typed: a property loaded as the text "49.90" cannot be summed or compared in a segment ("Total > 40"), and a
"true" that is text is not a boolean. The types are guessed from the column as for profiles
(`profiles.mapping.guess_type`) and can be overridden per column; the values are converted by the same functions
the profile import uses, so a file means the same thing on both pages. A cell that does not fit its column's type
loses that property for that row only (a warning), never the event: a bad optional field drops the field.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
from charset_normalizer import from_bytes

from klaviyo_core.csvfile.sniff import sniff_delimiter
from klaviyo_core.profiles.cells import money_text
from klaviyo_core.profiles.fields import boolean_field, date_field, list_field, number_field
from klaviyo_core.profiles.mapping import PROPERTY_TYPES, guess_type

SAMPLE_CHARS = 64 * 1024
PROPERTY_TYPE_NAMES: list[str] = list(PROPERTY_TYPES)
TYPE_FIXES = {
    "number": "is not a number",
    "boolean": "is not yes/no, true/false or 1/0",
    "date": "is not a date",
}


class EventFileError(ValueError):
    """The file cannot be read at all; the message says what to do."""


@dataclass(frozen=True)
class EventFile:
    """Stripped cells per data row (1-based numbering is the row's position), and how the file was written."""

    headers: list[str]
    rows: list[dict[str, str]]
    delimiter: str

    @property
    def decimal_comma(self) -> bool:
        """Semicolon files come from spreadsheets set to a decimal comma (the profile import reads them so too)."""
        return self.delimiter == ";"


@dataclass(frozen=True)
class DroppedProperty:
    """A cell that did not fit its column's type: the event goes without that property."""

    row: int
    column: str
    value: str
    why: str


def decode_upload(data: bytes) -> str:
    """UTF-8 (with or without BOM), else the best guess (Excel's Windows-1252, UTF-16...)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise EventFileError("This file is not text: upload a CSV file.") from None
        return str(best)


def read_event_text(text: str) -> EventFile:
    """The file's rows with the delimiter sniffed from its start (Excel's `sep=` line honoured)."""
    text = text.lstrip("\ufeff")
    if text[:4].lower() == "sep=" and "\n" in text:
        first, _, text = text.partition("\n")
        delimiter = first.strip()[4:5] or ","
    else:
        delimiter = sniff_delimiter(text[:SAMPLE_CHARS])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = [h.strip() for h in next(reader, [])]
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        rows.append({h: c.strip() for h, c in zip(headers, cells, strict=False) if h})
    return EventFile([h for h in headers if h], rows, delimiter)


def plain_money(value: str, decimal_comma: bool) -> str:
    """ "1.234,50" (semicolon files), "$1,234.50", "49,90 €" -> a plain number text; other text unchanged."""
    if not value or value.replace(".", "", 1).lstrip("+-").isdigit():
        return value
    return money_text([value], decimal_comma)[0]


def guess_property_types(file: EventFile, columns: Iterable[str], given: Mapping[str, str]) -> dict[str, str]:
    """Each property column's type: what the user gave, else the profile import's guess from the values."""
    out: dict[str, str] = {}
    for column in columns:
        chosen = given.get(column)
        if chosen is not None:
            if chosen not in PROPERTY_TYPES:
                raise EventFileError(f"Unknown type '{chosen}' for column '{column}'; use one of {PROPERTY_TYPES}.")
            out[column] = chosen
            continue
        values = pd.Series([row.get(column, "") for row in file.rows[:1000]], dtype=object)
        kind = guess_type(values, column)
        if kind == "text" and file.decimal_comma:  # "49,90" is a number in a semicolon file
            money = values.map(lambda v: plain_money(str(v), True))
            kind = "number" if guess_type(money, column) == "number" else kind
        out[column] = kind
    return out


def _literals(kind: str, values: list[str], decimal_comma: bool) -> tuple[list[str], list[bool]]:
    s = pd.Series(values, dtype=object)
    arr = pa.array(values, type=pa.large_string())
    if kind == "number":
        lit, ok = number_field(s, arr, decimal_comma)
    elif kind == "boolean":
        lit, ok = boolean_field(arr)
    elif kind == "date":
        lit, ok = date_field(s, arr)
    else:
        lit, ok = list_field(arr)
    return [str(v) if v is not None else "" for v in lit.to_pylist()], [bool(x) for x in ok]


def typed_properties(file: EventFile, types: Mapping[str, str]) -> tuple[list[dict[str, Any]], list[DroppedProperty]]:
    """Per row, the property columns' values in their types (empty cells left out), and what was dropped."""
    out: list[dict[str, Any]] = [{} for _ in file.rows]
    dropped: list[DroppedProperty] = []
    for column, kind in types.items():
        values = [row.get(column, "") for row in file.rows]
        if kind == "text":
            for props, value in zip(out, values, strict=True):
                if value:
                    props[column] = value
            continue
        literals, ok = _literals(kind, values, file.decimal_comma)
        for number, (props, value, literal, good) in enumerate(zip(out, values, literals, ok, strict=True), 1):
            if not value:
                continue
            if good and literal:
                props[column] = json.loads(literal)
            else:
                why = f"{TYPE_FIXES.get(kind, 'does not fit')}: the event is sent without '{column}'"
                dropped.append(DroppedProperty(number, column, value, why))
    return out, dropped
