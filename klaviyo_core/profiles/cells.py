"""What a cell means before its field's check: placeholders for "nothing", countries, money, consent.

Why: store exports write "N/A" or "-" for an empty value, "$1,234.50" for money, "2028,16" in a semicolon
(European) file, "GB" or "United Kingdom" in a country column, "yes" or "SUBSCRIBED" in a consent column.
Each of those made a whole customer fail before. These helpers run vectorised on Arrow arrays and touch
only the cells that can need it (short cells for placeholders, non-plain ones for numbers).
"""

from __future__ import annotations

import re

import numpy as np
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from klaviyo_core.profiles.arrow_text import STR, bool_mask, offsets_of, replaced

# Cells that mean "no value": treated exactly like an empty cell (the field is left out of the profile).
BLANK_WORDS = ("n/a", "-", "null", "none", "--", "#n/a")

# A consent cell says yes only when the whole cell (trimmed, any case) is one of these. Everything else,
# blank, "no", "UNSUBSCRIBED", "NEVER_SUBSCRIBED", "pending", is not consent (and never an unsubscribe).
YES_WORDS = (
    *("yes", "y", "true", "t", "1", "x", "on", "subscribed", "opted in", "opted-in", "optedin"),
    *("opt in", "opt-in", "optin", "accepts", "accepted", "ja", "oui", "si", "sí"),
)

_COUNTRY_NAMES = {
    **{"usa": "US", "united states": "US", "united states of america": "US", "america": "US", "u.s.": "US"},
    **{"uk": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB"},
    **{"northern ireland": "GB", "britain": "GB", "gbr": "GB", "deu": "DE", "germany": "DE", "deutschland": "DE"},
    **{"france": "FR", "fra": "FR", "spain": "ES", "españa": "ES", "espana": "ES", "italy": "IT", "italia": "IT"},
    **{"netherlands": "NL", "the netherlands": "NL", "holland": "NL", "nederland": "NL", "belgium": "BE"},
    **{"switzerland": "CH", "schweiz": "CH", "suisse": "CH", "austria": "AT", "österreich": "AT", "ireland": "IE"},
    **{"canada": "CA", "can": "CA", "mexico": "MX", "méxico": "MX", "brazil": "BR", "brasil": "BR"},
    **{"argentina": "AR", "colombia": "CO", "chile": "CL", "peru": "PE", "australia": "AU", "aus": "AU"},
    **{"new zealand": "NZ", "japan": "JP", "china": "CN", "india": "IN", "south africa": "ZA", "singapore": "SG"},
    **{"sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO", "denmark": "DK", "danmark": "DK"},
    **{"finland": "FI", "suomi": "FI", "poland": "PL", "polska": "PL", "portugal": "PT", "greece": "GR"},
    **{"czech republic": "CZ", "czechia": "CZ", "hungary": "HU", "romania": "RO", "turkey": "TR", "türkiye": "TR"},
    **{"israel": "IL", "united arab emirates": "AE", "uae": "AE", "saudi arabia": "SA", "south korea": "KR"},
    **{"korea": "KR", "hong kong": "HK", "taiwan": "TW", "philippines": "PH", "indonesia": "ID", "malaysia": "MY"},
    **{"thailand": "TH", "vietnam": "VN", "nigeria": "NG", "kenya": "KE", "egypt": "EG", "luxembourg": "LU"},
}


def blank_placeholders(arr: pa.LargeStringArray) -> pa.LargeStringArray:
    """The trimmed cells with "N/A", "-", "null", "none" (any case) made empty; only cells of <= 4
    characters are looked at, so a column without such cells costs one pass over its offsets."""
    short = np.diff(offsets_of(arr)) <= 4
    short &= np.diff(offsets_of(arr)) > 0
    if not short.any():
        return arr
    lowered = pc.utf8_lower(arr.filter(bool_mask(short)))
    hit = pc.is_in(lowered, value_set=pa.array(BLANK_WORDS, type=STR)).to_numpy(zero_copy_only=False)
    if not hit.any():
        return arr
    where = np.zeros(len(arr), dtype=bool)
    where[np.flatnonzero(short)[hit]] = True
    return replaced(arr, where, pa.array([""] * int(where.sum()), type=STR))


def consent_yes(arr: pa.LargeStringArray) -> np.ndarray:
    """Where a trimmed consent cell says yes (see YES_WORDS)."""
    lowered = pc.utf8_lower(arr)
    yes: np.ndarray = pc.is_in(lowered, value_set=pa.array(YES_WORDS, type=STR)).to_numpy(zero_copy_only=False)
    return yes


def country_code(value: str) -> str:
    """The ISO 3166 alpha-2 code phonenumbers knows for a country cell ("" when it cannot tell)."""
    text = value.strip().casefold()
    if len(text) == 2 and text.upper() in phonenumbers.SUPPORTED_REGIONS:
        return text.upper()
    code = _COUNTRY_NAMES.get(text, "")
    return code if code in phonenumbers.SUPPORTED_REGIONS else ""


def country_codes(arr: pa.LargeStringArray) -> np.ndarray:
    """ISO code per row (object array; "" where the cell is empty or not a country), once per distinct value."""
    coded = pc.dictionary_encode(arr)
    codes = np.array([country_code(v or "") for v in coded.dictionary.to_pylist()] + [""], dtype=object)
    indices = coded.indices.to_numpy(zero_copy_only=False)
    return np.asarray(codes[indices], dtype=object)


_CURRENCY = r"[$€£¥₹₩₽¤]|\b(?:USD|EUR|GBP|CAD|AUD|CHF|JPY|SEK|NOK|DKK)\b"


def money_text(s: list[str], decimal_comma: bool) -> list[str]:
    """Numbers as written in stores and spreadsheets, made plain: currency symbols and codes, spaces and
    thousands separators removed; with `decimal_comma` (semicolon files), "1.234,50" -> "1234.50"."""
    out = []
    currency = re.compile(_CURRENCY)
    for value in s:
        text = currency.sub("", value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
        if decimal_comma:
            if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?", text) or re.fullmatch(r"[+-]?\d+(,\d+)?", text):
                text = text.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        out.append(text)
    return out
