"""The progress line the page and the CLI both show, in each stage of an import."""

from __future__ import annotations

from klaviyo_core.profiles.progress import Progress


def test_reading_before_any_job() -> None:
    p = Progress("reading", message="looking for people who appear twice: 20,000 rows read", reading=True)
    assert p.text() == "Reading and validating... looking for people who appear twice: 20,000 rows read"
    assert p.share == 0.0


def test_sending_while_reading() -> None:
    p = Progress(
        "sending", 10_000, 10_000, 1, 1, message="validating: 20,000 of 300,000 rows", reading=True,
        rows_read=20_000, rows_total=300_000, wait_seconds=0.5,
    )  # fmt: skip
    assert p.text() == (
        "Sending while reading the file: 10,000 rows in 1 job sent · validating: 20,000 of 300,000 rows"
        " · 0.5 s waiting for rate limits"
    )
    assert p.share == 20_000 / 300_000


def test_waiting_for_jobs_after_reading() -> None:
    p = Progress("waiting", 100, 100, 4, 4, 1, eta_seconds=12.4)
    assert p.text(sep=", ") == "waiting: 100/100 rows sent, 1/4 jobs done, about 12 s left"
    assert p.share == 0.25
