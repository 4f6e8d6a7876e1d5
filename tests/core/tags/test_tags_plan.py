"""Plan correctness on account snapshots (pure: no requests). The client-backed tests are test_tags_apply."""

from __future__ import annotations

import pytest

from klaviyo_core.tags.files import Shape, TagFileError, read_tag_file
from klaviyo_core.tags.plan import (
    ASSIGN,
    CREATE,
    REMOVE,
    SKIP,
    UNCHANGED,
    AccountState,
    Group,
    Resource,
    Tag,
    make_plan,
)


def _state() -> AccountState:
    return AccountState(
        groups=[Group("g0", "Default", False, True), Group("g1", "Season", True), Group("g2", "Strategy", False)],
        tags=[Tag("t1", "Summer", "g1"), Tag("t2", "Winter", "g1"), Tag("t3", "Promo", "g2"), Tag("t4", "Q3", "g0")],
        resources={
            "campaign": [Resource("campaign", "C1", "Summer Sale"), Resource("campaign", "C2", "Winter Sale")],
            "list": [
                Resource("list", "L1", "Newsletter"),
                Resource("list", "L2", "Dup"),
                Resource("list", "L3", "Dup"),
            ],
        },
        links={("campaign", "C1"): {"t1"}, ("campaign", "C2"): set(), ("list", "L1"): set()},
    )


def _plan(text: str, state: AccountState | None = None):  # type: ignore[no-untyped-def]
    return make_plan(read_tag_file(text.encode()), state or _state())


def test_shape_detection() -> None:
    assert read_tag_file(b"Tag Group,Tag\nA,B\n").shape is Shape.GROUPS
    assert read_tag_file(b"tag_group,tag,exclusive\nA,B,yes\n").shape is Shape.GROUPS
    assert read_tag_file(b"resource_type,resource,tag_group,tag,action\nlist,L,G,T,remove\n").shape is Shape.ASSIGNMENTS
    assert read_tag_file(b"email,label\na@b.co,vip\n").shape is Shape.PROFILE_LABELS


def test_encodings_and_delimiters() -> None:
    latin1 = read_tag_file("tag_group;tag\nSaison;Été\n".encode("cp1252"))
    assert latin1.shape is Shape.GROUPS and latin1.rows[0].values == {"tag_group": "Saison", "tag": "Été"}
    tabbed = read_tag_file("\ufeffemail\tlabel\na@b.co\tvip\n".encode())
    assert tabbed.shape is Shape.PROFILE_LABELS and tabbed.rows[0].get("label") == "vip"
    quoted = read_tag_file(b'tag_group,tag\n"Sales, EU","Promo ""A"""\n')
    assert quoted.rows[0].values == {"tag_group": "Sales, EU", "tag": 'Promo "A"'}


def test_too_many_rows() -> None:
    with pytest.raises(TagFileError, match="more than 20,000 rows"):
        read_tag_file("tag_group,tag\n" + "G,T\n" * 20_001)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "Unrecognised header"),
        (b"name,color\nx,y\n", "Unrecognised header"),
        (b"tag_group,tag\n", "no rows"),
        (b"tag,tag,tag_group\na,b,c\n", "repeats a column"),
        (b"\x00\x01\x02binary", "not text"),
    ],
)
def test_bad_files_are_rejected_whole(data: bytes, fragment: str) -> None:
    with pytest.raises(TagFileError, match=fragment):
        read_tag_file(data)


def test_bad_rows_are_skipped_with_reasons() -> None:
    plan = _plan(
        "resource_type,resource,tag_group,tag,action\n"
        "profile,a@b.co,Season,Summer,\n"
        "widget,x,Season,Summer,\n"
        "list,,Season,Summer,\n"
        "list,Newsletter,Season,,\n"
        "list,Newsletter,Season,Summer,explode\n"
        "list,Newsletter,Season\n"
    )
    assert [r.action for r in plan.rows] == [SKIP] * 6
    assert "profiles cannot be tagged" in plan.rows[0].detail
    assert "expected 5 values" in plan.rows[5].detail
    assert plan.new_tags == [] and plan.new_groups == []


def test_groups_file_creates_only_what_is_missing() -> None:
    plan = _plan(
        "tag_group,tag,exclusive\n"
        "season,summer,true\n"  # exists (case-insensitive)
        "Season,Autumn,true\n"  # new tag in an existing group
        "Channel,Email,false\n"  # new group and tag
        "Channel,SMS,\n"
        "Strategy,,true\n"  # exists, but not exclusive: a warning, not a change
    )
    assert [r.action for r in plan.rows] == [UNCHANGED, CREATE, CREATE, CREATE, UNCHANGED]
    assert [(g.name, g.exclusive) for g in plan.new_groups] == [("Channel", False)]
    assert [t.name for t in plan.new_tags] == ["Autumn", "Email", "SMS"]
    assert "cannot change" in plan.rows[4].warnings[0]
    assert plan.counts() == {"create": 3, "assign": 0, "remove": 0, "unchanged": 2, "skip": 0}


