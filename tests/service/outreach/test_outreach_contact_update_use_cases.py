"""Contact details on a real Postgres: the latest by event time wins for the time zone, the phones and the
address, whatever order the updates and the loan's origination are read in."""
from datetime import datetime, timedelta

from services.outreach.store import people
from tests.helpers.loan_events import SHANGHAI
from tests.service.outreach.events import contact_updated, originated
from tests.service.outreach.support import EVENTS, handle

T0 = datetime(2026, 1, 5, 9, tzinfo=SHANGHAI)  # the loan's origination
T1, T2 = T0 + timedelta(days=10), T0 + timedelta(days=20)


async def details(tx, customer_id: str = "C1"):
    customer = await tx.conn.fetchrow("SELECT first_name, time_zone FROM customers WHERE customer_id = $1",
                                      customer_id)
    phones = await tx.conn.fetch("SELECT destination FROM contact_points WHERE customer_id = $1 AND kind = 'borrower'"
                                 " ORDER BY destination", customer_id)
    loans = await tx.conn.fetch("SELECT address->>'line' AS line FROM customer_loans WHERE customer_id = $1"
                                " ORDER BY loan_id", customer_id)
    return customer["time_zone"], [p["destination"] for p in phones], [loan["line"] for loan in loans]


async def test_an_older_update_read_later_does_not_replace_a_newer_one(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await handle(tx, "loan-events", originated("L1", "C1", T0, phones=["13800000000"]))
        await handle(tx, "loan-events", contact_updated("C1", T2, phones=["13700000002"], address_line="2 New Road",
                                                        time_zone="Asia/Tokyo"))
        await handle(tx, "loan-events", contact_updated("C1", T1, phones=["13700000001"], address_line="1 Old Road",
                                                        time_zone="Asia/Urumqi"))
        assert await details(tx) == ("Asia/Tokyo", ["13700000002"], ["2 New Road"])


async def test_in_the_order_they_happened_each_update_replaces_the_last(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await handle(tx, "loan-events", originated("L1", "C1", T0, phones=["13800000000"]))
        await handle(tx, "loan-events", contact_updated("C1", T1, phones=["13700000001"], address_line="1 Old Road",
                                                        time_zone="Asia/Urumqi"))
        await handle(tx, "loan-events", contact_updated("C1", T2, phones=["13700000002"], address_line="2 New Road",
                                                        time_zone="Asia/Tokyo"))
        assert await details(tx) == ("Asia/Tokyo", ["13700000002"], ["2 New Road"])


async def test_each_detail_is_the_latest_said_about_it(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await handle(tx, "loan-events", originated("L1", "C1", T0, phones=["13800000000"]))
        await handle(tx, "loan-events", contact_updated("C1", T2, address_line="2 New Road"))  # the address only
        await handle(tx, "loan-events", contact_updated("C1", T1, phones=["13700000001"], address_line="1 Old Road"))
        assert await details(tx) == ("Asia/Shanghai", ["13700000001"], ["2 New Road"])


async def test_an_update_read_before_the_origination_is_kept_and_wins_if_later(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await handle(tx, "loan-events", contact_updated("C1", T1, phones=["13700000001"], address_line="1 Old Road",
                                                        time_zone="Asia/Tokyo"))
        assert not await people.known(tx.conn, "C1")  # nobody outreach acts for until a loan names them
        assert await people.people(tx.conn, ["C1"], T1) == {}
        await handle(tx, "loan-events", originated("L1", "C1", T0, phones=["13800000000"]))
        assert await details(tx) == ("Asia/Tokyo", ["13700000001"], ["1 Old Road"])
        person = (await people.people(tx.conn, ["C1"], T1))["C1"]
        assert person.borrower_numbers == ("13700000001",) and person.emergency_numbers == ("13900000009",)
        assert person.history.time_zone == "Asia/Tokyo" and await people.known(tx.conn, "C1")


async def test_a_loan_originated_after_an_update_adds_its_details_over_it(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await handle(tx, "loan-events", originated("L1", "C1", T0, phones=["13800000000"]))
        await handle(tx, "loan-events", originated("L2", "C1", T2, phones=["13600000002"], address_line="3 Far Road",
                                                   time_zone="Asia/Tokyo"))
        # read after the second loan, written before it: its list of phones did not know the second loan's number
        await handle(tx, "loan-events", contact_updated("C1", T1, phones=["13700000001"], address_line="1 Old Road",
                                                        time_zone="Asia/Urumqi"))
        assert await details(tx) == ("Asia/Tokyo", ["13600000002", "13700000001"], ["1 Old Road", "3 Far Road"])
