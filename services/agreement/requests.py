"""The shapes of agreement tracking's HTTP requests; anything else is a clear 400.

Who approves and who signs is taken from the caller's token, not from these bodies: `ApprovalIn.supervisor`
is accepted for compatibility and ignored, `SignatureIn.signer` is only the name signed with, and
`SignatureIn.signed_at` is read only from a collector's app (see services/agreement/api.py).
"""
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.dispatch import NegotiatedTerms
from shared.web import Id


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProposalIn(_Request):
    loan_id: Id
    terms: NegotiatedTerms


class SignatureIn(_Request):
    signer: str | None = Field(default=None, min_length=1, max_length=128,
                               description="the name signed with; the signer recorded is the token's holder")
    method: Literal["in_person_tablet", "e_signature", "paper_scan"]
    text_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    signed_at: AwareDatetime | None = Field(default=None, description=(
        "when a collector's app took the signature; used only from a collector's token and only between the"
        " proposal and the service's clock, otherwise the service clock's time"))


class ApprovalIn(_Request):
    supervisor: str | None = Field(default=None, min_length=1, max_length=128,
                                   description="ignored: the approving supervisor is the token's subject")
