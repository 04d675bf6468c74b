"""python -m tools.demo: the whole system on the local stack, with a live summary until Ctrl-C.

Starts each service and the loan-system simulator as child processes (their JSON logs go to
files under .run/), redraws the summary every second, and on Ctrl-C stops the children with
SIGTERM (each drains and closes) before exiting.
"""
import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from services.outreach.settings import OutreachSettings
from services.overdue.domain.buckets import BucketTable
from services.overdue.settings import OverdueSettings
from tools import reset_demo
from tools.conduct.live import LiveAudit
from tools.roster_seed import seed
from tools.summary import render_agreements, render_dispatch, render_outreach, render_overdue, scrape

LOGS = Path(".run")
HOURLY_TICKS = ",".join(f"{hour:02d}:00" for hour in (3, 6, *range(8, 22)))  # visits need the hours of the day
CLEAR = "\x1b[2J\x1b[H"


async def spawn(name: str, *args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    LOGS.mkdir(exist_ok=True)
    log = open(LOGS / f"{name}.log", "ab")
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, stdout=log, stderr=asyncio.subprocess.STDOUT, env=env, start_new_session=True
    )


async def stop(processes: dict[str, asyncio.subprocess.Process]) -> None:
    for process in processes.values():
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for name, process in processes.items():
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
        with contextlib.suppress(OSError):  # the terminal may be gone
            print(f"stopped {name} (exit {process.returncode})", flush=True)


def _ports_free(ports: list[int]) -> None:
    """A service left over from an earlier run would answer instead of the new one: refuse clearly."""
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"port {port} is already in use (a service from an earlier run?); stop it first")

DEMO_CUSTOMER, DEMO_LOAN = "CU7-0000001", "LN7-0000001-1"  # the simulator's first borrower (seed 7)


async def main(args: argparse.Namespace) -> None:
    _ports_free([args.overdue_port, args.outreach_port, args.dispatch_port, args.agreement_port])
    await reset_demo.main()  # every demo starts from an empty book: the simulator's events are new again
    env = {**os.environ, "OVERDUE_HTTP_PORT": str(args.overdue_port), "OUTREACH_HTTP_PORT": str(args.outreach_port),
           "DISPATCH_HTTP_PORT": str(args.dispatch_port), "DISPATCH_SANDBOX_FIELD_TEAM": "1",
           "AGREEMENT_HTTP_PORT": str(args.agreement_port), "AGREEMENT_SANDBOX_SIGNATURES": "1"}
    # personal tokens name their person: the portal token is the first simulated borrower's
    env.setdefault("API_TOKENS", f"demo-portal:customer_portal:{DEMO_CUSTOMER},demo-supervisor:supervisor:sup-demo,"
                                 "demo-dialer:dialer,demo-collector:collector")
    processes = {name: await spawn(name, "-m", f"services.{name}", env=env)
                 for name in ("overdue", "outreach", "dispatch", "agreement")}
    try:
        await _seed_roster(args.dispatch_port, env["API_TOKENS"])
    except Exception:
        await stop(processes)
        raise
    processes["simulator"] = await spawn(
        "simulator", "-m", "simulator", "--customers", str(args.customers), "--days", str(args.days),
        "--day-seconds", str(args.day_seconds), "--seed", str(args.seed), "--ticks", HOURLY_TICKS, env=env,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # HUP: the terminal went away
        loop.add_signal_handler(sig, stopping.set)
    settings = OverdueSettings()
    buckets, zone = BucketTable.parse(settings.buckets).labels, ZoneInfo(settings.portfolio_time_zone)
    auditor = LiveAudit(settings.kafka_bootstrap_servers, {
        "loan": settings.loan_events_topic, "delinquency": settings.delinquency_events_topic,
        "outreach": settings.outreach_events_topic, "dispatch": settings.dispatch_events_topic,
        "agreement": settings.agreement_events_topic}, OutreachSettings().database_url)
    auditing = asyncio.create_task(auditor.run(stopping))
    try:
        await _redraw_until(stopping, processes, args, buckets, zone, auditor)
    finally:  # whatever ends the loop (Ctrl-C, a closed terminal, an error), the children stop too
        stopping.set()
        with contextlib.suppress(Exception):
            await auditing
        await stop(processes)


async def _redraw_until(stopping: asyncio.Event, processes, args, buckets, zone, auditor: LiveAudit) -> None:
    before = None
    while not stopping.is_set():
        ports = (args.overdue_port, args.outreach_port, args.dispatch_port, args.agreement_port)
        now, outreach, dispatch, agreement = [
            await asyncio.to_thread(scrape, f"http://127.0.0.1:{port}/metrics") for port in ports]
        screen = _screen(now, before, outreach, dispatch, agreement, buckets, zone, processes, args)
        print(CLEAR + screen + "\n\n" + auditor.line(), flush=True)
        before = now or before
        try:
            await asyncio.wait_for(stopping.wait(), 1.0)
        except TimeoutError:
            pass


async def _seed_roster(port: int, tokens: str) -> None:
    supervisor = next(t.split(":")[0] for t in tokens.split(",") if t.split(":")[1:2] == ["supervisor"])
    for _ in range(120):  # the service is starting
        try:
            created = await asyncio.to_thread(seed, f"http://127.0.0.1:{port}", supervisor)
            print(f"roster: {created} collectors created", flush=True)
            return
        except OSError:
            await asyncio.sleep(0.5)
    raise RuntimeError("visit dispatch did not come up to take the roster")


def _screen(now, before, outreach, dispatch, agreement, buckets, zone, processes, args) -> str:
    simulator = processes["simulator"].returncode
    sim_state = "running" if simulator is None else ("finished" if simulator == 0 else f"failed ({simulator})")
    header = [
        "Collections platform — live summary (Ctrl-C stops everything)",
        f"simulator: {args.customers} customers, {args.days} days at {args.day_seconds}s/day — {sim_state}",
        f"logs: {LOGS}/*.log   statement: curl -H 'Authorization: Bearer demo-portal' "
        f"localhost:{args.overdue_port}/loans/{DEMO_LOAN}/statement",
        "",
        "overdue detection",
    ]
    waiting = ["(starting… waiting for /metrics)"]
    body = render_overdue(now, before, buckets, zone) if now else waiting
    contact = render_outreach(outreach) if outreach else waiting
    visits = render_dispatch(dispatch) if dispatch else waiting
    agreed = render_agreements(agreement) if agreement else waiting
    return "\n".join(header + ["  " + line for line in body] + ["", "outreach"] + ["  " + line for line in contact]
                     + ["", "visit dispatch"] + ["  " + line for line in visits]
                     + ["", "agreements"] + ["  " + line for line in agreed])


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--day-seconds", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--overdue-port", type=int, default=8081)
    parser.add_argument("--outreach-port", type=int, default=8082)
    parser.add_argument("--dispatch-port", type=int, default=8083)
    parser.add_argument("--agreement-port", type=int, default=8084)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
