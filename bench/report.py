"""Results: bench/results/latest.json (everything, with units), a console table, a README-ready summary."""
import json
from pathlib import Path

from bench.dispatch import summary_rows as dispatch_rows
from bench.rulebook import NOTE as RULEBOOK_NOTE
from bench.rulebook import summary_rows as rulebook_rows

TARGET_EVENTS_PER_SECOND = 20_000
NOTES = """Rates run from the first event handled to the last committed (service: first inbox transaction;
the service is done when its inbox holds every event). "A closed date": the service's clock says the
payments' business date is closed, so every batch also re-evaluates its loans (set-based SQL) in its
transaction. The re-evaluation rows time one 5,000-loan batch against the 1,000,000-loan book, rolled back;
PostgreSQL may switch the prepared statement to a generic plan after five runs on a connection.
Details and per-step timings: bench/results/latest.json.
"""


def write_results(results: dict, out: Path) -> str:
    """Add the ratios, write both files, return the human-readable summary."""
    rows = summary_rows(results)
    results["summary"] = [dict(zip(("measurement", "value", "unit", "vs_baseline"), row)) for row in rows]
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    machine = results["machine"]
    header = (f"Measured by `{results['command']}` at commit {results['code']['commit'][:10]}"
              f"{' (uncommitted changes)' if results['code']['dirty'] else ''} on {machine['cores']} cores "
              f"(load average {machine['load_average_at_start'][0]} at start), Python {machine['python']}, "
              f"PostgreSQL {machine['postgres'].split()[0]}, Kafka {machine['kafka']}; "
              f"{results['total_seconds']} s in all.")
    table = ["| Measurement | Value | Unit | vs baseline / note |", "|---|---:|---|---:|"]
    table += [f"| {m} | {v} | {u} | {r} |" for m, v, u, r in rows]
    notes = NOTES + (RULEBOOK_NOTE if "rulebook" in results else "")
    (out / "README-summary.md").write_text(header + "\n\n" + "\n".join(table) + "\n\n" + notes)
    width = max(len(r[0]) for r in rows)
    lines = [header, ""] + [f"{m:<{width}}  {v:>12}  {u:<20} {r}" for m, v, u, r in rows]
    return "\n".join(lines)


def summary_rows(results: dict) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    ingest = results.get("ingest")
    if ingest:
        flood, bare = ingest["flood"], ingest["bare_consumer"]
        base = bare["events_per_second"]
        what = f"{flood['payments']:,} payment events, {flood['partitions']} partitions"
        rows.append((f"Bare aiokafka consumer, getmany + json.loads ({what})", f"{base:,}", "events/s", "baseline"))
        names = {"no_closed_date": "no date closed yet",
                 "closed_date": "a closed date: each batch re-evaluates its loans"}
        for label, run in ingest["service"].items():
            rate = run["events_per_second"]
            run["ratio_to_bare_consumer"] = round(rate / base, 3)
            run["meets_target_20k"] = rate >= TARGET_EVENTS_PER_SECOND
            rows.append((f"Overdue service, payments, {names[label]}", f"{rate:,}", "events/s",
                         f"{rate / base:.1%}"))
        loans = ingest["service"]["no_closed_date"]["loans_phase"]
        rows.append((f"Overdue service, {flood['loans']:,} loan originations", f"{loans['events_per_second']:,}",
                     "events/s", ""))
        faust = ingest.get("faust_agent")
        if faust and "events_per_second" in faust:
            rate = faust["events_per_second"]
            rows.append(("faust-streaming agent, stream.take(2000, within=1) + json.loads", f"{rate:,}", "events/s",
                         f"{rate / base:.1%}"))
    eod = results.get("end_of_day")
    if eod:
        count = eod["count_instalments"]
        rows.append((f"SELECT count(*) FROM instalments ({count['rows']:,} rows, best of 3)",
                     f"{count['best_seconds']:.3f}", "s", "baseline"))
        for e, when in zip(eod["evaluations"], ("first evaluation of the book", "the next day")):
            rows.append((f"End of day on {eod['loans']:,} loans, {when} ({e['events_emitted']:,} events out)",
                         f"{e['seconds']:.2f}", "s", f"{e['ratio_to_count']}x"))
        for label, r in eod["payment_batch_reevaluation"].items():
            worst = f"{'>' if r['worst_timed_out'] else ''}{r['worst_seconds']:.2f}"
            size, best = r["loans_per_batch"], r["best_seconds"]
            rows.append((f"Re-evaluate one {size:,}-loan payment batch on that book, {label.replace('_', ' ')}",
                         f"{best:.2f} / {worst}", f"s, best / worst of {len(r['runs_seconds'])}",
                         f"{round(size / best):,} / {r['events_per_second_at_worst']:,} events/s"))
        rows.append((f"Bulk load of the {eod['loans']:,}-loan book (SQL generate_series)",
                     f"{eod['book']['load_seconds']['total']:.1f}", "s", ""))
    if results.get("rulebook"):
        rows += rulebook_rows(results["rulebook"])
    if results.get("dispatch"):
        rows += dispatch_rows(results["dispatch"])
    if results.get("paid_up"):
        rows += paid_up_rows(results["paid_up"])
    return rows


def paid_up_rows(paid_up: dict) -> list[tuple[str, str, str, str]]:
    hop, measured = paid_up["bare_hop"], paid_up["payment_to_visit_cancelled"]
    background = f"{paid_up['background_payments_per_second']:g} background payments/s"
    return [
        (f"Bare Kafka hop, produce -> read back ({hop['samples']} messages)",
         f"{hop['p50_ms']} / {hop['p99_ms']}", "ms, p50 / p99", "baseline"),
        (f"Payment published -> dispatch.visit_cancelled ({measured['samples']} loans paid up, {background})",
         f"{measured['p50_ms']} / {measured['p99_ms']}", "ms, p50 / p99",
         f"p99 {paid_up['ratio_p99_to_bare_hop']}x; goal p99 <= {paid_up['goal_p99_ms']} ms"),
    ]
