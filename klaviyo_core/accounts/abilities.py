"""What each page can and cannot do with a key, from the key test's verdicts (the Keys page's scope table).

Why a table per page: "this key cannot: upload profiles (profiles:write), read lists (lists:read)" makes a
marketer translate scopes into pages; the table answers the question they have ("can I use Tag upload?").
The capability labels are those of `probe.CAPABILITIES`; a denied one arrives as "label (scopes)".
"""

from __future__ import annotations

from collections.abc import Iterable

#: Page -> the key test's capabilities it uses (labels from probe.CAPABILITIES).
PAGE_NEEDS: dict[str, tuple[str, ...]] = {
    "Keys": ("read account details",),
    "Profile upload": ("upload profiles", "subscribe profiles to lists", "read lists", "read profiles"),
    "Tag upload": ("read tags", "create tags", "read lists", "read segments"),
    "Test events": ("send test events", "read events"),
    "Metrics": ("read metrics", "chart metrics"),
}
YES, PARTLY, NO = "yes", "partly", "no"


def _denied_labels(cannot: Iterable[str]) -> dict[str, str]:
    """label -> "label (scopes)" for each denied capability."""
    return {text.split(" (", 1)[0]: text for text in cannot}


def page_abilities(cannot: Iterable[str], unknown: Iterable[str] = ()) -> list[dict[str, str]]:
    """One row per page: usable (yes / partly / no), what it can do, what it cannot (with the missing scopes),
    and what the test could not check."""
    denied, unsure = _denied_labels(cannot), set(unknown)
    rows = []
    for page, needs in PAGE_NEEDS.items():
        cannot_do = [denied[n] for n in needs if n in denied]
        can_do = [n for n in needs if n not in denied and n not in unsure]
        usable = NO if not can_do and cannot_do else PARTLY if cannot_do else YES
        rows.append(
            {
                "page": page,
                "usable": usable,
                "can": ", ".join(can_do),
                "cannot": ", ".join(cannot_do),
                "not checked": ", ".join(n for n in needs if n in unsure),
            }
        )
    return rows
