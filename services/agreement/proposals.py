"""Proposing an agreement (from a negotiated visit or from staff), approving it, signing it.

Each step asks the pure rules (`domain/proposal.py` for the terms, `domain/lifecycle.py` for the
steps) and stores the state they return; an illegal step raises the lifecycle's `TransitionError`
(a 409 conflict naming the rule).
"""
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

import asyncpg

from services.agreement import metrics
from services.agreement.context import Context
from services.agreement.domain import lifecycle
from services.agreement.domain.evidence import Signature, agreement_text
from services.agreement.domain.proposal import Terms, Violation, check_terms, standing
from services.agreement.store import agreements
from shared.db.tx import Tx
from shared.events import agreement as contract
from shared.events.dispatch import NegotiatedTerms
from shared.refusal import Forbidden, Invalid, NotFound
from shared.rows import reference


@dataclass(frozen=True)
class Proposed:
    """What came of a proposal: its id and whether it is new, or the rules it breaks (then nothing)."""
    agreement_id: str | None
    violations: list[Violation]
    created: bool = False  # False for the same visit's terms again


SignerKind = Literal["borrower", "collector", "supervisor"]


@dataclass(frozen=True)
class SignedBy:
    """Who signed, as the caller's token says (never the request body): the borrower themself (through the
    portal: it must be the agreement's customer), the collector whose tablet took the signature, or the
    supervisor who recorded it."""
    kind: SignerKind
    id: str


class OutsidePolicy(Invalid):
    """The terms break the policy (422): every rule they break, and the policy version checked."""

    def __init__(self, violations: list[Violation], policy_version: str) -> None:
        super().__init__("outside_policy", "the terms break the agreement policy", policy_version=policy_version,
                         violations=[{"rule_id": v.rule_id, "message": v.message} for v in violations])


def terms_of(negotiated: NegotiatedTerms) -> Terms:
    return Terms(negotiated.currency, tuple((i.due_date, i.amount) for i in negotiated.instalments),
                 negotiated.waiver_amount)


async def propose(tx: Tx, ctx: Context, *, loan_id: str, negotiated: NegotiatedTerms, source: str, now: datetime,
                  visit_id: str | None = None, agreement_id: str | None = None) -> Proposed:
    """Propose the terms for the loan's open case as of `now`; with violations nothing is proposed.

    Returned rather than raised: a refused proposal still counts (a metric, once this commits)."""
    case = await agreements.open_case_of_loan(tx.conn, loan_id)
    if refused := standing(case is not None, case is not None and await agreements.in_force(tx.conn, loan_id)):
        return Proposed(None, [refused])
    terms = terms_of(negotiated)
    violations = check_terms(terms, case["overdue_amount"], ctx.business_date(now), ctx.policy,
                             debt_currency=case["currency"])
    if violations:
        for violation in violations:
            tx.on_commit(lambda rule=violation.rule_id: metrics.PROPOSALS_REJECTED.labels(rule).inc())
        return Proposed(None, violations)
    agreement_id = agreement_id or str(uuid.uuid4())
    text = agreement_text(terms, agreement_id=agreement_id, loan_id=loan_id, customer_id=case["customer_id"],
                          policy=ctx.policy)
    state = lifecycle.propose(terms, text, ctx.policy)
    if not await agreements.add(tx.conn, agreement_id=agreement_id, case_id=case["case_id"], loan_id=loan_id,
                                customer_id=case["customer_id"], state=state, source=source, visit_id=visit_id,
                                terms=terms, text=text, proposed_at=now):
        return Proposed(agreement_id, [])  # the same visit's terms again
    tx.on_commit(lambda: metrics.AGREEMENTS.labels("proposed").inc())
    tx.emit(contract.AgreementProposed(agreement_id=agreement_id, case_id=case["case_id"], loan_id=loan_id,
                                       customer_id=case["customer_id"], terms=negotiated,
                                       requires_approval=state.approval_required,
                                       policy_version=state.policy_version, source=source, proposed_at=now),
            key=loan_id, cause=agreement_id, time=now)
    return Proposed(agreement_id, [], created=True)


async def approve(tx: Tx, agreement_id: str, supervisor: str) -> str:
    """A supervisor approves a waiver above the threshold; returns the agreement's new status. `supervisor`
    is who approves: over HTTP, the subject of the supervisor's own token."""
    row = await _locked(tx, agreement_id)
    state = lifecycle.approve(agreements.state_of(row), lifecycle.Approval(supervisor, tx.time))
    await agreements.approve(tx.conn, agreement_id, state.status, tx.time, supervisor)
    tx.on_commit(lambda: metrics.AGREEMENTS.labels("approved").inc())
    tx.emit(contract.AgreementApproved(approved_at=tx.time, approved_by=supervisor, **reference(row, "agreement_id")),
            key=row["loan_id"], cause=f"{agreement_id}:ok")
    return state.status


async def sign(tx: Tx, agreement_id: str, signature: Signature, *, signed_by: SignedBy | None = None,
               reported_at: datetime | None = None) -> str:
    """The borrower signs the text proposed: the agreement is in force; returns its new status.

    `signed_by` (from the caller's token) is recorded with the signature; a borrower signs only their own
    agreement (Forbidden `not_your_customer`). `reported_at`, the time a collector's app reports the
    signature was taken, replaces `signature.signed_at` only when it lies between the proposal and the
    service's clock; otherwise the signature keeps `signed_at` (the service clock's time over HTTP)."""
    row = await _locked(tx, agreement_id)
    if signed_by is not None and signed_by.kind == "borrower" and signed_by.id != row["customer_id"]:
        raise Forbidden("not_your_customer", "this agreement belongs to another customer")
    if reported_at is not None and row["proposed_at"] <= reported_at <= tx.time:
        signature = replace(signature, signed_at=reported_at)
    state = lifecycle.sign(agreements.state_of(row), signature,
                           another_in_force=await agreements.in_force(tx.conn, row["loan_id"]))
    evidence: dict[str, object] = {"signer": signature.signer, "method": signature.method,
                                   "text_hash": signature.text_hash}
    if signed_by is not None:
        evidence["signed_by"] = {"kind": signed_by.kind, "id": signed_by.id}
    await agreements.sign(tx.conn, agreement_id, state.status, evidence, signature.signed_at)
    tx.on_commit(lambda: metrics.AGREEMENTS.labels("signed").inc())
    tx.emit(contract.AgreementSigned(signed_at=signature.signed_at, method=signature.method,
                                     text_hash=signature.text_hash, **reference(row, "agreement_id")),
            key=row["loan_id"], cause=f"{agreement_id}:signed", time=signature.signed_at)
    return state.status


async def _locked(tx: Tx, agreement_id: str) -> asyncpg.Record:
    row = await agreements.agreement(tx.conn, agreement_id, lock=True)
    if row is None:
        raise NotFound("agreement_not_found", "no agreement with this id")
    return row
