"""Schedule rules: wall-clock conversion, default releases and the enrollment window edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from edxelera_gql.catalog.schedule import (
    current_week_number,
    default_week_release,
    enrollment_closes_at,
    late_join_ends_at,
    local_to_utc,
    utc_to_local,
)

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # 09:00 in Lagos


def test_local_to_utc_uses_the_zone_offset_of_that_date() -> None:
    assert local_to_utc(datetime(2027, 1, 10, 9), "America/New_York") == datetime(
        2027, 1, 10, 14, tzinfo=UTC
    )
    assert local_to_utc(datetime(2027, 7, 10, 9), "America/New_York") == datetime(
        2027, 7, 10, 13, tzinfo=UTC
    )


def test_local_to_utc_takes_first_occurrence_of_an_ambiguous_time() -> None:
    # 2027-11-07 01:30 happens twice in New York; the first is still EDT (UTC-4).
    assert local_to_utc(datetime(2027, 11, 7, 1, 30), "America/New_York") == datetime(
        2027, 11, 7, 5, 30, tzinfo=UTC
    )


def test_local_to_utc_refuses_aware_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_to_utc(START, "Africa/Lagos")


def test_utc_to_local_round_trips() -> None:
    local = utc_to_local(START, "Africa/Lagos")
    assert local == datetime(2027, 3, 1, 9)
    assert local.tzinfo is None
    assert local_to_utc(local, "Africa/Lagos") == START


def test_default_week_release_keeps_local_time_across_dst() -> None:
    start = local_to_utc(datetime(2027, 3, 1, 9), "America/New_York")
    releases = [default_week_release(start, "America/New_York", n) for n in (1, 2, 3)]
    assert releases == [
        datetime(2027, 3, 1, 14, tzinfo=UTC),
        datetime(2027, 3, 8, 14, tzinfo=UTC),
        datetime(2027, 3, 15, 13, tzinfo=UTC),  # clocks sprang forward on 2027-03-14
    ]


def test_default_week_release_without_dst_is_seven_days_apart() -> None:
    assert default_week_release(START, "Africa/Lagos", 1) == START
    assert default_week_release(START, "Africa/Lagos", 6) == START + timedelta(days=35)


def test_default_week_release_refuses_week_zero() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        default_week_release(START, "Africa/Lagos", 0)


def test_enrollment_closes_hours_before_start() -> None:
    assert enrollment_closes_at(START, 48) == START - timedelta(hours=48)
    assert enrollment_closes_at(START, 0) == START


def test_late_join_is_none_when_disabled() -> None:
    assert late_join_ends_at(START, False, 7, START + timedelta(days=7)) is None


def test_late_join_ends_after_its_days_when_week_two_comes_later() -> None:
    week_two = START + timedelta(days=14)
    assert late_join_ends_at(START, True, 7, week_two) == START + timedelta(days=7)


def test_late_join_is_capped_by_week_two_release() -> None:
    week_two = START + timedelta(days=5)
    assert late_join_ends_at(START, True, 7, week_two) == week_two


def test_late_join_ending_exactly_at_week_two() -> None:
    week_two = START + timedelta(days=7)
    assert late_join_ends_at(START, True, 7, week_two) == week_two


def test_late_join_without_a_week_two() -> None:
    assert late_join_ends_at(START, True, 3, None) == START + timedelta(days=3)


def test_late_join_of_zero_days_ends_at_start() -> None:
    assert late_join_ends_at(START, True, 0, START + timedelta(days=7)) == START


def test_current_week_is_the_highest_released() -> None:
    releases = [(n, START + timedelta(days=7 * (n - 1))) for n in (1, 2, 3)]
    assert current_week_number(START - timedelta(microseconds=1), releases) is None
    assert current_week_number(START, releases) == 1  # released exactly at release time
    assert current_week_number(START + timedelta(days=7), releases) == 2
    assert current_week_number(START + timedelta(days=100), releases) == 3


def test_current_week_with_out_of_order_and_explicit_releases() -> None:
    # An explicit week-3 release before week 2's still counts as the highest released.
    releases = [(3, START + timedelta(days=1)), (1, START), (2, START + timedelta(days=9))]
    assert current_week_number(START + timedelta(days=2), releases) == 3
    assert current_week_number(START, []) is None
