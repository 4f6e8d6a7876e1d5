"""The History page in AppTest: a catalog apply made on the Catalog page is listed (newest first) with its
counts, status and target, its report can be downloaded again, and the profile upload page links here."""

from __future__ import annotations

import uuid

from tests.app.conftest import open_page

HISTORY = "klaviyo_app/app_pages/history.py"


def test_a_catalog_apply_is_listed_with_its_report() -> None:
    name = f"products-{uuid.uuid4().hex[:8]}.csv"
    sku = f"SKU-{uuid.uuid4().hex[:8]}"
    text = f"external_id,title,description,url,price\n{sku},Shirt,Cotton,https://shop.example.com/p/1,42\n"
    at = open_page("klaviyo_app/app_pages/catalog.py")
    at.file_uploader(key="catalog_file").set_value((name, text.encode(), "text/csv"))
    at.run()
    at.button(key="catalog_apply").click().run()
    assert not at.exception, at.exception

    at = open_page(HISTORY)
    table = at.dataframe[0].value
    first = table.iloc[0]
    assert (first["kind"], first["file"], first["status"]) == ("catalog apply", name, "done")
    assert (first["sent"], first["ok"], first["failed"]) == (1, 1, 0)
    assert "sandbox" in first["target"]
    picked = at.selectbox(key="history_pick")
    assert name in picked.format_func(picked.value)  # the newest run with a report is picked first
    assert at.get("download_button"), "the report can be downloaded again"


def test_the_profile_upload_page_links_to_history() -> None:
    at = open_page("klaviyo_app/app_pages/profiles_upload.py")
    links = [e for e in at.get("page_link")]
    assert any("History" in link.proto.label for link in links)


def test_it_says_which_writes_it_lists_and_which_not() -> None:
    """A marketer who just unsubscribed people on Consent looks for that run here: the page says consent changes
    are listed, and which writes are not (new lists, opt-in changes)."""
    at = open_page(HISTORY)
    text = " ".join(c.value for c in at.caption)
    assert "consent change" in text and "New lists and opt-in changes are not listed" in text, text
