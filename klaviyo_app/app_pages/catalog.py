"""Catalog: product file (our template, a store export, a feed, or mapped columns) and optionally a variants
file (the plain variants template) -> plan against the account (items, variants, deletes when asked) -> apply
as bulk jobs with progress -> report."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from klaviyo_app.ui.catalog_mapping import catalog_file_from_upload
from klaviyo_app.ui.client import get_client, get_target
from klaviyo_app.ui.confirm import confirm_box, confirmed_write
from klaviyo_app.ui.errors import guarded
from klaviyo_app.ui.text import md_escape, show_text
from klaviyo_core.catalog import (
    DELETE,
    FEED_WARNING,
    TEMPLATE_COLUMNS,
    VARIANT_COLUMNS,
    CatalogFile,
    CatalogFileError,
    CatalogPlan,
    CatalogResult,
    SourceRow,
    apply_catalog,
    plan_catalog,
    read_variants_file,
    report_csv,
    report_rows,
)

PLAN_KEY = "catalog_plan"  # (digest of file + store URL + account, CatalogPlan)
RESULT_KEY = "catalog_result"  # (same digest, CatalogResult)

st.title("Catalog")
st.caption(
    f"Upload our template ({', '.join(TEMPLATE_COLUMNS)}, optionally categories), Shopify's or WooCommerce's "
    "product export, a Google Merchant Center feed, or any product CSV whose columns you map. Only products and "
    "variants that changed are written, in bulk jobs of up to 100."
)
with guarded() as identifying:
    TARGET = get_target()
if identifying.failed:
    st.stop()


def _plan(
    digest: str, catalog_file: CatalogFile, variants: tuple[SourceRow, ...] | None, delete_missing: bool
) -> CatalogPlan | None:
    stored = st.session_state.get(PLAN_KEY)
    if stored and stored[0] == digest and not st.button("Plan again (reads only)", key="catalog_replan"):
        return stored[1]  # type: ignore[no-any-return]
    with guarded() as planning, st.spinner("Reading the account's catalog…"):
        planned = plan_catalog(
            get_client(), catalog_file, target=TARGET, variants=variants, delete_missing=delete_missing
        )
        st.session_state[PLAN_KEY] = (digest, planned)
        st.session_state.pop(RESULT_KEY, None)
    return None if planning.failed else st.session_state[PLAN_KEY][1]


def _apply(digest: str, plan: CatalogPlan) -> None:
    show_text("info", FEED_WARNING)
    effect = plan.effect()
    ready = confirm_box(TARGET, effect, "catalog_confirm")
    if not st.button(f"Apply {plan.writes} change(s)", key="catalog_apply", type="primary", disabled=not ready):
        return
    bar = st.progress(0.0, text="Sending jobs…")

    def show(done: int, total: int, message: str) -> None:
        bar.progress(done / max(total, 1), text=md_escape(f"{done} of {total}: {message}"))

    result = confirmed_write(
        TARGET,
        effect,
        "catalog_confirm",
        lambda token: apply_catalog(
            get_client(),
            plan,
            target=TARGET,
            confirmation=token,
            on_progress=show,
            file_name=getattr(st.session_state.get("catalog_file"), "name", ""),
        ),
    )
    if result is not None:
        st.session_state[RESULT_KEY] = (digest, result)


def _result(digest: str) -> CatalogResult | None:
    stored = st.session_state.get(RESULT_KEY)
    return stored[1] if stored and stored[0] == digest else None


def _results(digest: str, plan: CatalogPlan) -> None:
    if _result(digest) is None and plan.writes:
        _apply(digest, plan)
    result = _result(digest)
    if result is not None:
        (st.success if result.ok else st.error)(", ".join(f"{n} {s}" for s, n in result.counts().items()))
    elif not plan.writes:
        st.success("Nothing to change: the catalog already matches this file.")
    st.dataframe(pd.DataFrame(report_rows(plan, result)), hide_index=True, key="catalog_rows")
    st.download_button(
        "Download the report (CSV)",
        report_csv(plan, result),
        "catalog-report.csv",
        "text/csv",
        key="catalog_report",
        on_click="ignore",
    )


def _counts(plan: CatalogPlan, delete_missing: bool) -> None:
    """Plan counts per action for items, and for variants when the file has any."""
    for kind, prefix in (("item", ""), ("variant", "variants ")):
        counts = plan.counts(kind)
        if kind == "variant" and not (plan.variants or counts[DELETE]):
            continue
        shown = {a: n for a, n in counts.items() if a != DELETE or delete_missing}
        for col, (action, n) in zip(st.columns(len(shown)), shown.items(), strict=True):
            col.metric(prefix + action, n)
    if plan.new_categories:
        show_text("info", f"New categories: {', '.join(plan.new_categories.values())}")


store_url = st.text_input("Store address (Shopify and WooCommerce exports)", placeholder="https://shop.example.com")
uploaded = st.file_uploader("Product CSV", type=["csv", "tsv", "txt"], key="catalog_file")
variants_upload = st.file_uploader(
    "Variants CSV (optional)",
    type=["csv", "tsv", "txt"],
    key="catalog_variants_file",
    help=f"One row per variant: {', '.join(VARIANT_COLUMNS)} (the last three may be left out).",
)
delete_missing = st.checkbox(
    "Also delete the products and variants the account has and this file does not name",
    key="catalog_delete_missing",
    help="Shown in the plan first and counted in the confirmation; nothing is deleted unless this is ticked.",
)


def _variants(catalog_file: CatalogFile) -> tuple[tuple[SourceRow, ...] | None, bool]:
    """The variants file's rows (None without one) and whether they can be used; explained on the page."""
    if variants_upload is None:
        return None, True
    try:
        rows = read_variants_file(variants_upload.getvalue())
    except CatalogFileError as exc:
        show_text("error", f"The variants file cannot be used: {exc}")
        return None, False
    replaced = f", instead of the {len(catalog_file.variants)} in the product file" if catalog_file.variants else ""
    st.caption(f"Variants file: {len(rows)} variant(s){replaced}.")
    return rows, True


read = catalog_file_from_upload(uploaded.getvalue(), store_url) if uploaded is not None else None
variant_rows, variants_ok = _variants(read[0]) if read is not None else (None, True)
if uploaded is not None and read is not None and variants_ok:
    data, (catalog_file, how) = uploaded.getvalue(), read
    variants_data = variants_upload.getvalue() if variants_upload is not None else b""
    options = f"{store_url}\n{delete_missing}\n{TARGET.label()}\n{how}".encode()
    digest = hashlib.sha256(data + options + hashlib.sha256(variants_data).digest()).hexdigest()
    plan = _plan(digest, catalog_file, variant_rows, delete_missing)
    if plan is not None:
        _counts(plan, delete_missing)
        _results(digest, plan)
