import pytest

from services.overdue.domain.buckets import DEFAULT_BUCKETS, BucketTable

TABLE = BucketTable.parse(DEFAULT_BUCKETS)


@pytest.mark.parametrize("dpd, bucket", [
    (-1, None), (0, None), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"),
    (61, "61-90"), (90, "61-90"), (91, "91-180"), (180, "91-180"), (181, "181+"), (10000, "181+"),
])
def test_days_past_due_fall_in_the_configured_bucket(dpd, bucket):
    assert TABLE.bucket_for(dpd) == bucket


def test_bounds_and_labels_line_up_for_the_store():
    assert TABLE.lower_bounds == [1, 31, 61, 91, 181]
    assert TABLE.labels == ["1-30", "31-60", "61-90", "91-180", "181+"]


def test_buckets_rank_by_days_past_due():
    assert sorted(["181+", "1-30", "91-180", "31-60"], key=TABLE.rank) == ["1-30", "31-60", "91-180", "181+"]
    with pytest.raises(ValueError, match="unknown bucket"):
        TABLE.rank("0-0")


def test_a_table_may_start_later_and_tolerates_spaces():
    table = BucketTable.parse(" 5-9 , 10+ ")

    assert table.bucket_for(4) is None
    assert table.bucket_for(5) == "5-9"
    assert table.labels == ["5-9", "10+"]


def test_a_single_open_ended_bucket_is_a_valid_table():
    assert BucketTable.parse("1+").bucket_for(400) == "1+"


@pytest.mark.parametrize("spec, complaint", [
    ("", "neither"),
    ("1-30,32-60,61+", "contiguous"),
    ("1-30,30-60,61+", "contiguous"),
    ("31-60,1-30,61+", "contiguous"),
    ("0-30,31+", "start at 1"),
    ("1-30,31-60", "open-ended"),
    ("1-30,31+,61-90", "only the last"),
    ("30-1,31+", "ends before it starts"),
    ("1-30,,31+", "neither"),
    ("a-b,31+", "neither"),
    ("1-30;31+", "neither"),
    ("-5-30,31+", "neither"),
])
def test_invalid_tables_are_refused_with_a_reason(spec, complaint):
    with pytest.raises(ValueError, match=complaint):
        BucketTable.parse(spec)


def test_a_table_built_from_bounds_is_checked_too():
    with pytest.raises(ValueError, match="ascending"):
        BucketTable((1, 31, 31))