def test_near_miss_names_warn() -> None:
    plan = _plan("tag_group,tag\nSeason,Sumer\nSeasons,Spring\n")
    assert plan.rows[0].action == CREATE and "'Summer'" in plan.rows[0].warnings[0]
    assert "'Season'" in plan.rows[1].warnings[0]
    missing = _plan("resource_type,resource,tag_group,tag\ncampaign,Sumer Sale,Season,Winter\n")
    assert missing.rows[0].action == SKIP and "did you mean 'Summer Sale'" in missing.rows[0].detail


def test_assignments_by_id_and_name_and_idempotence() -> None:
    text = (
        "resource_type,resource,tag_group,tag\n"
        "campaign,C1,Season,summer\n"  # already tagged
        "campaigns,winter sale,Season,Winter\n"  # by name, any case
        "list,Newsletter,,Q3\n"  # empty group: the default group
        "list,Newsletter,Strategy,Loyalty\n"  # a new tag, created then assigned
        "list,Newsletter,Strategy,Loyalty\n"  # duplicate row
        "list,Dup,Strategy,Promo\n"  # ambiguous name
    )
    plan = _plan(text)
    assert [r.action for r in plan.rows] == [UNCHANGED, ASSIGN, ASSIGN, ASSIGN, UNCHANGED, SKIP]
    assert plan.rows[1].resource_id == "C2" and plan.rows[2].tag_key == ("default", "q3")
    assert [t.name for t in plan.new_tags] == ["Loyalty"]
    assert "use the id" in plan.rows[5].detail
    # The account as it would be afterwards: the same file plans no change.
    after = _state()
    after.tags.append(Tag("t5", "Loyalty", "g2"))
    after.links = {("campaign", "C1"): {"t1"}, ("campaign", "C2"): {"t2"}, ("list", "L1"): {"t4", "t5"}}
    again = _plan(text, after)
    assert [r.action for r in again.rows] == [UNCHANGED, UNCHANGED, UNCHANGED, UNCHANGED, UNCHANGED, SKIP]
    assert again.writes == 0


def test_exclusive_groups() -> None:
    plan = _plan(
        "resource_type,resource,tag_group,tag,action\n"
        "campaign,C1,Season,Winter,\n"  # C1 has Summer already: conflict
        "campaign,C2,Season,Winter,\n"
        "campaign,C2,Season,Summer,\n"  # second tag of an exclusive group in the same file: conflict
        "campaign,C2,Strategy,Promo,\n"  # non-exclusive group: fine
    )
    assert [r.action for r in plan.rows] == [SKIP, ASSIGN, SKIP, ASSIGN]
    assert "exclusive group conflict" in plan.rows[0].detail and "'Summer'" in plan.rows[0].detail
    assert "'Winter'" in plan.rows[2].detail
    # Removing the old tag in the same file (any row order) frees the exclusive slot.
    moved = _plan(
        "resource_type,resource,tag_group,tag,action\n"
        "campaign,C1,Season,Winter,add\n"
        "campaign,C1,Season,Summer,remove\n"
        "campaign,C1,Season,Summer,remove\n"
    )
    assert [r.action for r in moved.rows] == [ASSIGN, REMOVE, UNCHANGED]


def test_removals_of_unknown_or_absent_tags_change_nothing() -> None:
    plan = _plan(
        "resource_type,resource,tag_group,tag,action\n"
        "campaign,C2,Season,Summer,remove\n"
        "campaign,C2,Nope,Summer,remove\n"
        "campaign,C2,Season,Nope,untag\n"
    )
    assert [r.action for r in plan.rows] == [UNCHANGED] * 3
    assert plan.new_tags == [] and plan.new_groups == []


def test_account_limits() -> None:
    state = _state()
    state.groups += [Group(f"x{i}", f"G{i}", False) for i in range(47)]  # 50 in all
    state.tags += [Tag(f"y{i}", f"T{i}", "g2") for i in range(495)]  # 499 in all
    plan = _plan("tag_group,tag\nNew group,A\nStrategy,One\nStrategy,Two\n", state)
    assert [r.action for r in plan.rows] == [SKIP, CREATE, SKIP]
    assert "50 tag groups" in plan.rows[0].detail and "500 tags" in plan.rows[2].detail
    full = _state()
    full.tags += [Tag(f"y{i}", f"T{i}", "g2") for i in range(100)]
    full.links[("list", "L1")] = {f"y{i}" for i in range(100)}
    capped = _plan("resource_type,resource,tag_group,tag\nlist,L1,Strategy,Promo\nlist,L1,Strategy,T3\n", full)
    assert [r.action for r in capped.rows] == [SKIP, UNCHANGED]
    assert "at most 100 tags" in capped.rows[0].detail
