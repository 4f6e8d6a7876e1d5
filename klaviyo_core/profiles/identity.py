"""Who each row is, from the identifier columns alone: the key in-file duplicates are found by.

Why a module of its own: the importer reads the file twice. The first read only needs to know which
identities repeat, so that every row whose person appears once can be sent as soon as it is validated
(streaming) while the few repeated ones wait for the end of the file ("last wins" needs it). That read must
give exactly the key full validation gives (`validation.validate_chunk`), so it uses the same encoders and
the same key rule; it only skips every column that is not an identifier, and phone numbers wherever an
email decides the key anyway.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from klaviyo_core.profiles.mapping import IDENTIFIER_FIELDS, Mapping
from klaviyo_core.profiles.validate import ValidationOptions, identifier_keys


def identity_keys(frame: pd.DataFrame, mapping: Mapping, options: ValidationOptions) -> pd.Series:
    """The key `validate_chunk` gives each row that turns out valid ("" where no identifier is usable).

    Rows that full validation rejects may get a key here too; that only makes them look repeated, which is
    the safe side (a repeated row waits for the end of the file instead of being sent at once).
    """
    wanted = (*IDENTIFIER_FIELDS, "location.country")  # phones are read for the row's country
    columns = {c.target: c.column for c in mapping.active() if c.target in wanted}
    return identifier_keys(frame, columns, options)


def key_hashes(keys: pd.Series) -> np.ndarray:
    """64-bit hashes of keys (8 bytes a row in memory); `categorize=False` is 6x faster on unique keys."""
    if not len(keys):
        return np.array([], dtype=np.uint64)
    hashes: np.ndarray = pd.util.hash_pandas_object(keys, index=False, categorize=False).to_numpy()
    return hashes


def identity_hashes(frame: pd.DataFrame, mapping: Mapping, options: ValidationOptions) -> tuple[np.ndarray, np.ndarray]:
    """(lines, hashes) of the rows that have an identity, in file order."""
    keys = identity_keys(frame, mapping, options)
    known = keys[keys != ""]
    return known.index.to_numpy(dtype=np.int64), key_hashes(known)
