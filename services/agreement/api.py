"""HTTP views: plan options (the right to choose), proposals, approval, signature, and the agreement.

A borrower's token (customer_portal, bound to one customer) sees and signs only that customer's plans
and agreements (403 `not_your_customer`). Who approves and who signs comes from the token, never from
the body: the approving supervisor is the subject of the supervisor's token, and the signer is the
borrower (portal), the collector whose tablet took the signature, or the supervisor who recorded it
(403 `token_not_bound` when that token names nobody).
"""
import json
from typing import Any

import asyncpg
from aiohttp import web

from services.agreement import proposals, queries
from services.agreement.context import Context
from services.agreement.domain.evidence import Signature
from services.agreement.domain.options import PlanOption
from services.agreement.requests import ApprovalIn, ProposalIn, SignatureIn
from shared.db.tx import UnitOfWork
from shared.web import bound_subject, parse_body, require_role, speaks_for_customer

SUPERVISOR, COLLECTOR, PORTAL = "supervisor", "collector", "customer_portal"
SIGNER_KIND: dict[str, proposals.SignerKind] = {PORTAL: "borrower", COLLECTOR: "collector", SUPERVISOR: "supervisor"}


def routes(unit: UnitOfWork, ctx: Context) -> list[web.RouteDef]:
    @require_role(PORTAL, SUPERVISOR, COLLECTOR)
    async def options(request: web.Request) -> web.Response:
        customer_id = request.match_info["customer_id"]
        speaks_for_customer(request, customer_id)
        loans = await unit.run(lambda tx: queries.plans_for_customer(tx, ctx, customer_id))
        return web.json_response({
            "customer_id": customer_id, "policy_version": ctx.policy.version,
            "loans": [{"loan_id": loan.loan_id, "overdue_amount": loan.overdue_amount, "currency": loan.currency,
                       "options": [_option(o) for o in loan.options]} for loan in loans]})

    @require_role(SUPERVISOR, COLLECTOR)
    async def create(request: web.Request) -> web.Response:
        proposal = await parse_body(request, ProposalIn)
        proposed = await unit.run(lambda tx: proposals.propose(tx, ctx, loan_id=proposal.loan_id,
                                                               negotiated=proposal.terms, source="staff",
                                                               now=tx.time))
        if proposed.violations:
            raise proposals.OutsidePolicy(proposed.violations, ctx.policy.version)
        return web.json_response({"agreement_id": proposed.agreement_id, "status": "proposed"}, status=201)

    @require_role(SUPERVISOR)
    async def approve(request: web.Request) -> web.Response:
        supervisor = bound_subject(request)  # the body's `supervisor`, if any, is ignored
        await parse_body(request, ApprovalIn)
        agreement_id = request.match_info["agreement_id"]
        status = await unit.run(lambda tx: proposals.approve(tx, agreement_id, supervisor))
        return web.json_response({"agreement_id": agreement_id, "status": status})

    @require_role(SUPERVISOR, COLLECTOR, PORTAL)
    async def sign(request: web.Request) -> web.Response:
        role = request["role"]
        signed_by = proposals.SignedBy(SIGNER_KIND[role], bound_subject(request))
        body = await parse_body(request, SignatureIn)
        agreement_id = request.match_info["agreement_id"]
        reported_at = body.signed_at if role == COLLECTOR else None  # only the collector's app reports a time
        status = await unit.run(lambda tx: proposals.sign(
            tx, agreement_id, Signature(body.signer or signed_by.id, body.method, tx.time, body.text_hash),
            signed_by=signed_by, reported_at=reported_at))
        return web.json_response({"agreement_id": agreement_id, "status": status})

    @require_role(SUPERVISOR, COLLECTOR, PORTAL)
    async def show(request: web.Request) -> web.Response:
        row, lines = await unit.read(lambda conn: queries.agreement_with_schedule(
            conn, request.match_info["agreement_id"]))
        speaks_for_customer(request, row["customer_id"])
        return web.json_response(_shown(row, lines))

    return [web.get("/customers/{customer_id}/plan-options", options), web.post("/agreements", create),
            web.post("/agreements/{agreement_id}/approve", approve), web.post("/agreements/{agreement_id}/sign", sign),
            web.get("/agreements/{agreement_id}", show)]


def _option(option: PlanOption) -> dict[str, Any]:
    return {"instalments": option.instalment_count, "first_payment": option.first_payment,
            "schedule": [{"due_date": i.due_date.isoformat(), "amount": i.amount} for i in option.schedule]}


def _shown(row: asyncpg.Record, lines: list[asyncpg.Record]) -> dict[str, Any]:
    value = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dict(row).items()
             if k not in ("violations", "signature")}
    signature = json.loads(row["signature"]) if row["signature"] else None
    # who signed according to their token, beside the signature's own fields (signer: the name signed with)
    value["signed_by"] = signature.pop("signed_by", None) if signature else None
    value["signature"] = signature
    value["schedule"] = [{"sequence": i["sequence"], "due_date": i["due_date"].isoformat(), "amount": i["amount"],
                          "paid": i["paid"], "missed": i["missed"]} for i in lines]
    return value
