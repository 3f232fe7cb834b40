"""Reading the read extension's times: every notation, exact to the nanosecond it carries."""

from __future__ import annotations

import pytest

from cgconform.suites.logboek.harness.records import time_ns

WRITTEN = 1_796_670_017_369_999_997  # ns, just before a millisecond boundary


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (WRITTEN // 10**6, 1_796_670_017_369_000_000),  # int ms (the OpenAPI's int64)
        (str(WRITTEN // 10**6), 1_796_670_017_369_000_000),
        (WRITTEN, WRITTEN),  # ns
        (WRITTEN // 10**3, 1_796_670_017_369_999_000),  # µs
        ("2026-12-07T17:00:00.123456Z", 1_796_662_800_123_456_000),  # RFC 3339, µs exact
        ("2026-12-07T18:00:00.123456+01:00", 1_796_662_800_123_456_000),
        (1_796_670_017.5, 1_796_670_017_500_000_000),  # s as a float
    ],
)
def test_times_are_exact(value: object, expected: int) -> None:
    assert time_ns(value) == expected


@pytest.mark.parametrize("value", [None, True, "yesterday", "2026-12-07T17:00:00", 42])
def test_what_is_no_time(value: object) -> None:
    assert time_ns(value) is None


def test_a_misspelt_attribute_name_is_pointed_out() -> None:
    from cgconform.suites.logboek.application._observe import misspelt
    from cgconform.suites.logboek.harness.records import ACTIVITY, SUBJECT, SUBJECT_TYPE, Record

    def record(attributes: dict[str, str]) -> Record:
        return Record("1" * 32, "2" * 16, "", "actie", 1, 2, "Unset", attributes=attributes)

    typo = record({"dpl.core.procsssing_activity_id": "https://x.example/14", SUBJECT: "p"})
    assert "'dpl.core.procsssing_activity_id': a misspelling" in misspelt([typo], ACTIVITY)
    # the standard's own names are never taken for a misspelling of each other
    assert misspelt([typo], SUBJECT_TYPE) == ""
    assert misspelt([record({"dpl.core.data_subject_idtype": "x"})], SUBJECT_TYPE)
    assert misspelt([record({"http.method": "GET"})], ACTIVITY) == ""
    assert misspelt([], ACTIVITY) == ""
