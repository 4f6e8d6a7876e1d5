"""The notebook façade (issue 21): a seeded sandbox or an account in, DataFrames out, errors in plain words."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from klaviyo_core import Workbench
from klaviyo_core.notebook import WorkbenchError
from klaviyo_sandbox import SandboxServer
from tests.conftest import FULL_KEY


@pytest.fixture(scope="module")
def wb() -> Iterator[Workbench]:
    with Workbench.sandbox(profiles=60) as workbench:
        yield workbench


def test_importing_the_core_loads_neither_the_notebook_nor_the_sandbox() -> None:
    code = (
        "import sys, klaviyo_core\n"
        "assert not {'klaviyo_core.notebook', 'klaviyo_sandbox', 'pandas'} & set(sys.modules), 'not lazy'\n"
        "from klaviyo_core import Workbench\n"
        "assert Workbench.__module__.startswith('klaviyo_core.notebook')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_lists_and_segments_are_dataframes(wb: Workbench) -> None:
    lists = wb.lists()
    assert isinstance(lists, pd.DataFrame)
    assert "Email Newsletter" in set(lists["name"])
    assert lists["id"].notna().all()
    segments = wb.segments()
    assert isinstance(segments, pd.DataFrame)
    assert "id" in segments.columns


def test_profiles_get_by_email_and_first_n(wb: Workbench) -> None:
    first = wb.profiles.get(limit=5)
    assert len(first) == 5
    email = first["email"].dropna().iloc[0]
    one = wb.profiles.get(email)
    assert list(one["email"]) == [email]
    assert wb.profiles.get("nobody@example.com").empty


def test_metrics_list_and_aggregate(wb: Workbench) -> None:
    metrics = wb.metrics.list()
    assert not metrics.empty
    name = metrics["name"].iloc[0]
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    daily = wb.metrics.aggregate(name, end - timedelta(days=30), end)
    assert {"date", "count"} <= set(daily.columns)
    assert daily["count"].sum() > 0  # the demo store has events in the last month


def test_unknown_metric_and_bad_query_say_what_to_do(wb: Workbench) -> None:
    end = datetime.now(UTC)
    with pytest.raises(WorkbenchError, match="What to do") as unknown:
        wb.metrics.aggregate("No Such Metric", end - timedelta(days=1), end)
    assert "'No Such Metric'" in str(unknown.value)
    name = wb.metrics.list()["name"].iloc[0]
    with pytest.raises(WorkbenchError, match="What to do"):
        wb.metrics.aggregate(name, end, end - timedelta(days=1))


def test_connect_uses_the_environment_key(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLAVIYO_API_KEY", FULL_KEY)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)
    wb = Workbench.connect()
    assert isinstance(wb.lists(), pd.DataFrame)
    assert FULL_KEY not in repr(wb)


def test_a_rejected_key_is_explained_without_the_key(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "pk_test_unknown_key_000000000000009"
    monkeypatch.setenv("KLAVIYO_API_KEY", wrong)
    monkeypatch.setenv("KLAVIYO_BASE_URL", sandbox.url)
    with pytest.raises(WorkbenchError, match="What to do") as caught:
        Workbench.connect().lists()
    assert wrong not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_campaign_report_is_a_dataframe_from_the_shared_cache(wb: Workbench) -> None:
    report = wb.reports.campaigns("last_30_days")
    assert {"campaign", "revenue_per_recipient"} <= set(report.columns)
    assert not report.empty and "budget" in report.attrs
    again = wb.reports.campaigns("last_30_days")
    assert again.attrs["from_cache"] and again.equals(report)
    with pytest.raises(WorkbenchError, match="last_30_days"):
        wb.reports.campaigns("last_fortnight")
    with pytest.raises(WorkbenchError, match="What to do"):
        wb.reports.campaigns(conversion_metric="No Such Metric")


def test_audience_export_by_name_with_fields_and_hashes(wb: Workbench) -> None:
    lists = wb.lists()
    name, list_id = lists["name"].iloc[0], lists["id"].iloc[0]
    members = wb.audiences.export(list=name, fields=["email", "location.city"], hashed="google")
    assert list(members.columns) == ["id", "email", "location.city", "email_sha256", "phone_sha256"]
    assert members.equals(wb.audiences.export(list=list_id, fields=["email", "location.city"], hashed="google"))
    plain = wb.audiences.export(segment=wb.segments()["name"].iloc[0])
    assert list(plain.columns) == ["id", "email", "phone_number"]
    with pytest.raises(WorkbenchError, match="exactly one"):
        wb.audiences.export()
    with pytest.raises(WorkbenchError, match="Known lists"):
        wb.audiences.export(list="No Such List")
    with pytest.raises(WorkbenchError, match="meta"):
        wb.audiences.export(list=name, hashed="tiktok")


def test_catalog_items(wb: Workbench) -> None:
    items = wb.catalog.items()
    assert {"id", "external_id", "title"} <= set(items.columns) and not items.empty
    assert len(wb.catalog.items(limit=1)) == 1
