"""python -m simulator: publish a simulated loan book to Kafka, day by day."""
import argparse
import asyncio
import os
import sys
from datetime import date, time

from simulator.book import DEFAULT_BEHAVIOUR_MIX, BookConfig, build_book
from simulator.chaos import ChaosRates
from simulator.messages import Topics
from simulator.publisher import publish_plan
from simulator.script import DayPlan, build_plan

DEFAULT_BOOTSTRAP = "127.0.0.1:19092"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--day-seconds", type=float, default=1.0,
                        help="wall-clock seconds per simulated day; 0 = flat out")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start-date", type=date.fromisoformat, default=date(2026, 1, 1))
    defaults = ChaosRates()
    parser.add_argument("--duplicate-rate", type=float, default=defaults.duplicate_rate)
    parser.add_argument("--out-of-order-rate", type=float, default=defaults.out_of_order_rate)
    parser.add_argument("--malformed-rate", type=float, default=defaults.malformed_rate)
    parser.add_argument("--ticks", type=_parse_times, default=_parse_times("03:00,06:00,09:00,12:00,15:00,18:00,21:00"),
                        help="local times of the clock's ticks during each day (the day-closing tick is always sent)")
    parser.add_argument("--behaviour-mix", type=_parse_mix, default=dict(DEFAULT_BEHAVIOUR_MIX),
                        help="e.g. on_time=0.6,late_then_cured=0.2,partial=0.1,never=0.1")
    return parser.parse_args(argv)


def _parse_times(text: str) -> tuple[time, ...]:
    return tuple(time.fromisoformat(item.strip()) for item in text.split(",") if item.strip())


def _parse_mix(text: str) -> dict[str, float]:
    pairs = (item.split("=", 1) for item in text.split(",") if item.strip())
    return {name.strip(): float(share) for name, share in pairs}


def _progress(index: int, day: DayPlan, sent: int, total_days: int) -> None:
    if (index + 1) % 7 == 0 or index + 1 == total_days:
        print(f"simulator: day {index + 1}/{total_days} ({day.business_date}) {sent} messages sent", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    config = BookConfig(seed=arguments.seed, customers=arguments.customers, start_date=arguments.start_date,
                        days=arguments.days, behaviour_mix=arguments.behaviour_mix)
    chaos = ChaosRates(arguments.duplicate_rate, arguments.out_of_order_rate, arguments.malformed_rate)
    topics = Topics(os.environ.get("LOAN_EVENTS_TOPIC", "loan-events"), os.environ.get("CLOCK_TOPIC", "clock"))
    plan = build_plan(build_book(config), chaos=chaos, topics=topics, intraday_ticks=arguments.ticks)
    counts = plan.counts
    print(f"simulator: {counts.messages} messages planned over {arguments.days} days "
          f"({counts.valid} valid, {counts.duplicates} duplicates, {counts.malformed} malformed)", file=sys.stderr)
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP)
    stats = asyncio.run(publish_plan(plan, bootstrap, day_seconds=arguments.day_seconds,
                                     on_day=lambda i, day, sent: _progress(i, day, sent, arguments.days)))
    print(f"simulator: done, {stats.messages} messages in {stats.seconds:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
