"""`catalog import --map` and the mapping saved on the Catalog page (issue 19 leftovers, part 1): an unknown
header is never guessed at, `--map` maps it (custom_metadata.<name>, categories), a saved mapping for the same
header is reused and named on stderr, `--no-saved-mapping` ignores it, bad options exit 2 naming the fix."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from klaviyo_core.catalog import CatalogMapping, CatalogMappingStore, MappingError, suggest_mapping
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.core.cli.test_cli import cli
from tests.sandbox.engine.helpers import call

DATA = Path(__file__).resolve().parents[2] / "data" / "catalog"
CUSTOM = str(DATA / "custom_columns.csv")
ITEM = "/api/catalog-items/$custom:::$default:::A-100"


def run(sandbox: SandboxServer, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"KLAVIYO_API_KEY": FULL_KEY, "KLAVIYO_WORKBENCH_HOME": str(home)}
    return cli("--base-url", sandbox.url, "catalog", "import", *args, env=env)


def _first_item(dry_run_stdout: str) -> dict[str, object]:
    body = json.loads(dry_run_stdout.split("First request: POST /api/catalog-item-bulk-create-jobs\n", 1)[1])
    return body["data"]["attributes"]["items"]["data"][0]  # type: ignore[no-any-return]


def test_an_unknown_header_needs_map_and_is_sent_as_mapped(sandbox: SandboxServer, tmp_path: Path) -> None:
    refused = run(sandbox, tmp_path, CUSTOM)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert '--map "Article No=external_id"' in refused.stderr  # the suggestion, written as options to copy
    done = run(
        sandbox,
        tmp_path,
        CUSTOM,
        "--map",
        "brand=custom_metadata.brand",  # any case or spacing of the column
        "--map",
        "Warehouse=custom_metadata",  # a bare custom_metadata: the key is the column's name
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "  Brand -> custom_metadata.brand\n" in done.stderr and "  Article No -> external_id\n" in done.stderr
    attributes = call(sandbox.url, "GET", ITEM).json()["data"]["attributes"]
    assert attributes["custom_metadata"] == {"brand": "Lumen", "Warehouse": "North"}
    assert attributes["title"] == "Desk Lamp" and attributes["price"] == 89.0


def test_map_to_categories_relates_items(sandbox: SandboxServer, tmp_path: Path) -> None:
    done = run(sandbox, tmp_path, CUSTOM, "--map", "Brand=categories")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "New categories: Lumen" in done.stdout
    related = call(sandbox.url, "GET", "/api/catalog-categories/$custom:::$default:::lumen/relationships/items")
    assert sorted(r["id"] for r in related.json()["data"]) == [
        "$custom:::$default:::A-100",
        "$custom:::$default:::A-101",
    ]


def test_a_mapping_saved_on_the_page_is_reused_and_named(sandbox: SandboxServer, tmp_path: Path) -> None:
    store = CatalogMappingStore(tmp_path / "catalog")  # where the page saves it under this home
    suggested = suggest_mapping(
        [
            "Article No",
            "Product Name",
            "Long Description",
            "Product Page",
            "Retail Price",
            "Main Picture",
            "Brand",
            "Warehouse",
        ]
    )
    saved = CatalogMapping(tuple((c, "custom_metadata.label" if c == "Brand" else t) for c, t in suggested.columns))
    path = store.save(saved)
    reused = run(sandbox, tmp_path, CUSTOM, "--dry-run")
    assert reused.returncode == 0, reused.stderr
    assert f"Using the mapping saved for these columns ({path})" in reused.stderr
    assert _first_item(reused.stdout)["attributes"]["custom_metadata"] == {"label": "Lumen"}  # type: ignore[index]
    overridden = run(sandbox, tmp_path, CUSTOM, "--dry-run", "--map", "Brand=ignore", "--map", "Warehouse=ignore")
    assert "custom_metadata" not in _first_item(overridden.stdout)["attributes"]  # type: ignore[operator]
    ignored = run(sandbox, tmp_path, CUSTOM, "--dry-run", "--no-saved-mapping")
    assert ignored.returncode == 2 and "Using the mapping saved" not in ignored.stderr and "--map" in ignored.stderr
    assert call(sandbox.url, "GET", "/api/catalog-items").json()["data"] == []


def test_bad_map_options_exit_2_with_the_fix(sandbox: SandboxServer, tmp_path: Path) -> None:
    unknown = run(sandbox, tmp_path, CUSTOM, "--map", "Colour=title")
    assert unknown.returncode == 2 and "Article No, Product Name" in unknown.stderr
    target = run(sandbox, tmp_path, CUSTOM, "--map", "Brand=brand")
    assert target.returncode == 2 and "custom_metadata.<name>" in target.stderr
    twice = run(sandbox, tmp_path, CUSTOM, "--map", "Brand=title")
    assert twice.returncode == 2 and "both go to title" in twice.stderr
    missing = run(sandbox, tmp_path, CUSTOM, "--map", "Product Page=ignore")
    assert missing.returncode == 2 and '--map "<column>=url"' in missing.stderr
    shopify = run(sandbox, tmp_path, str(DATA / "shopify_products.csv"), "--map", "Handle=external_id")
    assert shopify.returncode == 2 and "Shopify product export" in shopify.stderr
    assert "Traceback" not in unknown.stderr + target.stderr + twice.stderr + missing.stderr + shopify.stderr


def test_with_overrides_matches_columns_loosely_and_checks_targets() -> None:
    base = suggest_mapping(["SKU", "Name", "Notes"])
    assert dict(base.with_overrides(["  notes =custom_metadata"]).columns)["Notes"] == "custom_metadata.Notes"
    assert dict(base.with_overrides(["Notes=categories"]).columns)["Notes"] == "categories"
    with pytest.raises(MappingError, match="SKU, Name, Notes"):
        base.with_overrides(["no equals sign"])
