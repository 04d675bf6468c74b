"""A proposal (from a negotiated visit or from staff) checked against policy, approved, signed."""
import uuid
from datetime import datetime

import asyncpg

from services.agreement import metrics
from services.agreement.context import Agreements
from services.agreement.domain.evidence import Signature, agreement_text, text_hash
from services.agreement.domain.lifecycle import AgreementState, Approval, TransitionError, approve, sign
from services.agreement.domain.proposal import Terms, Violation, check_terms, needs_approval
from services.agreement.events_out import agreement_message
from services.agreement.store import agreements
from shared.events import agreement as contract
from shared.events.dispatch import NegotiatedTerms
from shared.kafka.batch import AfterCommit


def terms_of(negotiated: NegotiatedTerms) -> Terms:
    return Terms(negotiated.currency, tuple((i.due_date, i.amount) for i in negotiated.instalments),
                 negotiated.waiver_amount)


async def propose(conn: asyncpg.Connection, ctx: Agreements, *, loan_id: str, negotiated: NegotiatedTerms,
                  source: str, now: datetime, after: AfterCommit, visit_id: str | None = None,
                  agreement_id: str | None = None) -> tuple[str, list[Violation], list]:
    """(agreement id, violations, messages); with violations nothing is proposed."""
    case = await agreements.open_case_of_loan(conn, loan_id)
    if case is None:
        return "", [Violation("case.not_open", "the loan has no open delinquency case to agree on")], []
    if await agreements.in_force(conn, loan_id):  # one payment stream cannot keep two agreements
        return "", [Violation("agreement.in_force", "the loan already has a signed agreement in force")], []
    terms, today = terms_of(negotiated), now.astimezone(ctx.zone).date()
    violations = check_terms(terms, case["overdue_amount"], today, ctx.policy, debt_currency=case["currency"])
    if violations:
        for violation in violations:
            after.append(lambda rule=violation.rule_id: metrics.PROPOSALS_REJECTED.labels(rule).inc())
        return "", violations, []
    agreement_id = agreement_id or str(uuid.uuid4())
    text = agreement_text(terms, agreement_id=agreement_id, loan_id=loan_id, customer_id=case["customer_id"],
                          policy=ctx.policy)
    row = dict(agreement_id=agreement_id, case_id=case["case_id"], loan_id=loan_id, customer_id=case["customer_id"],
               status="proposed", source=source, visit_id=visit_id, currency=terms.currency,
               waiver_amount=terms.waiver_amount, requires_approval=needs_approval(terms, ctx.policy),
               policy_version=ctx.policy.version, violations=None, agreement_text=text, proposed_at=now)
    if not await agreements.add(conn, row, list(terms.instalments)):
        return agreement_id, [], []  # the same visit's terms again
    after.append(lambda: metrics.AGREEMENTS.labels("proposed").inc())
    data = contract.AgreementProposed(agreement_id=agreement_id, case_id=case["case_id"], loan_id=loan_id,
                                      customer_id=case["customer_id"], terms=negotiated,
                                      requires_approval=row["requires_approval"], policy_version=ctx.policy.version,
                                      source=source, proposed_at=now)
    return agreement_id, [], [agreement_message(data, topic=ctx.topic, key=loan_id, time=now, cause=agreement_id)]


def state_of(row) -> AgreementState:
    return AgreementState(row["status"], row["requires_approval"], text_hash(row["agreement_text"]),
                          row["policy_version"])


async def approve_agreement(conn, ctx: Agreements, row, supervisor: str, now: datetime, after: AfterCommit) -> list:
    approve(state_of(row), Approval(supervisor, now))  # raises TransitionError when not allowed
    await agreements.set_status(conn, row["agreement_id"], "approved", now, "approved_at")
    after.append(lambda: metrics.AGREEMENTS.labels("approved").inc())
    data = contract.AgreementApproved(approved_at=now, **_ref(row))
    return [agreement_message(data, topic=ctx.topic, key=row["loan_id"], time=now, cause=f"{row['agreement_id']}:ok")]


async def sign_agreement(conn, ctx: Agreements, row, signature: Signature, after: AfterCommit) -> list:
    sign(state_of(row), signature)  # raises TransitionError: approval first, the text proposed only
    if await agreements.in_force(conn, row["loan_id"]):
        raise TransitionError("agreement.in_force", "the loan already has a signed agreement in force")
    await agreements.sign(conn, row["agreement_id"], {"signer": signature.signer, "method": signature.method,
                                                      "text_hash": signature.text_hash}, signature.signed_at)
    after.append(lambda: metrics.AGREEMENTS.labels("signed").inc())
    data = contract.AgreementSigned(signed_at=signature.signed_at, method=signature.method,
                                    text_hash=signature.text_hash, **_ref(row))
    return [agreement_message(data, topic=ctx.topic, key=row["loan_id"], time=signature.signed_at,
                              cause=f"{row['agreement_id']}:signed")]


def _ref(row) -> dict:
    return dict(agreement_id=row["agreement_id"], case_id=row["case_id"], loan_id=row["loan_id"],
                customer_id=row["customer_id"])


