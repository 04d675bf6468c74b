"""N people with realistic outreach files, generated in SQL straight into outreach's tables.

Every draw is a hash of the person (and attempt) number, so a run is the same on every machine.
Person n: Asia/Shanghai (90%) or Asia/Urumqi; 1-3 phones (5% invalid), 0-2 emergency contacts;
an open complaint 5% (and 2% resolved), stop contact 3%, preferred hours 5%, SMS only 2%;
0-20 attempts (21*u^2, so most files are short) on the last 8 local days between 08:00 and 21:00
(before noon today), 40% calls (no answer 55%, a conversation 15%, ...), 60% SMS; 1% cancelled.
Attempts are inserted in time order, as the service writes them, so one file spans many pages.
"""
import time
from contextlib import asynccontextmanager
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bench.env import PREFIX

POLICY_VERSION = "2026-11-28.1"
_U = """CREATE FUNCTION bench_u(key text) RETURNS float8 LANGUAGE sql IMMUTABLE
AS $$ SELECT (hashtextextended(key, 20260310) & 2147483647)::float8 / 2147483648 $$"""
_PEOPLE = """
CREATE UNLOGGED TABLE bench_people AS
SELECT n, 'BENCH-C' || lpad(n::text, 8, '0') AS customer_id,
       CASE WHEN bench_u(n || 'tz') < 0.1 THEN 'Asia/Urumqi' ELSE 'Asia/Shanghai' END AS time_zone,
       1 + floor(3 * bench_u(n || 'ph'))::int AS phones, floor(3 * bench_u(n || 'ec'))::int AS contacts,
       floor(21 * bench_u(n || 'at') ^ 2)::int AS attempts, bench_u(n || 'pr') AS pref, bench_u(n || 'co') AS compl
FROM generate_series(1, $1::int) n
"""
_CUSTOMERS = """
INSERT INTO customers (customer_id, first_name, time_zone) SELECT customer_id, 'Name ' || n, time_zone FROM bench_people
"""
_POINTS = """
INSERT INTO contact_points (customer_id, destination, kind, relation, invalid)
SELECT customer_id, '+86 13' || k || lpad(n::text, 8, '0'), 'borrower', NULL, bench_u(n || 'iv' || k) < 0.05
FROM bench_people, generate_series(1, phones) k
UNION ALL
SELECT customer_id, '+86 15' || k || lpad(n::text, 8, '0'), 'emergency_contact',
       (ARRAY['parent', 'spouse', 'sibling', 'friend'])[1 + n % 4], bench_u(n || 'ie' || k) < 0.05
FROM bench_people, generate_series(1, contacts) k
"""
_PREFERENCES = """
INSERT INTO preferences (customer_id, stop_contact, preferred_channel, preferred_start, preferred_end, updated_at)
SELECT customer_id, pref < 0.03, CASE WHEN pref >= 0.08 THEN 'sms' END,
       CASE WHEN pref >= 0.03 AND pref < 0.08 THEN (ARRAY[time '09:00', '12:00', '18:00'])[1 + n % 3] END,
       CASE WHEN pref >= 0.03 AND pref < 0.08 THEN (ARRAY[time '12:00', '14:00', '20:30'])[1 + n % 3] END,
       $1::timestamptz - interval '20 days'
FROM bench_people WHERE pref < 0.10
"""
_COMPLAINTS = """
INSERT INTO complaints (complaint_id, customer_id, category, description, status, opened_at, resolved_at)
SELECT 'BENCH-K' || n, customer_id, 'conduct', 'too many calls', CASE WHEN compl < 0.05 THEN 'open' ELSE 'resolved' END,
       $1::timestamptz - interval '3 days', CASE WHEN compl >= 0.05 THEN $1::timestamptz - interval '1 day' END
FROM bench_people WHERE compl < 0.07
"""
_ATTEMPTS = """
INSERT INTO contact_attempts (attempt_id, customer_id, case_id, channel, recipient, destination, purpose, template_id,
    message, strategy_variant, policy_version, decided_at, dispatch_status, dispatch_tries, next_dispatch_at,
    outcome, outcome_at)
SELECT n || '-' || j, customer_id, 'BENCH-CASE' || n, channel, recipient,
       CASE WHEN recipient = 'borrower'
            THEN '+86 13' || (CASE WHEN ud < 0.8 THEN 1 ELSE 1 + floor(ud * phones)::int END)
            ELSE '+86 151' END || lpad(n::text, 8, '0'),
       CASE WHEN recipient <> 'borrower' THEN 'locate' WHEN channel = 'call' THEN 'collection' ELSE 'reminder' END,
       CASE WHEN recipient <> 'borrower' THEN 'third_party.locate.zh'
            WHEN channel = 'call' THEN 'call.collection.script' ELSE 'sms.reminder.zh' END,
       CASE WHEN channel = 'sms' THEN 'message text' END, 'champion', $2, decided_at,
       CASE WHEN uo < 0.01 THEN 'cancelled' ELSE 'sent' END, 1, decided_at, outcome,
       CASE WHEN outcome IS NOT NULL THEN decided_at + interval '5 minutes' END
FROM (SELECT p.*, j, ud, uo, channel,
             CASE WHEN contacts > 0 AND bench_u(n || ':' || j || 'r') < 0.05 THEN 'emergency_contact'
                  ELSE 'borrower' END AS recipient,
             ((($1::date - back) + make_interval(mins => CASE WHEN back = 0 THEN 480 + floor(um * 240)::int
                                                              ELSE 480 + floor(um * 780)::int END))
              AT TIME ZONE time_zone) AS decided_at,
             CASE WHEN channel = 'sms' THEN CASE WHEN uo < 0.88 THEN 'delivered' WHEN uo < 0.95 THEN 'failed' END
                  WHEN uo < 0.55 THEN 'no_answer' WHEN uo < 0.65 THEN 'reached' WHEN uo < 0.68 THEN 'promise_to_pay'
                  WHEN uo < 0.695 THEN 'refused' WHEN uo < 0.70 THEN 'dispute' WHEN uo < 0.73 THEN 'wrong_number'
                  WHEN uo < 0.90 THEN 'failed' END AS outcome
      FROM bench_people p, generate_series(1, p.attempts) j,
           LATERAL (SELECT bench_u(n || ':' || j || 'd') AS ud, bench_u(n || ':' || j || 'o') AS uo,
                           bench_u(n || ':' || j || 'm') AS um, floor(8 * bench_u(n || ':' || j || 'b'))::int AS back,
                           CASE WHEN bench_u(n || ':' || j || 'c') < 0.4 THEN 'call' ELSE 'sms' END AS channel) d
     ) a
ORDER BY decided_at
"""
TABLES = ("customers", "contact_points", "preferences", "complaints", "contact_attempts")


