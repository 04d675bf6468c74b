"""From evaluated positions to delinquency events: the rules decide, the store remembers."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from services.overdue import metrics
from services.overdue.announcements import Snapshot, announce
from services.overdue.domain.delinquency import DelinquencyState, Policy, Position, close, decide
from services.overdue.domain.risk import RiskInputs, risk_segment
from services.overdue.store import disputes, evaluation, state
from shared.db.tx import Tx


@dataclass(frozen=True)
class Evaluator:
    """Evaluates loans on a business date and announces the transitions the pure rules decide."""
    policy: Policy

    async def evaluate(self, tx: Tx, on: date, loan_ids: list[str] | None = None,
                       reversals_through: date | None = None) -> None:
        """Evaluate open loans (all, or `loan_ids`) on business date `on` and emit what changed."""
        conn = tx.conn
        candidates = await evaluation.evaluate(
            conn, on, grace_days=self.policy.grace_days, lower_bounds=self.policy.buckets.lower_bounds,
            labels=self.policy.buckets.labels, loan_ids=loan_ids, reversals_through=reversals_through,
        )
        history = await evaluation.repayment_history(conn, on, [c.loan_id for c in candidates])
        disputed = await disputes.disputed_on(conn, [c.loan_id for c in candidates], on) if candidates else set()
        changes = []
        for candidate in candidates:
            previous = DelinquencyState(candidate.case_seq, candidate.case_id, candidate.previous_bucket,
                                        candidate.settled, closed=False)
            position = Position(candidate.days_past_due, candidate.overdue_amount,
                                candidate.outstanding_amount, candidate.paid_total)
            new_state, decided = decide(candidate.loan_id, previous, position, self.policy)
            changes.append(state.StateChange(candidate.loan_id, new_state.case_seq, new_state.case_id,
                                             new_state.bucket, new_state.settled, new_state.closed))
            segment = _segment(candidate, history.get(candidate.loan_id, (0, 0)), new_state)
            for transition in decided:
                snapshot = _snapshot(candidate, on, transition.case_id, transition.bucket, segment,
                                     candidate.loan_id in disputed)
                extra = {"previous_bucket": transition.previous_bucket} if transition.kind == "bucket_changed" else {}
                announce(tx, transition.kind, snapshot, **extra)
                tx.on_commit(_counter(transition.kind, transition.previous_bucket, transition.bucket))
        await state.save_states(conn, changes)

    async def close(self, tx: Tx, loan_id: str, reason: str, on: date, time: datetime) -> None:
        """The loan left the book upstream: stop following it and say so once."""
        row = await state.closing_snapshot(tx.conn, loan_id)
        if row is None:
            return
        previous = DelinquencyState(row["case_seq"], row["case_id"], row["bucket"], row["settled"], row["closed"])
        new_state, ended_case = close(previous)
        await state.save_states(tx.conn, [state.StateChange(loan_id, new_state.case_seq, None, None,
                                                            new_state.settled, True)])
        snapshot = Snapshot(loan_id, row["customer_id"], ended_case, on, row["days_past_due"], row["bucket"],
                            row["overdue_amount"], row["outstanding_amount"], row["currency"],
                            "low" if row["outstanding_amount"] == 0 else "high",
                            bool(await disputes.disputed_on(tx.conn, [loan_id], on)))
        tx.on_commit(_counter("closed", row["bucket"], None))
        announce(tx, "closed", snapshot, time, reason=reason)


def _segment(candidate: evaluation.Candidate, history: tuple[int, int], now: DelinquencyState) -> str:
    instalments_due, paid_late = history
    prior = now.case_seq - 1 if now.case_id is not None else now.case_seq
    return risk_segment(RiskInputs(
        days_past_due=candidate.days_past_due, overdue_amount=candidate.overdue_amount,
        outstanding_amount=candidate.outstanding_amount, principal=candidate.principal,
        paid_total=candidate.paid_total, prior_episodes=max(prior, 0),
        instalments_paid_late=paid_late, instalments_due=instalments_due,
    ))


def _snapshot(
    candidate: evaluation.Candidate, on: date, case_id: str | None, bucket: str | None, segment: str,
    disputed: bool,
) -> Snapshot:
    return Snapshot(candidate.loan_id, candidate.customer_id, case_id, on, candidate.days_past_due, bucket,
                    candidate.overdue_amount, candidate.outstanding_amount, candidate.currency, segment, disputed)


def _counter(kind: str, from_bucket: str | None, to_bucket: str | None) -> Callable[[], None]:
    def count() -> None:
        metrics.TRANSITIONS.labels(kind).inc()
        if from_bucket != to_bucket:
            metrics.BUCKET_MOVES.labels(from_bucket or "none", to_bucket or "none").inc()

    return count
