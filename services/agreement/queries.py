"""What agreement tracking shows without changing anything: the plans a customer may choose from
(the right to choose) and one agreement with its schedule."""
from dataclasses import dataclass

import asyncpg

from services.agreement.context import Context
from services.agreement.domain.options import PlanOption, plan_options
from services.agreement.store import agreements
from shared.db.tx import Tx
from shared.refusal import NotFound


@dataclass(frozen=True)
class LoanPlans:
    loan_id: str
    overdue_amount: int
    currency: str
    options: list[PlanOption]


async def plans_for_customer(tx: Tx, ctx: Context, customer_id: str) -> list[LoanPlans]:
    """For each of the customer's loans with an open case, the plans the policy allows from today."""
    today = ctx.business_date(tx.time)
    return [LoanPlans(c["loan_id"], c["overdue_amount"], c["currency"],
                      plan_options(c["overdue_amount"], c["currency"], today, ctx.policy))
            for c in await agreements.open_cases(tx.conn, customer_id)]


async def agreement_with_schedule(conn: asyncpg.Connection, agreement_id: str,
                                  ) -> tuple[asyncpg.Record, list[asyncpg.Record]]:
    row = await agreements.agreement(conn, agreement_id)
    if row is None:
        raise NotFound("agreement_not_found", "no agreement with this id")
    return row, await agreements.instalments(conn, agreement_id)
