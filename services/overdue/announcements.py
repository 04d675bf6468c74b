"""Delinquency events: the one place that shapes what overdue detection says."""
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from shared.db.tx import Emitter, Tx
from shared.events import delinquency as contract

SOURCE = "collections/overdue-detection"
EVENT_IDS = uuid.UUID("2f0c7c55-8c8e-5a59-a6a3-4d8b1f1b7e2a")  # never change: ids must survive replays


def emitter(topic: str) -> Emitter:
    return Emitter(source=SOURCE, topic=topic, namespace=EVENT_IDS)

_MODELS = {
    "became_overdue": contract.LoanBecameOverdue,
    "bucket_changed": contract.LoanBucketChanged,
    "cured": contract.LoanCured,
    "settled": contract.LoanSettled,
    "closed": contract.LoanClosedOut,
}


@dataclass(frozen=True)
class Snapshot:
    loan_id: str
    customer_id: str
    case_id: str | None
    business_date: date
    days_past_due: int
    bucket: str | None
    overdue_amount: int
    outstanding_amount: int
    currency: str
    risk_segment: str
    disputed: bool = False


def announce(tx: Tx, kind: str, snapshot: Snapshot, time: datetime | None = None, **extra: str) -> None:
    """Deterministic event id: the same transition decided again (a replay) has the same id."""
    natural_key = ":".join(
        [snapshot.loan_id, kind, str(snapshot.case_id), str(snapshot.bucket),
         *map(str, extra.values()), snapshot.business_date.isoformat()]
    )
    data = _MODELS[kind](**vars(snapshot), **extra)
    tx.emit(data, key=snapshot.loan_id, event_id=str(uuid.uuid5(EVENT_IDS, natural_key)), time=time)
