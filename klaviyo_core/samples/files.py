"""Sample and template CSV files a new user can download from Home and try on the sandbox at once.

Why here and not as files on disk: each sample is built from the feature that reads it (the tag templates
from `klaviyo_core.tags`, the event columns from `klaviyo_core.events`), and tests read every sample back
through that feature, so a sample can never drift into a file its own page refuses. Everything goes through
the one CSV writer.
"""

from __future__ import annotations

from dataclasses import dataclass

from klaviyo_core.csvfile.write import csv_text
from klaviyo_core.tags import TEMPLATE_FILES, Shape, template_csv

PROFILE_ROWS = [
    ["Email", "First Name", "Last Name", "Phone", "City", "Country", "Accepts Email Marketing", "Favorite Color"],
    ["ana.sample@example.com", "Ana", "Silva", "+14155550101", "San Francisco", "US", "yes", "blue"],
    ["ben.sample@example.com", "Ben", "Okafor", "+442071838750", "London", "GB", "no", "green"],
    ["chloe.sample@example.com", "Chloé", "Martin", "", "Lyon", "FR", "yes", "red"],
]
_ME = "you+klaviyo-test@yourcompany.com"
EVENT_ROWS = [  # past times with a zone and an id per row: loading the file twice adds nothing
    ["metric", "email", "value", "value_currency", "time", "unique_id", "ProductName"],
    ["Viewed Product", _ME, "", "", "2026-11-20T10:00:00+01:00", "sample-view-1001", "Canvas Tote Bag"],
    ["Placed Order", _ME, "29.00", "USD", "2026-11-20T10:05:00+01:00", "sample-order-1001", "Canvas Tote Bag"],
]


@dataclass(frozen=True)
class SampleFile:
    title: str  # what the download button says
    filename: str
    page: str  # the page that reads it, as the navigation names it
    text: str


def sample_files() -> list[SampleFile]:
    """Profiles, events, and one template per tag file shape, in the order a first day uses them."""
    files = [
        SampleFile("Sample profiles", "sample-profiles.csv", "Profile upload", csv_text(PROFILE_ROWS)),
        SampleFile("Sample events", "sample-events.csv", "Test events", csv_text(EVENT_ROWS)),
    ]
    files += [
        SampleFile(f"Tag template: {shape.value}", TEMPLATE_FILES[shape], "Tag upload", template_csv(shape))
        for shape in (Shape.ASSIGNMENTS, Shape.GROUPS, Shape.PROFILE_LABELS)
    ]
    return files
