"""`additional-fields[...]=profile_count` has its own, stricter limit (1/s, 15/min), stated in get_list's and
get_segment's descriptions in the spec rather than in `x-klaviyo-ratelimit`; client and sandbox share the rule."""

from __future__ import annotations

from klaviyo_spec import limited_operation, operation_by_id


def test_profile_count_reads_are_limited_apart() -> None:
    plain = operation_by_id("get_list")
    counted = limited_operation(plain, {"additional-fields[list]": "profile_count"}.get)
    assert (plain.burst_per_second, plain.steady_per_minute) == (75, 750)
    assert (counted.operation_id, counted.burst_per_second, counted.steady_per_minute) == (
        "get_list+profile_count",
        1,
        15,
    )
    segment = limited_operation(operation_by_id("get_segment"), {"additional-fields[segment]": "profile_count"}.get)
    assert segment.steady_per_minute == 15
    nothing: dict[str, str] = {}
    assert limited_operation(plain, nothing.get) is plain
    assert limited_operation(plain, {"additional-fields[list]": "other"}.get) is plain
    both = limited_operation(
        operation_by_id("get_profiles"), {"additional-fields[profile]": "subscriptions,predictive_analytics"}.get
    )
    assert both.burst_per_second == 10
