"""The progress line the page and the CLI both show, in each stage of an import (issue 13 item 8: words
for marketers, a bar that moves from the first second)."""

from __future__ import annotations

from pathlib import Path

from klaviyo_core.profiles.progress import Progress, estimate_rows


def test_first_read_moves_the_bar_against_an_estimate() -> None:
    p = Progress("reading", reading=True, scanning=True, rows_read=20_000, rows_total=200_000)
    assert p.text() == "Reading the file: 20,000 rows so far"
    assert 0 < p.share < 0.2  # moving already, before any row was checked


def test_sending_while_checking() -> None:
    p = Progress(
        "sending", 10_000, 10_000, 1, 1, reading=True, rows_read=20_000, rows_total=300_000, wait_seconds=0.5,
        problems=12, rows_confirmed=0,
    )  # fmt: skip
    assert p.text() == (
        "Checked 20,000 of 300,000 rows · sent 10,000 · confirmed by Klaviyo 0 · 12 problems so far"
        " · 0.5 s waiting for Klaviyo's rate limits"
    )
    assert 0.2 < p.share < 0.5


def test_waiting_for_klaviyo_after_reading() -> None:
    p = Progress("waiting", 100, 100, 4, 4, 1, eta_seconds=12.4, problems=1, rows_confirmed=25)
    assert p.text(sep=", ") == (
        "Sent 100 of 100 rows, confirmed by Klaviyo 25, 1 problem so far, about 12 s left"
    )  # fmt: skip
    assert p.share == 0.5 + 0.5 * 0.25


def test_dry_run_says_checked_never_sent() -> None:
    checking = Progress("reading", reading=True, rows_read=50, rows_total=100, problems=3, dry_run=True)
    assert checking.text() == "Checked 50 of 100 rows · 3 problems so far"
    assert checking.share == 0.75
    done = Progress("checked", rows_total=100, problems=3, dry_run=True)
    assert done.text() == "Checked 100 rows · 3 problems so far" and done.share == 1.0


def test_the_bar_never_goes_back() -> None:
    steps = [
        Progress("reading", reading=True, scanning=True, rows_read=0, rows_total=100),
        Progress("reading", reading=True, scanning=True, rows_read=100, rows_total=100),
        Progress("sending", 10, 10, 1, 1, reading=True, rows_read=50, rows_total=100),
        Progress("sending", 90, 90, 9, 9, 5, reading=True, rows_read=100, rows_total=100, rows_confirmed=50),
        Progress("waiting", 90, 90, 9, 9, 5, rows_confirmed=50),
        Progress("done", 90, 90, 9, 9, 9, rows_confirmed=90),
    ]
    shares = [p.share for p in steps]
    assert shares == sorted(shares) and shares[-1] == 1.0


def test_estimate_rows_from_the_size(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("email\n" + "".join(f"user{i:06d}@example.com\n" for i in range(100_000)))
    assert 90_000 < estimate_rows(path) < 110_000
    small = tmp_path / "s.csv"
    small.write_text("email\na@example.com\nb@example.com\n")
    assert estimate_rows(small) == 2


def test_consent_note_is_said_as_is() -> None:
    """Before consent goes out, the bar says what the tick will do (pipeline.consent_notes), nothing else."""
    note = "3 of 4 rows will be subscribed to email (column 'Accepts Email Marketing' says yes)."
    assert Progress("consent", 4, 4, 1, 1, 1, message=note, rows_confirmed=4).text() == note
