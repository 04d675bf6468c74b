"""The live summary reads the same metrics an SRE sees and renders them for a person."""
from zoneinfo import ZoneInfo

from tools.summary import Scrape, render_overdue

BUCKETS = ["1-30", "31-60"]


def scrape_of(at: float, *samples: tuple[str, dict, float]) -> Scrape:
    scrape = Scrape(at=at)
    for name, labels, value in samples:
        scrape.samples[(name, tuple(sorted(labels.items())))] = value
    return scrape


def test_summary_shows_rates_buckets_and_clock_in_the_portfolio_zone():
    consumed = "collections_events_consumed_total"
    before = scrape_of(10.0, (consumed, {"outcome": "processed"}, 1_000))
    now = scrape_of(
        12.0,
        (consumed, {"outcome": "processed"}, 3_000),
        ("collections_clock_now_timestamp_seconds", {}, 1_767_225_605),  # 2026-01-01 00:00:05 UTC
        ("overdue_overdue_loans", {"bucket": "1-30"}, 7),
        ("overdue_overdue_amount_minor_units", {"bucket": "1-30"}, 123_456),
        ("collections_dead_letters_total", {"reason": "invalid_json"}, 2),
    )
    text = "\n".join(render_overdue(now, before, BUCKETS, ZoneInfo("Asia/Shanghai")))
    assert "2026-01-01 08:00 Asia/Shanghai" in text
    assert "(1,000/s)" in text
    assert "¥1,234.56" in text and "invalid_json 2" in text
    assert text.splitlines()[-1].split()[:2] == ["total", "7"]
