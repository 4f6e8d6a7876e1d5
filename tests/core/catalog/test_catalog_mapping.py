"""Mapping any product file to the template (issue 19, part 2): suggestions, reading through the mapping,
saving per header signature and reusing it, refusing a mapping made for other columns."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from klaviyo_core.catalog import (
    IGNORE,
    CatalogFileError,
    CatalogMapping,
    CatalogMappingStore,
    MappingError,
    Source,
    apply_catalog,
    check_row,
    file_columns,
    header_signature,
    plan_catalog,
    read_catalog_file,
    suggest_mapping,
)
from klaviyo_core.http.client import KlaviyoClient
from klaviyo_core.http.config import ClientConfig
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY

DATA = Path(__file__).resolve().parents[2] / "data" / "catalog"


def test_suggestions_from_common_spellings_and_unknown_columns_ignored() -> None:
    columns = file_columns((DATA / "custom_columns.csv").read_bytes())
    suggested = suggest_mapping(columns)
    assert dict(suggested.columns) == {
        "Article No": "external_id",
        "Product Name": "title",
        "Long Description": "description",
        "Product Page": "url",
        "Retail Price": "price",
        "Main Picture": "image_url",
        "Brand": IGNORE,
        "Warehouse": IGNORE,
    }
    assert suggested.missing() == []


def test_the_best_spelling_wins_a_target_wherever_it_stands() -> None:
    suggested = suggest_mapping(["SKU", "Name", "ID"])
    assert dict(suggested.columns) == {"SKU": IGNORE, "Name": "title", "ID": "external_id"}


def test_reading_through_a_mapping_with_custom_metadata() -> None:
    data = (DATA / "custom_columns.csv").read_bytes()
    columns = file_columns(data)
    mapping = CatalogMapping(
        tuple(
            (c, {"Brand": "custom_metadata.brand", "Warehouse": "custom_metadata.warehouse"}.get(c, t))
            for c, t in suggest_mapping(columns).columns
        )
    )
    read = read_catalog_file(data, mapping=mapping)
    assert read.source is Source.MAPPED
    lamp, floor = (check_row(r) for r in read.rows)
    assert lamp.ok and lamp.external_id == "A-100" and lamp.attributes["description"] == "Brass lamp, dimmable"
    assert lamp.attributes["custom_metadata"] == {"brand": "Lumen", "warehouse": "North"}
    assert floor.attributes["custom_metadata"] == {"brand": "Lumen"}  # an empty cell adds no key
    assert floor.attributes["price"] == 149.0 and "image_full_url" not in floor.attributes


def test_a_mapping_without_required_targets_or_for_other_columns_is_refused() -> None:
    data = (DATA / "custom_columns.csv").read_bytes()
    columns = file_columns(data)
    no_url = CatalogMapping(tuple((c, IGNORE if t == "url" else t) for c, t in suggest_mapping(columns).columns))
    assert no_url.missing() == ["url"]
    with pytest.raises(CatalogFileError, match="No column goes to url"):
        read_catalog_file(data, mapping=no_url)
    other = suggest_mapping(["id", "name", "description", "link"])
    with pytest.raises(CatalogFileError, match="other columns"):
        read_catalog_file(data, mapping=other)


def test_mapping_targets_are_checked() -> None:
    with pytest.raises(MappingError, match="both go to title"):
        CatalogMapping((("Name", "title"), ("Title", "title")))
    with pytest.raises(MappingError, match="use one of"):
        CatalogMapping((("Name", "name"),))
    with pytest.raises(MappingError):
        CatalogMapping((("Brand", "custom_metadata."),))


def test_saved_mapping_is_reused_for_the_same_header_only(tmp_path: Path) -> None:
    store = CatalogMappingStore(tmp_path)
    columns = ["Article No", "Product Name", "Long Description", "Product Page", "Brand"]
    assert store.load(columns) is None
    chosen = CatalogMapping(
        (
            ("Article No", "external_id"),
            ("Product Name", "title"),
            ("Long Description", "description"),
            ("Product Page", "url"),
            ("Brand", "custom_metadata.brand"),
        )
    )
    path = store.save(chosen)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["columns"][4] == {"column": "Brand", "target": "custom_metadata.brand"}
    respelled = ["article no", "Product  Name", "Long Description", "Product Page", "BRAND"]
    assert header_signature(respelled) == header_signature(columns)
    reused = store.load(respelled)
    assert reused is not None and reused.columns[4] == ("BRAND", "custom_metadata.brand")  # fitted to this header
    assert store.load([*columns, "Extra"]) is None
    path.write_text("{broken")
    assert store.load(columns) is None  # a damaged file: back to the suggestion


def test_mapped_metadata_round_trips_through_the_sandbox(sandbox: SandboxServer) -> None:
    client = KlaviyoClient(ClientConfig(api_key=FULL_KEY, base_url=sandbox.url))
    data = (DATA / "custom_columns.csv").read_bytes()
    columns = file_columns(data)
    mapping = CatalogMapping(
        tuple((c, "custom_metadata.brand" if c == "Brand" else t) for c, t in suggest_mapping(columns).columns)
    )
    plan = plan_catalog(client, read_catalog_file(data, mapping=mapping))
    assert plan.writes == 2 and apply_catalog(client, plan).ok
    lamp = client.get("/api/catalog-items/$custom:::$default:::A-100")["data"]["attributes"]
    assert lamp["custom_metadata"] == {"brand": "Lumen"} and lamp["price"] == 89.0
    assert plan_catalog(client, read_catalog_file(data, mapping=mapping)).writes == 0
