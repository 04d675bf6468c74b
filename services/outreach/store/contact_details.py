"""People's contact details from loan events, the latest by event time winning whatever order they are read in.

Each detail keeps the event time of the update that set it: the time zone (`time_zone_at`), the list of the
borrower's phones (`phones_at`, the last full list; and per number `listed_at`, the latest fact that listed
it), the address (`customers.address_at`, and per loan `customer_loans.address_at`). An origination is a fact
at its event time too: it names the person, adds their phones and emergency contacts, and gives its loan the
address, each only where no later update says otherwise. An update read before the origination is kept on a
row with no name yet.
"""
from datetime import datetime

import asyncpg

from shared.events.loan import CustomerContactUpdated, LoanOriginated

_NAMED = (
    "INSERT INTO customers (customer_id, first_name, time_zone, time_zone_at) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (customer_id) DO UPDATE SET first_name = coalesce(customers.first_name, excluded.first_name),"
    " time_zone = CASE WHEN customers.time_zone_at > excluded.time_zone_at THEN customers.time_zone"
    " ELSE excluded.time_zone END, time_zone_at = greatest(customers.time_zone_at, excluded.time_zone_at)"
)
# a borrower's number, unless a later full list of their phones left it out; an emergency contact's always
_LISTED = (
    "INSERT INTO contact_points (customer_id, destination, kind, relation, listed_at)"
    " SELECT $1, $2, $3, $4, $5 WHERE $3 = 'emergency_contact' OR NOT EXISTS"
    " (SELECT 1 FROM customers WHERE customer_id = $1 AND phones_at > $5)"
    " ON CONFLICT (customer_id, destination) DO UPDATE"
    " SET listed_at = greatest(contact_points.listed_at, excluded.listed_at)"
)
_LOAN = (
    "INSERT INTO customer_loans (loan_id, customer_id, product, currency, address, address_at)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (loan_id) DO NOTHING"
)
_LATER_ADDRESS = (  # an address update later than the origination, read before it
    "UPDATE customer_loans l SET address = c.address, address_at = c.address_at FROM customers c"
    " WHERE l.loan_id = $1 AND c.customer_id = l.customer_id AND c.address_at > l.address_at"
)


async def add_from_originations(conn: asyncpg.Connection, loans: list[tuple[LoanOriginated, datetime]]) -> None:
    """Each loan's origination, at its event time."""
    for loan, at in loans:
        borrower = loan.borrower
        await conn.execute(_NAMED, borrower.customer_id, borrower.name, borrower.time_zone, at)
        points = [(p, "borrower", None) for p in borrower.phones]
        points += [(c.phone, "emergency_contact", c.relation) for c in borrower.emergency_contacts]
        await conn.executemany(_LISTED, [(borrower.customer_id, *point, at) for point in points])
        await conn.execute(_LOAN, loan.loan_id, borrower.customer_id, loan.product, loan.currency,
                           borrower.address.model_dump_json(), at)
        await conn.execute(_LATER_ADDRESS, loan.loan_id)


async def apply_contact_update(conn: asyncpg.Connection, update: CustomerContactUpdated, at: datetime) -> None:
    """What the update says, at its event time, for each detail no later update has set."""
    customer = update.customer_id
    await conn.execute("INSERT INTO customers (customer_id) VALUES ($1) ON CONFLICT DO NOTHING", customer)
    if update.time_zone:
        await conn.execute("UPDATE customers SET time_zone = $2, time_zone_at = $3 WHERE customer_id = $1"
                           " AND (time_zone_at IS NULL OR time_zone_at <= $3)", customer, update.time_zone, at)
    if update.phones is not None and await _newer_list(conn, customer, at):
        # numbers left out go, unless a later origination listed them; the listed ones are listed as of `at`
        await conn.execute("DELETE FROM contact_points WHERE customer_id = $1 AND kind = 'borrower'"
                           " AND NOT (destination = ANY($2::text[])) AND (listed_at IS NULL OR listed_at < $3)",
                           customer, update.phones, at)
        await conn.executemany(_LISTED, [(customer, phone, "borrower", None, at) for phone in update.phones])
    if update.address is not None:
        address = update.address.model_dump_json()
        await conn.execute("UPDATE customers SET address = $2, address_at = $3 WHERE customer_id = $1"
                           " AND (address_at IS NULL OR address_at <= $3)", customer, address, at)
        await conn.execute("UPDATE customer_loans SET address = $2, address_at = $3 WHERE customer_id = $1"
                           " AND (address_at IS NULL OR address_at <= $3)", customer, address, at)


async def _newer_list(conn: asyncpg.Connection, customer_id: str, at: datetime) -> bool:
    """The phones listed at `at` are the latest full list heard: it becomes the one in force."""
    status = await conn.execute("UPDATE customers SET phones_at = $2 WHERE customer_id = $1"
                                " AND (phones_at IS NULL OR phones_at <= $2)", customer_id, at)
    return status.endswith(" 1")
