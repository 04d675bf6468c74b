"""In `make run` nobody holds the tablet at the door: the sandbox borrower signs negotiated terms
that need no approval, through the same function as `POST /agreements/{id}/sign`."""
from datetime import datetime

from services.agreement.context import Agreements
from services.agreement.domain.evidence import Signature, text_hash
from services.agreement.proposals import sign_agreement
from services.agreement.store import agreements


async def sign_at_the_door(conn, ctx: Agreements, agreement_id: str, now: datetime, after) -> list:
    row = await agreements.agreement(conn, agreement_id, lock=True)
    if row is None or row["requires_approval"]:
        return []
    signature = Signature(signer=row["customer_id"], method="in_person_tablet", signed_at=now,
                          text_hash=text_hash(row["agreement_text"]))
    return await sign_agreement(conn, ctx, row, signature, after)
