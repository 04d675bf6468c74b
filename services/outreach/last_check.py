"""The last check at the moment of action: right before the sender hands an attempt to the gateway or dialer,
the rule book judges it again on the latest facts (complaints, stop requests and preferences, hours, caps, an
agreement in force, a dispute, a paid-up loan), with the attempt itself left out of the caps it is counted in.

Blocked, the attempt is not sent: it is cancelled, its final decision (the rule, the policy version of now, and
when a rule time lifts, the earliest retry) is recorded and announced, a visit-time offer it carried is
withdrawn, and its case, if it was waiting for this attempt's outcome, waits as a blocked step does.
"""
import asyncpg

from services.outreach.casework import record_final_block, view
from services.outreach.context import Outreach
from services.outreach.domain.model import ContactRequest, Decision
from services.outreach.domain.planning import after_block, offer_id
from services.outreach.domain.rule_engine import decide
from services.outreach.domain.waiting import WaitingFor
from services.outreach.store import cases, contacts, people, visits
from shared.db.tx import Tx

NO_FILE = "file.missing"  # the person's file is gone: nothing can be judged, so nothing is sent


async def clear_to_send(tx: Tx, ctx: Outreach, attempt: asyncpg.Record) -> bool:
    """True: hand it over now. False: stopped, and why is recorded."""
    now = tx.time
    files = await people.people(tx.conn, [attempt["customer_id"]], now, leaving_out=attempt["attempt_id"])
    person = files.get(attempt["customer_id"])
    request = ContactRequest(attempt["customer_id"], attempt["case_id"] or "", attempt["channel"],
                             attempt["recipient"], attempt["destination"], attempt["purpose"], attempt["template_id"])
    decision = (decide(request, person.history, ctx.rulebook, now) if person is not None
                else Decision(False, NO_FILE, ctx.rulebook.version))
    if decision.allowed:
        return True
    await contacts.cancel_attempt(tx.conn, attempt["attempt_id"])
    await record_final_block(tx, attempt, decision, now)
    await visits.withdraw(tx.conn, offer_id(attempt["attempt_id"]))
    case = await cases.case(tx.conn, attempt["case_id"]) if attempt["case_id"] else None
    if case is not None and case.waiting_for == WaitingFor.OUTCOME:
        await cases.save_plan(tx.conn, case.case_id, after_block(view(ctx, case), decision))
    return False
