"""Every downloadable sample reads back through the feature that uses it, without a problem."""

from __future__ import annotations

import io

import pandas as pd

from klaviyo_core.events import ImportColumns, plan_import
from klaviyo_core.profiles import suggest_mapping
from klaviyo_core.samples import sample_files
from klaviyo_core.tags import read_tag_file


def _by_page(page: str) -> list[str]:
    return [f.text for f in sample_files() if f.page == page]


def test_sample_profiles_map_every_column_without_help() -> None:
    (text,) = _by_page("Profile upload")
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    mapping = suggest_mapping(frame.columns, frame)
    targets = {c.column: c.target for c in mapping.columns}
    assert targets["Email"] == "email" and targets["First Name"] == "first_name"
    assert targets["Accepts Email Marketing"] == "consent.email"
    assert targets["Favorite Color"] == "properties.Favorite Color"


def test_sample_events_parse_without_errors() -> None:
    (text,) = _by_page("Test events")
    parsed = plan_import(text, ImportColumns(metric_column="metric"))
    assert not parsed.errors and parsed.recent == 0
    assert [e.metric for e in parsed.events] == ["Viewed Product", "Placed Order"]
    assert parsed.events[1].unique_id == "sample-order-1001"


def test_every_tag_template_reads() -> None:
    texts = _by_page("Tag upload")
    assert len(texts) == 3
    for text in texts:
        assert not read_tag_file(text.encode()).bad_rows


def test_file_names_are_unique_csv_names() -> None:
    names = [f.filename for f in sample_files()]
    assert len(set(names)) == len(names) and all(n.endswith(".csv") for n in names)
