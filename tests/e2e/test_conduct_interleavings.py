"""Conduct holds whatever the order and timing of events: generated schedules on the real stack.

Each scenario is the whole flow (all four services, the simulator's borrowers, the sandbox people) from
a seed, with a seeded adversary acting between the days: it picks the borrowers with a visit coming or a
message due and, at random, has them ask to stop all contact, name a channel or hours, complain (and a
supervisor resolve the complaint a few days later), or pay everything just before the visit; and for a
few days one service is stopped (its consumer falls behind, its time stands still) while the others go
on, then started again to catch up. Afterwards the conduct auditor (tools/conduct, independent of the
rule-book code) reads every topic and outreach's attempts and must find nothing.

`make test` runs two scenarios (outreach lagging, dispatch lagging); `make interleavings` runs more
(INTERLEAVING_SEEDS, e.g. "31,32,33,34,35,36").
"""
import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from shared.events.codec import encode
from shared.events.loan import PaymentReceived
from tests.helpers.whole_flow import SUPERVISOR, WholeFlow, instant, portal_token

CUSTOMERS, DAYS = int(os.environ.get("INTERLEAVING_CUSTOMERS", "70")), int(os.environ.get("INTERLEAVING_DAYS", "75"))
LAGGING = ("outreach", "dispatch")
SEEDS = [int(s) for s in os.environ.get("INTERLEAVING_SEEDS", "21,22").split(",")]
SCENARIOS = [(seed, LAGGING[i % len(LAGGING)]) for i, seed in enumerate(SEEDS)]
ACTIONS_PER_DAY = 2


@dataclass
class Adversary:
    flow: WholeFlow
    rng: random.Random
    lagging: str
    lag_from: int
    lag_days: int
    done: Counter = field(default_factory=Counter)
    complaints: list[tuple[int, str]] = field(default_factory=list)  # (day to resolve, complaint id)

    async def on_day(self, index: int, day) -> None:
        if index == self.lag_from:
            await self.flow.pause(self.lagging)
            self.done[f"{self.lagging} stopped"] += 1
        elif index == self.lag_from + self.lag_days:
            await self.flow.resume(self.lagging)
        if "outreach" in self.flow.paused:
            return  # the borrowers' portal is outreach's: nobody can ask anything of it now
        await self._resolve_due_complaints(index)
        targets = await self._targets()
        for _ in range(ACTIONS_PER_DAY):
            if targets:
                await self._act(index, day, self.rng.choice(targets))

    async def _targets(self) -> list[tuple[str, str | None]]:
        """(customer, loan) with a visit coming (dispatch's view) or an open case due (outreach's)."""
        found = []
        if "dispatch" not in self.flow.paused:
            found += [(r["customer_id"], r["loan_id"]) for r in await self.flow.query(
                "dispatch", "SELECT customer_id, loan_id FROM visits WHERE status IN ('assigned', 'unassignable')"
                " ORDER BY visit_id")]
        found += [(r["customer_id"], r["loan_id"]) for r in await self.flow.query(
            "outreach", "SELECT customer_id, loan_id FROM cases WHERE status = 'open' AND next_action_at IS NOT NULL"
            " ORDER BY case_id")]
        return found

    async def _act(self, index: int, day, target: tuple[str, str | None]) -> None:
        customer_id, loan_id = target
        action = self.rng.choice(("stop", "channel", "hours", "complaint", "pay", "pay"))
        token = portal_token(customer_id)
        if action == "stop":
            status, body = await self._prefs(customer_id, token, {"stop_contact": True})
        elif action == "channel":
            channel = self.rng.choice(("sms", "call"))
            status, body = await self._prefs(customer_id, token, {"preferred_channel": channel})
        elif action == "hours":
            start = self.rng.choice(("09:00", "12:00", "18:00"))
            status, body = await self._prefs(customer_id, token,
                                             {"preferred_hours": {"start": start, "end": f"{int(start[:2]) + 2}:30"}})
        elif action == "complaint":
            status, body = await self.flow.http("outreach", "POST", "/complaints", token, {
                "customer_id": customer_id, "category": "frequency", "description": "generated interleaving"})
            if status == 201:
                self.complaints.append((index + self.rng.randint(1, 6), body["complaint_id"]))
        else:
            status, body = await self._pay_everything(day, loan_id)
        assert status in (200, 201, 204), (action, status, body)
        if body.get("paid") is not False:
            self.done[action] += 1

    async def _prefs(self, customer_id: str, token: str, body: dict) -> tuple[int, dict]:
        return await self.flow.http("outreach", "POST", f"/customers/{customer_id}/preferences", token, body)

    async def _resolve_due_complaints(self, index: int) -> None:
        due = [c for c in self.complaints if c[0] <= index]
        self.complaints = [c for c in self.complaints if c[0] > index]
        for _, complaint_id in due:
            status, body = await self.flow.http("outreach", "POST", f"/complaints/{complaint_id}/resolve", SUPERVISOR,
                                                {"resolution": "upheld"})
            assert status == 200, body
            self.done["complaint resolved"] += 1

    async def _pay_everything(self, day, loan_id: str | None) -> tuple[int, dict]:
        """The borrower pays what is left, early on the next day (before its first tick)."""
        rows = await self.flow.query("overdue", "SELECT outstanding_amount FROM delinquency_state WHERE loan_id = $1",
                                     loan_id) if loan_id else []
        if not rows or rows[0]["outstanding_amount"] <= 0:
            return 204, {"paid": False}
        tick = json.loads(day.messages[-1].value)["data"]["now"]  # the tick closing the day: 00:00:05
        paid_at = instant(tick) + timedelta(minutes=self.rng.randint(1, 170))
        payment = PaymentReceived(payment_id=f"adversary-{loan_id}-{paid_at:%Y%m%d%H%M}", loan_id=loan_id,
                                  amount=rows[0]["outstanding_amount"], currency="CNY", paid_at=paid_at, channel="app")
        _, value = encode(payment, source="tests/adversary", time=paid_at, subject=loan_id)
        await self.flow.publish((self.flow.topics.loan_events, loan_id, value))
        return 204, {"paid": True}


@pytest.mark.parametrize("seed, lagging", SCENARIOS)
async def test_no_breach_of_conduct_under_generated_interleavings_and_a_lagging_service(stack, seed, lagging):
    flow = WholeFlow(stack, customers=CUSTOMERS, days=DAYS, seed=seed)
    rng = random.Random(seed)
    adversary = Adversary(flow, rng, lagging, lag_from=rng.randint(DAYS // 2, DAYS - 12), lag_days=rng.randint(2, 4))
    try:
        await flow.start()
        await flow.seed_roster()
        await flow.run_days(adversary.on_day)
        assert not flow.paused
        audit = await flow.conduct_audit()
        print(f"\nseed {seed}, {lagging} lagging from day {adversary.lag_from} for {adversary.lag_days} days;"
              f" adversary: {dict(adversary.done)}; audit: {dict(audit.summary()) or 'no breach'};"
              f" not checked: {dict(audit.gaps) or 'nothing'}")
        assert adversary.done["pay"] and adversary.done["stop"] + adversary.done["channel"] + adversary.done["hours"]
        examples = [f"{b.kind} {b.person} {b.about} {b.at.isoformat()}: {b.detail}" for b in audit.breaches[:5]]
        assert audit.breaches == [], f"breaches {dict(audit.summary())}: {examples}"
    finally:
        await flow.close()
