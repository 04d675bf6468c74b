"""The shapes of agreement tracking's HTTP requests; anything else is a clear 400."""
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.dispatch import NegotiatedTerms


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProposalIn(_Request):
    loan_id: str = Field(min_length=1, max_length=128)
    terms: NegotiatedTerms


class SignatureIn(_Request):
    signer: str = Field(min_length=1, max_length=128)
    method: Literal["in_person_tablet", "e_signature", "paper_scan"]
    text_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    signed_at: AwareDatetime | None = None


class ApprovalIn(_Request):
    supervisor: str = Field(min_length=1, max_length=128)
