"""Rule-book decisions per second for N people with realistic files, against loading those files in the same run.

Customer ids are shuffled (seeded) into ticks of 2,000, as due cases come; one tick in five is in the evening
(21:30 in Shanghai, outside contact hours; 19:30 in Urumqi, inside), the others at 14:00 Shanghai time.
Every tick is measured three ways, interleaved so that other work on a shared machine slows all three alike:
(a) load: the production `people()` for the tick's ids (what the service does per tick);
(b) load + decide: the same, plus one `decide()` per person: a call to their first number, purpose collection;
(c) decide alone, on the files (a) just loaded.
(a) and (b) swap order every other tick, so neither always meets the cache the other warmed.
"""
import random
import time
from collections import Counter
from datetime import UTC, date, datetime

import asyncpg

from bench.rulebook_data import database, load_people
from services.outreach.app import MIGRATIONS
from services.outreach.domain.model import ContactRequest
from services.outreach.domain.planning import TEMPLATE_IDS
from services.outreach.domain.rule_engine import decide
from services.outreach.domain.rulebook import RuleBook
from services.outreach.store.people import people
from shared.db.migrate import migrate

ROLE = "outreach"  # the database is owned by outreach's role, as the service's own
DAY = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)  # 14:00 in Shanghai, 12:00 in Urumqi
EVENING = datetime(2026, 3, 10, 13, 30, tzinfo=UTC)  # 21:30 in Shanghai, 19:30 in Urumqi
TODAY = date(2026, 3, 10)  # the local date of DAY and of EVENING, in both zones
BATCH, SEED = 2_000, 3
STEPS = ("load", "load_and_decide", "decide_only")
NOTE = """Rule book: `people()` is the service's own load of a person's file (3 queries, then the files assembled
in Python); its SQL-fetch row isolates the Postgres share. (c)/(a) and (b)/(a) are decisions/s over persons
loaded/s. Blocked shares are of all decisions, by the first objecting rule; third-party rules cannot fire
(every request is to the borrower), nor unanswered-per-number (the daily call cap of 3 objects first).
"""


async def run_rulebook(env, count: int) -> dict:
    async with database(env, "rulebook", ROLE) as url:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=1, command_timeout=3600)
        try:
            await migrate(pool, MIGRATIONS)
            async with pool.acquire() as conn:
                data = await load_people(conn, count, TODAY, DAY)
                ticks, book = _ticks(count), RuleBook.load()
                measured = await _measure(conn, ticks, book)
        finally:
            await pool.close()
    result = {"people": count, "ids_per_load": BATCH, "ticks": {"day": DAY.isoformat(), "evening": EVENING.isoformat(),
              "evening_ticks": sum(now == EVENING for _, now in ticks), "all": len(ticks)}, "rule_book": book.version,
              "data": data} | measured
    base = result["load"]["persons_per_second"]
    for step in STEPS[1:]:
        result[step]["ratio_to_load"] = round(result[step]["decisions_per_second"] / base, 3)
    return result


