"""Agreement tracking's handler and use cases on a real Postgres, without Kafka: what a collector, a
supervisor, the borrower and the teams downstream would notice (statuses, refusals, announced events)."""
import uuid
from datetime import timedelta

import pytest

from services.agreement.app import EVENT_IDS, SOURCE, emitter
from services.agreement.context import Context
from services.agreement.domain.evidence import Signature, text_hash
from services.agreement.domain.lifecycle import TransitionError
from services.agreement.domain.months import add_months
from services.agreement.handlers import AgreementHandler
from services.agreement.proposals import OutsidePolicy, approve, propose, sign
from services.agreement.store import agreements
from shared.events.codec import decode
from shared.events.dispatch import NegotiatedTerms
from shared.refusal import Conflict, NotFound
from tests.helpers.agreement import (
    OVERDUE,
    POLICY,
    TODAY,
    at,
    became_overdue,
    loan_closed,
    terms,
    visit_completed,
)
from tests.helpers.loan_events import SHANGHAI, payment
from tests.helpers.service_tier import emitted, incoming
from tests.helpers.service_under_test import tick

CTX = Context(POLICY, SHANGHAI)
HANDLER = AgreementHandler(CTX)
AT_THE_DOOR = AgreementHandler(CTX, sandbox_signatures=True)
FIRST_DUE = TODAY + timedelta(days=7)
THIRDS = [1_000_000, 1_000_000, 1_000_000]
LARGE_WAIVER = POLICY.waiver_supervisor_threshold + 1


