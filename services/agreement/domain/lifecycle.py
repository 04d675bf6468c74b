"""An agreement's life: proposed, approved when its waiver needs it, signed (active), then over.

    proposed --approve--> approved --sign--> active --follow--> fulfilled | broken
    proposed --sign (no approval needed)--> active
    any state that is not over --end (loan closed upstream)--> ended

Illegal steps raise `TransitionError`, a conflict refusal whose code is a
stable rule id (the API answers 409 naming it). Approving an agreement that does not need
approval is an error, not a no-op: a supervisor's name on a record that never
needed it would be false evidence. Once fulfilled, broken or ended the
agreement is over for good, and `follow` and `end` leave it unchanged, since
the clock, payments and a loan's closing keep arriving (and are replayed)
after that; a new agreement is a new proposal. A loan has one agreement in
force at a time (every payment on it counts toward every active agreement), so
signing while another is active is refused too.
"""
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, get_args

from services.agreement.domain.evidence import Signature, require, require_aware, text_hash
from services.agreement.domain.policy import AgreementPolicy
from services.agreement.domain.proposal import Terms, needs_approval
from services.agreement.domain.tracking import Tracked
from shared.refusal import Conflict

Status = Literal["proposed", "approved", "active", "fulfilled", "broken", "ended"]
TransitionRule = Literal[
    "agreement.in_force",
    "transition.approval_not_needed", "transition.approval_required", "transition.illegal",
    "signature.text_mismatch",
]
OVER: frozenset[Status] = frozenset({"fulfilled", "broken", "ended"})


class TransitionError(Conflict):
    """A step the lifecycle does not allow: refused as a conflict whose code is the rule id."""

    def __init__(self, rule_id: TransitionRule, message: str) -> None:
        super().__init__(rule_id, message)
        self.rule_id: TransitionRule = rule_id


@dataclass(frozen=True)
class Approval:
    supervisor: str
    approved_at: datetime

    def __post_init__(self) -> None:
        require(bool(self.supervisor), "an approval names its supervisor")
        require_aware(self.approved_at)


@dataclass(frozen=True)
class AgreementState:
    status: Status
    approval_required: bool
    text_hash: str  # of the text proposed; the only text a signature can be for
    policy_version: str
    approval: Approval | None = None
    signature: Signature | None = None
    end_reason: str | None = None


def propose(terms: Terms, text: str, policy: AgreementPolicy) -> AgreementState:
    """A new proposal; the caller has checked the terms (`check_terms`) and built `text` from them."""
    return AgreementState("proposed", needs_approval(terms, policy), text_hash(text), policy.version)


def approve(state: AgreementState, approval: Approval) -> AgreementState:
    if state.status != "proposed":
        raise TransitionError("transition.illegal", f"only a proposed agreement can be approved, not {state.status}")
    if not state.approval_required:
        raise TransitionError("transition.approval_not_needed", "its waiver is within the threshold")
    return replace(state, status="approved", approval=approval)


def sign(state: AgreementState, signature: Signature, *, another_in_force: bool = False) -> AgreementState:
    """The borrower signs: only now is the agreement active; `another_in_force` when another
    agreement on the same loan is active (then this one may not be)."""
    if state.status == "proposed" and state.approval_required:
        raise TransitionError("transition.approval_required", "its waiver waits for a supervisor's approval")
    if state.status not in ("proposed", "approved"):
        raise TransitionError("transition.illegal", f"an agreement that is {state.status} cannot be signed")
    if signature.text_hash != state.text_hash:
        raise TransitionError("signature.text_mismatch", "the signature is for a different text than proposed")
    if another_in_force:
        raise TransitionError("agreement.in_force", "the loan already has a signed agreement in force")
    return replace(state, status="active", signature=signature)


def follow(state: AgreementState, tracked: Tracked) -> AgreementState:
    """Take the status tracking worked out (`tracking.status_after`) for a signed agreement."""
    require(tracked in get_args(Tracked), f"tracking reports active, broken or fulfilled, not {tracked!r}")
    if state.status in OVER:
        return state
    if state.status != "active":
        raise TransitionError("transition.illegal", f"an agreement that is {state.status} is not tracked yet")
    return replace(state, status=tracked)


def end(state: AgreementState, reason: str) -> AgreementState:
    """The loan was closed upstream (paid off, written off, sold): nothing is left to agree on."""
    if state.status in OVER:
        return state
    return replace(state, status="ended", end_reason=reason)