async def load_people(conn: asyncpg.Connection, people: int, today: date, now) -> dict:
    """Fill the (empty, migrated) tables; `today` is the local date of `now`. Returns row counts and seconds."""
    seconds: dict[str, float] = {}

    async def step(name: str, sql: str, *args) -> None:
        started = time.perf_counter()
        await conn.execute(sql, *args)
        seconds[name] = round(time.perf_counter() - started, 2)

    await conn.execute(_U)
    await step("people", _PEOPLE, people)
    await step("customers", _CUSTOMERS)
    await step("contact_points", _POINTS)
    await step("preferences", _PREFERENCES, now)
    await step("complaints", _COMPLAINTS, now)
    await step("contact_attempts", _ATTEMPTS, today, POLICY_VERSION)
    await conn.execute("DROP TABLE bench_people")
    await conn.execute("DROP FUNCTION bench_u")
    await step("vacuum_analyze", "VACUUM ANALYZE")
    rows = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
    return {"rows": rows, "load_seconds": seconds, "total_seconds": round(sum(seconds.values()), 2)}


@asynccontextmanager
async def database(env, label: str, role: str):
    """As BenchEnv.database, for a database owned by `role`."""
    name = f"{PREFIX}{label}_{env.run_id}"
    admin = await asyncpg.connect(env.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" OWNER "{role}"')
    finally:
        await admin.close()
    parts = urlsplit(env.admin_url)
    try:
        yield urlunsplit(parts._replace(netloc=f"{role}:{role}@{parts.hostname}:{parts.port}", path=f"/{name}"))
    finally:
        admin = await asyncpg.connect(env.admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