def thirds(waiver: int = 0) -> dict:
    to_pay = OVERDUE - waiver
    return terms([to_pay - 2 * (to_pay // 3), to_pay // 3, to_pay // 3], FIRST_DUE, waiver=waiver)


async def started(tx, *loans: str) -> None:
    """The clock on TODAY 09:00 and an open case for each loan (customer C<n> for loan L<n>)."""
    await HANDLER(tx, incoming("clock", ("clock", tick(at(TODAY, 9)))))
    await HANDLER(tx, incoming("delinquency-events", *[became_overdue(loan, "C" + loan[1:]) for loan in loans]))


async def proposed_by_staff(tx, loan_id: str, negotiated: dict) -> str:
    result = await propose(tx, CTX, loan_id=loan_id, negotiated=NegotiatedTerms.model_validate(negotiated),
                           source="staff", now=tx.time)
    assert result.violations == [] and result.created, result
    return result.agreement_id


async def borrower_signs(tx, agreement_id: str) -> str:
    row = await agreements.agreement(tx.conn, agreement_id)
    return await sign(tx, agreement_id, Signature("the borrower", "e_signature", tx.time,
                                                  text_hash(row["agreement_text"])))


async def status(tx, agreement_id: str) -> str:
    return (await agreements.agreement(tx.conn, agreement_id))["status"]


def loan_events(*events):
    return incoming("loan-events", *[(key, value) for _, key, value in events])


def types(tx) -> list[str]:
    return [kind for kind, _ in emitted(tx)]


async def test_a_negotiated_visit_is_proposed_once_under_an_id_derived_from_the_visit(agreement_db):
    async with agreement_db.rolled_back(emitter("agreement-events"), None) as tx:
        await started(tx, "L1")
        first = visit_completed("visit-1", "L1", "C1", negotiated=thirds())
        again = visit_completed("visit-1", "L1", "C1", negotiated=thirds())  # redelivered with a new event id
        await HANDLER(tx, incoming("dispatch-events", first, again))

        [(kind, data)] = emitted(tx)
        assert kind == "agreement.proposed"
        assert (data.agreement_id, data.source, data.requires_approval) == ("agr-visit-1", "visit", False)
        # ids and source as before the refactor: downstream inboxes keep deduplicating replays
        envelope = decode(tx.outbox[0].payload).envelope
        assert envelope.id == str(uuid.uuid5(EVENT_IDS, "AgreementProposed:agr-visit-1"))
        assert envelope.source == SOURCE == "collections/agreement-tracking"
        assert (tx.outbox[0].topic, tx.outbox[0].key) == ("agreement-events", "L1")
        assert await status(tx, "agr-visit-1") == "proposed"


async def test_at_the_door_the_sandbox_borrower_signs_only_terms_that_need_no_approval(agreement_db):
    async with agreement_db.rolled_back(emitter("agreement-events"), None) as tx:
        await started(tx, "L1", "L2")
        await AT_THE_DOOR(tx, incoming("dispatch-events",
                                       visit_completed("visit-1", "L1", "C1", negotiated=thirds()),
                                       visit_completed("visit-2", "L2", "C2", negotiated=thirds(LARGE_WAIVER))))

        assert [(kind, data.agreement_id) for kind, data in emitted(tx)] == [
            ("agreement.proposed", "agr-visit-1"), ("agreement.signed", "agr-visit-1"),
            ("agreement.proposed", "agr-visit-2")]
        proposed, signed = emitted(tx)[0][1], emitted(tx)[1][1]
        assert signed.method == "in_person_tablet"
        # at the door, when the visit reports it, not at this service's clock (still at 09:00)
        assert proposed.proposed_at == signed.signed_at == at(TODAY, 15)
        assert (await status(tx, "agr-visit-1"), await status(tx, "agr-visit-2")) == ("active", "proposed")


async def test_terms_outside_policy_propose_nothing_and_the_refusal_names_every_broken_rule(agreement_db):
    async with agreement_db.rolled_back(emitter("agreement-events"), None) as tx:
        await started(tx, "L1")
        too_long = NegotiatedTerms.model_validate(terms([OVERDUE // 24] * 24, FIRST_DUE))
        result = await propose(tx, CTX, loan_id="L1", negotiated=too_long, source="staff", now=tx.time)
        no_case = await propose(tx, CTX, loan_id="L9", negotiated=too_long, source="staff", now=tx.time)

        assert result.agreement_id is None and "term.too_long" in [v.rule_id for v in result.violations]
        assert [v.rule_id for v in no_case.violations] == ["case.not_open"]
        assert emitted(tx) == [] and await tx.conn.fetch("SELECT * FROM agreements") == []
        refusal = OutsidePolicy(result.violations, POLICY.version)
        assert (refusal.kind, refusal.code, refusal.details["policy_version"]) == (
            "invalid", "outside_policy", POLICY.version)
        assert {v["rule_id"] for v in refusal.details["violations"]} == {v.rule_id for v in result.violations}


async def test_a_large_waiver_is_signed_only_after_a_supervisor_approves_it(agreement_db):
    async with agreement_db.rolled_back(emitter("agreement-events"), None) as tx:
        await started(tx, "L1")
        agreement_id = await proposed_by_staff(tx, "L1", thirds(LARGE_WAIVER))

        with pytest.raises(TransitionError) as refused:
            await borrower_signs(tx, agreement_id)
        assert isinstance(refused.value, Conflict) and refused.value.code == "transition.approval_required"
        assert await approve(tx, agreement_id, "sup-1") == "approved"
        with pytest.raises(Conflict) as again:
            await approve(tx, agreement_id, "sup-1")
        assert again.value.code == "transition.illegal"
        assert await borrower_signs(tx, agreement_id) == "active"

        assert types(tx) == ["agreement.proposed", "agreement.approved", "agreement.signed"]
        row = await agreements.agreement(tx.conn, agreement_id)
        assert (row["status"], row["approved_at"], row["signed_at"]) == ("active", tx.time, tx.time)


async def test_a_second_agreement_on_the_loan_cannot_come_into_force(agreement_db):
    async with agreement_db.rolled_back(emitter("agreement-events"), None) as tx:
        await started(tx, "L1")
        first = await proposed_by_staff(tx, "L1", thirds())
        second = await proposed_by_staff(tx, "L1", terms([OVERDUE], FIRST_DUE))
        assert await borrower_signs(tx, first) == "active"

        with pytest.raises(Conflict) as refused:
            await borrower_signs(tx, second)
        assert refused.value.code == "agreement.in_force"
        assert await status(tx, second) == "proposed"
        third = await propose(tx, CTX, loan_id="L1", negotiated=NegotiatedTerms.model_validate(thirds()),
                              source="staff", now=tx.time)
        assert [v.rule_id for v in third.violations] == ["agreement.in_force"]


async def test_an_unknown_agreement_is_not_found(agreement_db):
    async with agreement_db.rolled_back(emitter("agreement-events"), None) as tx:
        await started(tx)
        with pytest.raises(NotFound) as missing:
            await approve(tx, "agr-none", "sup-1")
        assert missing.value.code == "agreement_not_found"
        with pytest.raises(NotFound):
            await sign(tx, "agr-none", Signature("b", "e_signature", tx.time, "0" * 64))


async def test_payments_pay_instalments_oldest_first_until_the_agreement_is_fulfilled(agreement_db):
    async with agreement_db.rolled_back(emitter("agreement-events"), None) as tx:
        await started(tx, "L1")
        agreement_id = await proposed_by_staff(tx, "L1", terms(THIRDS, FIRST_DUE))
        await borrower_signs(tx, agreement_id)

        await HANDLER(tx, loan_events(payment("P1", "L1", 1_500_000, at(TODAY, 11))))
        paid = [data.sequence for kind, data in emitted(tx) if kind == "agreement.instalment_paid"]
        assert paid == [1]
        await HANDLER(tx, loan_events(payment("P2", "L1", 1_500_000, at(TODAY, 12))))

        assert types(tx)[2:] == ["agreement.instalment_paid", "agreement.instalment_paid",
                                 "agreement.instalment_paid", "agreement.fulfilled"]
        assert await status(tx, agreement_id) == "fulfilled"
        lines = await agreements.instalments(tx.conn, agreement_id)
        assert [(line["paid"], line["missed"]) for line in lines] == [(True, False)] * 3


async def test_the_clock_misses_unpaid_instalments_after_the_grace_days_and_two_break_the_agreement(agreement_db):
    async with agreement_db.rolled_back(emitter("agreement-events"), None) as tx:
        await started(tx, "L1")
        agreement_id = await proposed_by_staff(tx, "L1", terms(THIRDS, FIRST_DUE))
        await borrower_signs(tx, agreement_id)
        grace = timedelta(days=POLICY.grace_days)

        await HANDLER(tx, incoming("clock", ("clock", tick(at(FIRST_DUE + grace, 23)))))
        assert types(tx) == ["agreement.proposed", "agreement.signed"], "still within the grace days"
        await HANDLER(tx, incoming("clock", ("clock", tick(at(FIRST_DUE + grace + timedelta(days=1), 0)))))
        [(kind, missed)] = emitted(tx)[2:]
        assert (kind, missed.sequence, missed.unpaid) == ("agreement.instalment_missed", 1, THIRDS[0])
        assert await status(tx, agreement_id) == "active"
        second_missed = at(add_months(FIRST_DUE, 1) + grace + timedelta(days=1), 0)
        await HANDLER(tx, incoming("clock", ("clock", tick(second_missed))))
        await HANDLER(tx, incoming("clock", ("clock", tick(second_missed - timedelta(hours=1)))))  # stale

        assert types(tx)[2:] == ["agreement.instalment_missed", "agreement.instalment_missed",
                                 "agreement.broken"]
        broken = emitted(tx)[-1][1]
        assert (broken.missed_instalments, broken.unpaid) == (2, sum(THIRDS)), "all that is left unpaid"
        assert await status(tx, agreement_id) == "broken"
        await HANDLER(tx, incoming("clock", ("clock", tick(at(add_months(FIRST_DUE, 6), 9)))))
        assert len(emitted(tx)) == 5, "a broken agreement is over: nothing more is announced"


async def test_a_loan_closed_upstream_ends_its_open_agreements_once(agreement_db):
    async with agreement_db.rolled_back(emitter("agreement-events"), None) as tx:
        await started(tx, "L1")
        active = await proposed_by_staff(tx, "L1", thirds())
        pending = await proposed_by_staff(tx, "L1", terms([OVERDUE], FIRST_DUE))
        await borrower_signs(tx, active)

        closed = loan_closed("L1", "C1", reason="sold")
        await HANDLER(tx, incoming("delinquency-events", closed))
        await HANDLER(tx, incoming("delinquency-events", closed))

        ended = [(data.agreement_id, data.reason) for kind, data in emitted(tx) if kind == "agreement.ended"]
        assert sorted(ended) == sorted([(active, "loan_closed"), (pending, "loan_closed")])
        assert (await status(tx, active), await status(tx, pending)) == ("ended", "ended")
        assert await tx.conn.fetch("SELECT * FROM cases WHERE open") == []
