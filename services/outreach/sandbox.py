"""`make run`'s counterparts of outreach: the gateway's and dialer's reports, and the borrower who answers.

The sandbox channel provider (channels/sandbox.py) accepts every message and hands its outcome to
`reporter`; the report goes through the same use case as a dialer's callback (`record_outcome`), and
a delivered visit-time offer is answered through the customer portal's use case (`confirm_visit`).
Whether and which slot the borrower picks is a pure function of the attempt id, so runs replay
identically.
"""
from collections.abc import Awaitable, Callable

from services.outreach.borrower_rights import confirm_visit
from services.outreach.context import Outreach
from services.outreach.outcomes import record_outcome
from services.outreach.store import contacts
from shared.db.tx import Tx, UnitOfWork
from shared.refusal import Refusal, Unavailable
from shared.stable_pick import stable_percent

ANSWER_PERCENT = 60  # of visit-time offers delivered, the share the sandbox borrower answers
Report = Callable[[str, str], Awaitable[None]]


def sandbox_choice(attempt_id: str) -> int | None:
    """The slot (1-3) the sandbox borrower picks for the offer sent by this attempt, or None: no answer."""
    point = stable_percent(f"visit:{attempt_id}")
    return None if point >= ANSWER_PERCENT else 1 + point % 3


def reporter(unit: UnitOfWork, ctx: Outreach) -> Report:
    """What the sandbox provider calls with each attempt's outcome."""

    async def report(attempt_id: str, outcome: str) -> None:
        await unit.run(lambda tx: record_outcome(tx, ctx, attempt_id, outcome))
        if outcome == "delivered":
            await answer_visit_offer(unit, ctx, attempt_id)

    return report


async def answer_visit_offer(unit: UnitOfWork, ctx: Outreach, attempt_id: str) -> None:
    """The borrower picks a slot of the offer this attempt delivered, if it was one and they answer."""
    slot = sandbox_choice(attempt_id)
    if slot is None:
        return

    async def answer(tx: Tx) -> None:
        attempt = await contacts.attempt(tx.conn, attempt_id)
        if attempt is None or attempt["purpose"] != "visit_confirmation":
            return
        await confirm_visit(tx, ctx, attempt["customer_id"], slot)

    try:
        await unit.run(answer)
    except Unavailable:  # no clock yet: the provider tries the attempt again
        raise
    except Refusal:  # the offer is gone (answered, expired, a complaint): a real borrower would be told so
        return
