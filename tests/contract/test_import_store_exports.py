"""Issue 13 against a real sandbox: store exports imported as suggested, consent per row, dry run = import."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from klaviyo_core.cli import app
from klaviyo_core.profiles.mapping import ColumnMapping
from klaviyo_core.profiles.pipeline import ImportOptions, import_profiles
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY
from tests.contract.test_import_profiles import admin, client_for, mapping_for, read_report, stored_profiles

EXPORTS = Path(__file__).parents[1] / "data" / "exports"
SHOPIFY = EXPORTS / "shopify_customers_export.csv"


def _consent(sandbox: SandboxServer, email: str) -> dict:  # type: ignore[type-arg]
    params = {"filter": f'equals(email,"{email}")', "additional-fields[profile]": "subscriptions"}
    return client_for(sandbox).get("/api/profiles", params)["data"][0]["attributes"]["subscriptions"]


@pytest.mark.parametrize(
    "name",
    ["shopify_customers_export.csv", "woocommerce_customers_export.csv", "mailchimp_subscribed_members_export.csv"],
)
def test_exports_import_as_suggested_and_the_dry_run_says_the_same(
    sandbox: SandboxServer, tmp_path: Path, name: str
) -> None:
    path = EXPORTS / name
    mapping = mapping_for(path)
    dry = import_profiles(None, path, mapping, ImportOptions(dry_run=True), data_dir=tmp_path / "dry")
    real = import_profiles(
        client_for(sandbox), path, mapping, ImportOptions(), data_dir=tmp_path / "real", poll_interval=0.02
    )
    assert dry.counts["valid"] == real.counts["imported"] == real.total  # every person imported
    assert dry.warned == real.warned == 1  # the row with a bad optional value, kept with a warning
    warned = [r for r in read_report(real.report_path) if r["reason"]]  # type: ignore[arg-type]
    assert len(warned) == 1 and warned[0]["status"] == "imported" and "left out" in warned[0]["reason"]
    assert len(stored_profiles(sandbox)) == real.total


def test_consent_follows_the_rows_column(sandbox: SandboxServer, tmp_path: Path) -> None:
    notes: list[str] = []
    result = import_profiles(
        client_for(sandbox),
        SHOPIFY,
        mapping_for(SHOPIFY),
        ImportOptions(subscribe=("email",)),
        data_dir=tmp_path / "data",
        poll_interval=0.02,
        on_progress=lambda p: notes.append(p.message) if p.stage == "consent" else None,
    )
    assert notes == ["3 of 6 rows will be subscribed to email (column 'Accepts Email Marketing' says yes)."]
    assert result.consent == tuple(notes)
    assert admin(sandbox, "POST", "/__sandbox/jobs/wait", {"timeout": 10})["idle"]
    subscribed = {"ann.lee@example.com", "cy.diaz@example.com", "eve.kim@example.com"}
    for email in ("ann.lee@example.com", "bob.ray@example.com", "cy.diaz@example.com", "dee.fox@example.com"):
        state = _consent(sandbox, email)["email"]["marketing"]["consent"]
        assert (state == "SUBSCRIBED") == (email in subscribed), email
    report = {r["Email"]: r["subscribed"] for r in read_report(result.report_path)}  # type: ignore[arg-type]
    assert {e for e, channels in report.items() if channels} == subscribed
    assert report["ann.lee@example.com"] == "email"


def test_ignoring_the_consent_column_makes_the_tick_file_wide(tmp_path: Path) -> None:
    ignored = {c: ColumnMapping(c, "ignore") for c in ("Accepts Email Marketing", "Accepts SMS Marketing")}
    mapping = mapping_for(SHOPIFY).with_overrides(ignored)
    options = ImportOptions(subscribe=("email", "sms"), dry_run=True)
    dry = import_profiles(None, SHOPIFY, mapping, options, data_dir=tmp_path)
    assert dry.consent == (
        "6 of 6 rows will be subscribed to email: no consent column is mapped, so the tick covers every "
        "imported row that has an email.",
        "3 of 6 rows will be subscribed to SMS: no consent column is mapped, so the tick covers every "
        "imported row that has a phone number.",  # the fifth row's phone is not one: left out
    )


def test_cli_says_how_many_rows_consent_covers_and_exits_0_with_warnings(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    args = ["--base-url", sandbox.url, "profiles", "import", str(SHOPIFY), "--data-dir", str(tmp_path / "d"), "-q"]
    result = CliRunner().invoke(app, [*args, "--subscribe", "email,sms"], env={"KLAVIYO_API_KEY": FULL_KEY})
    assert result.exit_code == 0, result.output
    assert "3 of 6 rows will be subscribed to email (column 'Accepts Email Marketing' says yes)." in result.output
    assert "1 of 6 rows will be subscribed to SMS (column 'Accepts SMS Marketing' says yes)." in result.output
    assert "6 rows: 6 imported" in result.stdout and "1 row was imported with a field left out" in result.stdout
    strict = CliRunner().invoke(
        app,
        [*args[:-3], "--data-dir", str(tmp_path / "s"), "-q", "--on-bad-field", "reject-row"],
        env={"KLAVIYO_API_KEY": FULL_KEY},
    )
    assert strict.exit_code == 1, strict.output
    assert "5 imported, 1 rejected" in strict.stdout


def test_cli_map_to_an_unknown_consent_channel_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["profiles", "import", str(SHOPIFY), "--dry-run", "--map", "Tags=consent.push", "--data-dir", str(tmp_path)],
    )
    assert result.exit_code == 2 and "reserved" in result.output


def test_counts_add_up(tmp_path: Path) -> None:
    dry = import_profiles(None, SHOPIFY, mapping_for(SHOPIFY), ImportOptions(dry_run=True), data_dir=tmp_path)
    assert dry.counts == Counter(valid=6)


def test_consent_per_row_survives_a_resume(sandbox: SandboxServer, tmp_path: Path) -> None:
    import threading

    from klaviyo_core.profiles.jobs import Limits
    from klaviyo_core.profiles.progress import Progress
    from klaviyo_core.profiles.sender import ImportStopped

    stop = threading.Event()

    def stop_after_one(p: Progress) -> None:
        if p.jobs_submitted >= 1:
            stop.set()

    limits = Limits(profiles_per_job=2)
    kwargs: dict[str, Any] = {"data_dir": tmp_path / "data", "limits": limits, "poll_interval": 0.02}
    options = ImportOptions(subscribe=("email",))
    mapping = mapping_for(SHOPIFY)
    with pytest.raises(ImportStopped):
        import_profiles(client_for(sandbox), SHOPIFY, mapping, options, on_progress=stop_after_one, stop=stop, **kwargs)
    result = import_profiles(client_for(sandbox), SHOPIFY, mapping, options, resume=True, **kwargs)  # type: ignore[arg-type]
    assert result.counts == Counter(imported=6)
    assert admin(sandbox, "POST", "/__sandbox/jobs/wait", {"timeout": 10})["idle"]
    report = {r["Email"]: r["subscribed"] for r in read_report(result.report_path)}  # type: ignore[arg-type]
    assert {e for e, channels in report.items() if channels} == {
        "ann.lee@example.com",
        "cy.diaz@example.com",
        "eve.kim@example.com",
    }
    assert _consent(sandbox, "bob.ray@example.com")["email"]["marketing"]["consent"] != "SUBSCRIBED"
