"""In the sandbox nobody answers a visit-time offer, so this plays the borrower who does.

It answers through the same code path as the customer portal's visit confirmation; the choice
(no answer, or slot 1-3) is a pure function of the attempt id, so runs replay identically.
"""
import hashlib

from services.outreach.borrower_rights import confirm_visit
from services.outreach.context import Outreach
from services.outreach.requests import VisitConfirmation
from services.outreach.store import contacts
from shared.db.unit_of_work import UnitOfWork

ANSWER_PERCENT = 60


def sandbox_choice(attempt_id: str) -> int | None:
    point = int.from_bytes(hashlib.sha256(f"visit:{attempt_id}".encode()).digest()[:8], "big") % 100
    return None if point >= ANSWER_PERCENT else 1 + point % 3


async def answer_visit_offer(unit: UnitOfWork, ctx: Outreach, attempt_id: str) -> None:
    slot = sandbox_choice(attempt_id)
    if slot is None:
        return

    async def work(conn, now, after):
        attempt = await contacts.attempt(conn, attempt_id)
        if attempt is None or attempt["purpose"] != "visit_confirmation":
            return None, []
        _, messages = await confirm_visit(conn, ctx, attempt["customer_id"], VisitConfirmation(slot=slot), now, after)
        return None, messages

    await unit.run(work)
