"""A synthetic book of N loans generated in SQL (generate_series), straight into the service's tables.

Loan n: 3/6/12 monthly instalments (n % 3), originated 1..359 days before the first evaluation
date, and a payer type by n % 20: 60% pay every instalment in full two days before it is due,
25% pay half of every instalment, 15% pay nothing. Keys and indexes are dropped for the load and
rebuilt afterwards (a sorted index build beats 7 million index inserts), then VACUUM ANALYZE.
"""
import time
from datetime import date

import asyncpg

TABLES = ("loans", "instalments", "payments", "delinquency_state")


def loan_id(n: int) -> str:
    """The id _BOOK gives loan n (1-based)."""
    return f"BENCH-L{n:08d}"

_BOOK = """
CREATE UNLOGGED TABLE bench_book AS
SELECT n, 'BENCH-L' || lpad(n::text, 8, '0') AS loan_id, (ARRAY[3, 6, 12])[n % 3 + 1] AS terms,
       $2::date - (1 + (n * 7) % 359) AS originated_on, (50000 + (n::bigint * 104729) % 2000000) AS principal,
       CASE WHEN n % 20 < 12 THEN 'full' WHEN n % 20 < 17 THEN 'half' ELSE 'none' END AS payer
FROM generate_series(1, $1::int) n
"""
_LOANS = """
INSERT INTO loans (loan_id, customer_id, product, merchant, currency, principal, originated_at)
SELECT loan_id, 'BENCH-C' || lpad(n::text, 8, '0'), 'phone', 'mall', 'CNY', principal,
       (originated_on + time '10:00') AT TIME ZONE 'Asia/Shanghai'
FROM bench_book
"""
_INSTALMENTS = """
INSERT INTO instalments (loan_id, sequence, due_date, amount_due)
SELECT loan_id, k, (originated_on + make_interval(months => k))::date,
       principal / terms + CASE WHEN k = terms THEN principal % terms ELSE 0 END
FROM bench_book, generate_series(1, terms) k
"""
_PAYMENTS = """
INSERT INTO payments (payment_id, loan_id, amount, currency, paid_at, business_date, channel)
SELECT b.loan_id || '-P' || i.sequence, b.loan_id,
       CASE WHEN b.payer = 'full' THEN i.amount_due ELSE greatest(i.amount_due / 2, 1) END, 'CNY',
       (i.due_date - 2 + time '12:00') AT TIME ZONE 'Asia/Shanghai', i.due_date - 2, 'alipay'
FROM bench_book b JOIN instalments i USING (loan_id)
WHERE b.payer <> 'none' AND i.due_date - 2 <= $1::date
"""
_STATES = """
INSERT INTO delinquency_state (loan_id, outstanding_amount) SELECT loan_id, principal FROM bench_book
"""
_KEYS = """
SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def, contype::text AS contype
FROM pg_constraint WHERE conrelid = ANY($1::regclass[]) AND contype IN ('p', 'f', 'u')
"""
_INDEXES = """
SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index
WHERE indrelid = ANY($1::regclass[]) AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)
"""


async def load_book(conn: asyncpg.Connection, loans: int, first_date: date) -> dict:
    """Fill the (empty, migrated) tables; returns row counts and seconds per step."""
    seconds: dict[str, float] = {}

    async def step(name: str, sql: str, *args) -> None:
        started = time.perf_counter()
        await conn.execute(sql, *args)
        seconds[name] = round(time.perf_counter() - started, 2)

    await conn.execute("SET maintenance_work_mem = '512MB'")
    keys = await conn.fetch(_KEYS, list(TABLES))
    indexes = await conn.fetch(_INDEXES, list(TABLES))
    for key in sorted(keys, key=lambda k: k["contype"] != "f"):  # foreign keys first
        await conn.execute(f'ALTER TABLE {key["tbl"]} DROP CONSTRAINT "{key["name"]}"')
    for index in indexes:
        await conn.execute(f"DROP INDEX {index['name']}")
    await step("book", _BOOK, loans, first_date)
    await step("loans", _LOANS)
    await step("instalments", _INSTALMENTS)
    await step("payments", _PAYMENTS, first_date)
    await step("delinquency_state", _STATES)
    await conn.execute("DROP TABLE bench_book")
    started = time.perf_counter()
    for key in sorted(keys, key=lambda k: k["contype"] == "f"):  # foreign keys last
        await conn.execute(f'ALTER TABLE {key["tbl"]} ADD CONSTRAINT "{key["name"]}" {key["def"]}')
    for index in indexes:
        await conn.execute(index["def"])
    seconds["keys_and_indexes"] = round(time.perf_counter() - started, 2)
    await step("vacuum_analyze", "VACUUM ANALYZE")
    rows = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
    return {"rows": rows, "load_seconds": seconds}
