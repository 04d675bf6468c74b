"""`python -m bench [--quick]`: payment ingest, end-of-day evaluation, rule-book decisions, the dispatch
day and payment -> visit cancelled latency, each against a same-run baseline."""
import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from datetime import date
from pathlib import Path

from bench.dispatch import run_dispatch_bench
from bench.env import BenchEnv, code_version, delete_run_topics, machine_info
from bench.eod import run_eod
from bench.flood import publish_flood
from bench.ingest_baseline import bare_consumer
from bench.ingest_service import service_run
from bench.paid_up import run_paid_up_bench
from bench.report import write_results
from bench.rulebook import run_rulebook

PAYMENTS_DATE = date(2026, 1, 1)  # the business date of every payment in the flood


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--loans", type=int, default=20_000, help="loans originated before the payment flood")
    parser.add_argument("--payments-per-loan", type=int, default=10, help="payments per loan in the flood")
    parser.add_argument("--book-loans", type=int, default=1_000_000, help="loans in the end-of-day book")
    parser.add_argument("--rulebook-people", type=int, default=100_000, help="people in the rule-book benchmark")
    parser.add_argument("--quick", action="store_true",
                        help="a small smoke run (2,000 loans, 50,000-loan book, 10,000 people)")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-eod", action="store_true")
    parser.add_argument("--skip-rulebook", action="store_true")
    parser.add_argument("--skip-dispatch", action="store_true")
    parser.add_argument("--dispatch-visits", type=int, default=10_000, help="visits in the dispatch day")
    parser.add_argument("--skip-paid-up", action="store_true")
    parser.add_argument("--paid-up-targets", type=int, default=200,
                        help="loans paid up (each with a planned visit) in the payment -> visit cancelled bench")
    parser.add_argument("--no-faust", dest="faust", action="store_false",
                        help="skip the faust-streaming agent reference (a subprocess)")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip the one-batch profile")
    parser.add_argument("--deadline", type=float, default=300, help="seconds a service run may take")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    args = parser.parse_args()
    if args.quick:
        args.loans, args.payments_per_loan, args.book_loans, args.rulebook_people = 2_000, 10, 50_000, 10_000
        args.dispatch_visits, args.paid_up_targets = 1_000, 50
    return args


async def run_ingest(env: BenchEnv, args: argparse.Namespace) -> dict:
    flood = await publish_flood(env.bootstrap, env.name, args.loans, args.payments_per_loan)
    print(f"flood: {flood.loans:,} loans, {flood.payments:,} payments published in {flood.publish_seconds:.1f}s",
          flush=True)
    bare = await bare_consumer(env.bootstrap, flood.payments_topic, env.name("bare"), flood.payments)
    print(f"bare aiokafka consumer: {bare['events_per_second']:,} events/s", flush=True)
    runs = {}
    for label, closed in (("no_closed_date", None), ("closed_date", PAYMENTS_DATE)):
        runs[label] = await service_run(env, flood, label, closed, profile=args.profile and closed is not None,
                                        deadline_seconds=args.deadline)
        print(f"overdue service ({label}): {runs[label]['events_per_second']:,} events/s", flush=True)
    result = {"flood": vars(flood) | {"partitions": 4}, "bare_consumer": bare, "service": runs}
    if args.faust:
        from bench.ingest_faust import faust_agent
        result["faust_agent"] = await faust_agent(env, flood.payments_topic, flood.payments)
    return result


async def main() -> None:
    args = parse_args()
    task = asyncio.current_task()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)  # clean up as on Ctrl-C
    logging.basicConfig(level=logging.WARNING)
    env = BenchEnv.from_environment()
    started = time.perf_counter()
    results = {"run_id": env.run_id, "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
               "command": " ".join(["python -m bench", *sys.argv[1:]]), "code": code_version(),
               "machine": await machine_info(env),
               "parameters": {k: v for k, v in vars(args).items() if k != "out"}}
    try:
        if not args.skip_ingest:
            results["ingest"] = await run_ingest(env, args)
        if not args.skip_eod:
            results["end_of_day"] = await run_eod(env, args.book_loans)
        if not args.skip_rulebook:
            results["rulebook"] = await run_rulebook(env, args.rulebook_people)
        if not args.skip_dispatch:
            results["dispatch"] = await run_dispatch_bench(visits=args.dispatch_visits)
        if not args.skip_paid_up:
            results["paid_up"] = await run_paid_up_bench(env, loans=args.paid_up_targets * 4,
                                                         targets=args.paid_up_targets)
            print(f"payment -> visit cancelled: {results['paid_up']['payment_to_visit_cancelled']}", flush=True)
    finally:
        await delete_run_topics(env)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(write_results(results, args.out))


if __name__ == "__main__":
    asyncio.run(main())
