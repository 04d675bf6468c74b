"""In `make run` nobody holds the tablet at the door: the sandbox borrower signs negotiated terms
that need no approval, through the same use case as `POST /agreements/{id}/sign`."""
from datetime import datetime

from services.agreement.domain.evidence import Signature, text_hash
from services.agreement.proposals import sign
from services.agreement.store import agreements
from shared.db.tx import Tx


async def sign_at_the_door(tx: Tx, agreement_id: str, now: datetime) -> None:
    row = await agreements.agreement(tx.conn, agreement_id, lock=True)
    if row is None or row["requires_approval"]:
        return
    await sign(tx, agreement_id, Signature(signer=row["customer_id"], method="in_person_tablet", signed_at=now,
                                           text_hash=text_hash(row["agreement_text"])))
