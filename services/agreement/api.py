"""HTTP views: plan options (the right to choose), proposals, approval, signature, and the agreement."""
import json

import asyncpg
from aiohttp import web

from services.agreement.context import Agreements
from services.agreement.domain.evidence import Signature
from services.agreement.domain.lifecycle import TransitionError
from services.agreement.domain.options import plan_options
from services.agreement.proposals import approve_agreement, propose, sign_agreement
from services.agreement.requests import ApprovalIn, ProposalIn, SignatureIn
from services.agreement.store import agreements
from shared.db.unit_of_work import UnitOfWork
from shared.web import error, in_transaction, parse_body, require_role

SUPERVISOR, COLLECTOR, PORTAL = "supervisor", "collector", "customer_portal"


def routes(pool: asyncpg.Pool, ctx: Agreements, wake) -> list[web.RouteDef]:
    unit = UnitOfWork(pool, wake)

    async def transaction(work) -> web.Response:
        try:
            return await in_transaction(unit, work)
        except TransitionError as refused:
            return error(409, refused.rule_id, str(refused))

    @require_role(PORTAL, SUPERVISOR, COLLECTOR)
    async def options(request: web.Request) -> web.Response:
        async def work(conn, now, after):
            today = now.astimezone(ctx.zone).date()
            cases = await agreements.open_cases(conn, request.match_info["customer_id"])
            body = {"customer_id": request.match_info["customer_id"], "policy_version": ctx.policy.version,
                    "loans": [{"loan_id": c["loan_id"], "overdue_amount": c["overdue_amount"],
                               "currency": c["currency"],
                               "options": [_option(o) for o in plan_options(c["overdue_amount"], c["currency"],
                                                                           today, ctx.policy)]} for c in cases]}
            return web.json_response(body), []
        return await transaction(work)

    @require_role(SUPERVISOR, COLLECTOR)
    async def create(request: web.Request) -> web.Response:
        proposal = await parse_body(request, ProposalIn)

        async def work(conn, now, after):
            agreement_id, violations, messages = await propose(conn, ctx, loan_id=proposal.loan_id,
                                                               negotiated=proposal.terms, source="staff", now=now,
                                                               after=after)
            if violations:
                return error(422, "outside_policy", "the terms break the agreement policy",
                             policy_version=ctx.policy.version,
                             violations=[{"rule_id": v.rule_id, "message": v.message} for v in violations]), []
            return web.json_response({"agreement_id": agreement_id, "status": "proposed"}, status=201), messages
        return await transaction(work)

    @require_role(SUPERVISOR)
    async def approve(request: web.Request) -> web.Response:
        approval = await parse_body(request, ApprovalIn)
        return await transaction(_on(request, lambda conn, row, now, after: approve_agreement(
            conn, ctx, row, approval.supervisor, now, after)))

    @require_role(SUPERVISOR, COLLECTOR, PORTAL)
    async def sign(request: web.Request) -> web.Response:
        body = await parse_body(request, SignatureIn)
        return await transaction(_on(request, lambda conn, row, now, after: sign_agreement(
            conn, ctx, row, Signature(body.signer, body.method, body.signed_at or now, body.text_hash), after)))

    @require_role(SUPERVISOR, COLLECTOR, PORTAL)
    async def show(request: web.Request) -> web.Response:
        async with pool.acquire() as conn:
            row = await agreements.agreement(conn, request.match_info["agreement_id"])
            if row is None:
                return error(404, "agreement_not_found", "no agreement with this id")
            lines = await agreements.instalments(conn, row["agreement_id"])
        return web.json_response(_shown(row, lines))

    return [web.get("/customers/{customer_id}/plan-options", options), web.post("/agreements", create),
            web.post("/agreements/{agreement_id}/approve", approve), web.post("/agreements/{agreement_id}/sign", sign),
            web.get("/agreements/{agreement_id}", show)]


def _on(request: web.Request, action):
    async def work(conn, now, after):
        row = await agreements.agreement(conn, request.match_info["agreement_id"], lock=True)
        if row is None:
            return error(404, "agreement_not_found", "no agreement with this id"), []
        messages = await action(conn, row, now, after)
        updated = await agreements.agreement(conn, row["agreement_id"])
        return web.json_response({"agreement_id": row["agreement_id"], "status": updated["status"]}), messages
    return work


def _option(option) -> dict:
    return {"instalments": option.instalment_count, "first_payment": option.first_payment,
            "schedule": [{"due_date": i.due_date.isoformat(), "amount": i.amount} for i in option.schedule]}


def _shown(row, lines) -> dict:
    value = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dict(row).items()
             if k not in ("violations", "signature")}
    value["signature"] = json.loads(row["signature"]) if row["signature"] else None
    value["schedule"] = [{"sequence": i["sequence"], "due_date": i["due_date"].isoformat(), "amount": i["amount"],
                          "paid": i["paid"], "missed": i["missed"]} for i in lines]
    return value
