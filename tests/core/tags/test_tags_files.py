"""Headers people write (`Type,Name,Tag`), a column mapping for the rest, and the downloadable templates."""

from __future__ import annotations

import pytest

from klaviyo_core.tags import FIELDS, TEMPLATE_FILES, Shape, TagFileError, read_tag_file, template_csv


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("Type,Name,Tag\nflow,Welcome Series,VIP\n", ["resource_type", "resource", "tag"]),
        (
            "Type,Name,Group,Tag,Action\nflow,Welcome Series,Season,VIP,add\n",
            ["resource_type", "resource", "tag_group", "tag", "action"],
        ),
        (
            "Resource Type,Resource ID,Tag Group,Tag Name\nflow,Welcome Series,Season,VIP\n",
            ["resource_type", "resource", "tag_group", "tag"],
        ),
    ],
)
def test_common_header_synonyms_are_accepted(text: str, columns: list[str]) -> None:
    tag_file = read_tag_file(text.encode())
    assert tag_file.shape is Shape.ASSIGNMENTS and tag_file.columns == columns
    assert not tag_file.bad_rows and tag_file.rows[0].get("resource") == "Welcome Series"


def test_a_files_own_canonical_name_wins_over_a_synonym() -> None:
    """`name` means the resource only when the file has no `resource` column of its own."""
    tag_file = read_tag_file(b"resource_type,resource,tag,name\nflow,Welcome,VIP,note\n")
    assert tag_file.columns == ["resource_type", "resource", "tag", "name"]


def test_an_unrecognised_header_carries_the_header_and_a_mapping_reads_it() -> None:
    data = b"Kind of thing,What,Label it\nflow,Welcome Series,VIP\n"
    with pytest.raises(TagFileError, match="Unrecognised header") as caught:
        read_tag_file(data)
    assert caught.value.header == ["Kind of thing", "What", "Label it"]
    mapping = {"Kind of thing": "resource_type", "What": "resource", "Label it": "tag"}
    tag_file = read_tag_file(data, mapping=mapping)
    assert tag_file.shape is Shape.ASSIGNMENTS and tag_file.rows[0].get("resource") == "Welcome Series"
    assert set(mapping.values()) <= set(FIELDS)


@pytest.mark.parametrize("shape", list(Shape))
def test_every_template_reads_back_as_its_own_shape(shape: Shape) -> None:
    tag_file = read_tag_file(template_csv(shape).encode())
    assert tag_file.shape is shape and not tag_file.bad_rows
    assert TEMPLATE_FILES[shape].endswith(".csv")
