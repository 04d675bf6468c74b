"""A call whose outcome is unknown may have been a conversation, on a real Postgres: the person's other case does
not call meanwhile, and goes on as soon as the outcome says it was not."""
from datetime import timedelta

from services.outreach.outcomes import record_outcome
from tests.helpers.outreach import at
from tests.service.outreach.support import CTX, DAY, EVENTS, attempts, blocked, case_row, overdue_case, tick_at


async def on_the_call_step(tx, label: str, loan_id: str) -> str:
    case_id = await overdue_case(tx, label, loan_id=loan_id)
    await tx.conn.execute("UPDATE cases SET ladder = 'early', step_index = 1 WHERE case_id = $1", case_id)
    return case_id


async def test_no_second_call_while_the_first_ones_outcome_is_unknown(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        first = await on_the_call_step(tx, "unknown-first", "L1")
        second = await on_the_call_step(tx, "unknown-second", "L2")
        await tick_at(tx, at(DAY, 10))
        [call] = await attempts(tx)
        [held] = blocked(tx)
        assert {call["case_id"], held.case_id} == {first, second}
        assert (held.rule_id, held.retry_at) == ("cap.calls.outcome_unknown", at(DAY, 10) + timedelta(hours=24))
        waiting = await case_row(tx, held.case_id)
        assert waiting["waiting_for"] == "rule"

        await tick_at(tx, at(DAY, 10, 30))
        await record_outcome(tx, CTX, call["attempt_id"], "no_answer")  # not a conversation after all
        assert (await case_row(tx, held.case_id))["next_action_at"] == at(DAY, 10, 30)
        await tick_at(tx, at(DAY, 11))
        assert [a["case_id"] for a in await attempts(tx)] == [call["case_id"], held.case_id]


async def test_a_reached_borrower_is_not_called_again_by_the_other_case(outreach_db):
    async with outreach_db.rolled_back(EVENTS, None) as tx:
        await on_the_call_step(tx, "reached-first", "L1")
        await on_the_call_step(tx, "reached-second", "L2")
        await tick_at(tx, at(DAY, 10))
        [call] = await attempts(tx)
        await tick_at(tx, at(DAY, 10, 30))
        await record_outcome(tx, CTX, call["attempt_id"], "reached")
        await tick_at(tx, at(DAY, 11))
        assert len(await attempts(tx)) == 1
        assert [b.rule_id for b in blocked(tx)] == ["cap.calls.outcome_unknown", "cap.calls.after_conversation"]