async def _measure(conn: asyncpg.Connection, ticks, book: RuleBook) -> dict:
    fetches = {step: _TimedFetch(conn) for step in STEPS[:2]}
    seconds: dict[str, list[float]] = {step: [] for step in STEPS}
    tally, check, attempts = Counter(), Counter(), 0
    for i, (ids, now) in enumerate(ticks):
        for step in STEPS[:2] if i % 2 == 0 else STEPS[1::-1]:
            loaded = files = None  # the other step's files are garbage before this one starts
            started = time.perf_counter()
            loaded = await people(fetches[step], ids, now)
            if step == "load_and_decide":
                ruled = [decide(_request(c, loaded[c]), loaded[c].history, book, now).rule_id for c in ids]
                seconds[step].append(time.perf_counter() - started)
                check.update(ruled)
                continue
            seconds[step].append(time.perf_counter() - started)
            files = [(_request(c, loaded[c]), loaded[c].history) for c in ids]
            attempts += sum(len(history.attempts) for _, history in files)
            started = time.perf_counter()
            ruled = [decide(request, history, book, now).rule_id for request, history in files]
            seconds["decide_only"].append(time.perf_counter() - started)
            tally.update(ruled)
    assert tally == check, "decide() alone and after loading disagree"
    n = sum(len(ids) for ids, _ in ticks)
    result = {"attempts_in_files": attempts, "decisions_by_rule": {
        rule: {"decisions": k, "share": round(k / n, 4)} for rule, k in tally.most_common()},
        "rules_that_blocked": sum(rule != "allowed" for rule in tally)}
    for step, runs in seconds.items():
        total = sum(runs)
        result[step] = {"seconds": round(total, 3), "tick_seconds_min_max": [round(min(runs), 3), round(max(runs), 3)],
                        "persons_per_second" if step == "load" else "decisions_per_second": round(n / total)}
        if step in fetches:
            sql = fetches[step].seconds
            result[step] |= {"sql_fetch_seconds": round(sql, 2), "sql_fetch_persons_per_second": round(n / sql)}
    result["decide_only"]["microseconds_per_decision"] = round(sum(seconds["decide_only"]) / n * 1e6, 1)
    return result


def _request(customer_id: str, person) -> ContactRequest:
    return ContactRequest(customer_id, f"case-{customer_id}", "call", "borrower", person.borrower_numbers[0],
                          "collection", TEMPLATE_IDS[("call", "borrower")])


def _ticks(count: int) -> list[tuple[list[str], datetime]]:
    ids = [f"BENCH-C{n:08d}" for n in range(1, count + 1)]
    random.Random(SEED).shuffle(ids)
    chunks = [sorted(ids[i:i + BATCH]) for i in range(0, count, BATCH)]
    return [(chunk, EVENING if i % 5 == 4 else DAY) for i, chunk in enumerate(chunks)]


class _TimedFetch:
    """The connection `people()` gets: counts the seconds spent in its SQL fetches."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn, self.seconds = conn, 0.0

    async def fetch(self, *args):
        started = time.perf_counter()
        try:
            return await self.conn.fetch(*args)
        finally:
            self.seconds += time.perf_counter() - started


def summary_rows(r: dict) -> list[tuple[str, str, str, str]]:
    load, both, alone, n = r["load"], r["load_and_decide"], r["decide_only"], f"{r['people']:,}"
    sql = load["sql_fetch_seconds"] / load["seconds"]
    blocked = ", ".join(f"{rule} {v['share']:.1%}" for rule, v in r["decisions_by_rule"].items() if rule != "allowed")
    allowed = r["decisions_by_rule"].get("allowed", {"share": 0})["share"]
    return [
        (f"Load {n} people's files with people(), {r['ids_per_load']:,} ids a call ({sql:.0%} of it in SQL fetches)",
         f"{load['persons_per_second']:,}", "persons/s", "baseline"),
        ("  of which the 3 SQL fetches of people() (rows in Python, not yet assembled into files)",
         f"{load['sql_fetch_persons_per_second']:,}", "persons/s",
         f"{load['sql_fetch_persons_per_second'] / load['persons_per_second']:.1f}x"),
        ("Load + one rule-book decide() per person (a call to their first number)", f"{both['decisions_per_second']:,}",
         "decisions/s", f"{both['ratio_to_load']:.2f}x"),
        (f"Rule-book decide() alone on the loaded files ({alone['microseconds_per_decision']} µs each)",
         f"{alone['decisions_per_second']:,}", "decisions/s", f"{alone['ratio_to_load']:.1f}x"),
        (f"Rule-book decisions: allowed / blocked by first rule ({r['rules_that_blocked']} rules fired)",
         f"{allowed:.1%}", "allowed", blocked),
        (f"Bulk load of {n} people, {r['data']['rows']['contact_attempts']:,} attempts (SQL generate_series)",
         f"{r['data']['total_seconds']:.1f}", "s", ""),
    ]
