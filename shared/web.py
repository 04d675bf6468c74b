"""The HTTP surface every service shares: probes, metrics, bearer-token roles, JSON errors, and the
checks made once at the edge (ids in the path, dates in the query, who a personal token speaks for)."""
import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field, ValidationError

from shared.readiness import Readiness
from shared.refusal import Forbidden, Malformed, Refusal

log = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
READINESS_KEY = web.AppKey("readiness", Readiness)
ALIVE_KEY: web.AppKey[Callable[[], bool]] = web.AppKey("alive")
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
STATUS_OF_REFUSAL = {"malformed": 400, "forbidden": 403, "not_found": 404, "conflict": 409, "invalid": 422,
                     "unavailable": 503}

# One id pattern for every id a caller names, in a path or a body (the event contracts' `Identifier` in
# shared/events/base.py uses the same): 1-128 characters, letters and digits first, then also . _ : @ -.
# No slash, space, percent sign or control character, so no id can traverse a path or break a query.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$"
_ID = re.compile(ID_PATTERN)
Id = Annotated[str, Field(min_length=1, max_length=128, pattern=ID_PATTERN)]

# Free text a caller sends (a name, a complaint, notes): anything but NUL, which Postgres cannot store.
NO_NUL = r"^[^\x00]*$"

# Dates a caller may ask about (`?on=`, `?date=`, dates in a body): from 2000-01-01 up to, not including,
# 2100-01-01, the window of the event contracts' `BusinessDate` (shared/events/base.py). Anything outside
# is a typo or a probe, and near the ends of what `date` holds, arithmetic on it overflows.
EARLIEST_DATE, END_DATE = date(2000, 1, 1), date(2100, 1, 1)
DATE_QUERY_KEYS = frozenset({"on", "date"})
WindowDate = Annotated[date, Field(ge=EARLIEST_DATE, lt=END_DATE)]  # the same window for dates in a body

PORTAL = "customer_portal"  # the borrower's own channel: its tokens are personal (token:customer_portal:<id>)


def is_id(value: str) -> bool:
    return _ID.fullmatch(value) is not None  # fullmatch: `$` alone would let a trailing newline through


@dataclass(frozen=True)
class Principal:
    """Who a bearer token speaks for: a role, and for personal tokens the person's id in that role."""
    role: str
    subject: str | None = None


@dataclass(frozen=True)
class Tokens:
    """The configured bearer tokens. Looked up by comparing the presented token with every configured
    one in constant time (hmac.compare_digest), never by using the secret as a dictionary key, so the
    time an answer takes says nothing about how much of a token was right."""
    entries: tuple[tuple[bytes, Principal], ...] = ()

    def principal(self, presented: str) -> Principal | None:
        candidate = presented.encode("utf-8", "surrogatepass")
        found = None
        for secret, principal in self.entries:
            if hmac.compare_digest(candidate, secret) and found is None:  # compares every entry, always
                found = principal
        return found


TOKENS_KEY = web.AppKey("tokens", Tokens)


def parse_tokens(spec: str) -> Tokens:
    """'token:role,token:role:subject' -> Tokens; the subject binds a token to one person (a collector's
    id, a customer's id, a supervisor's id), so it cannot act for anyone else."""
    entries = []
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        token, _, rest = entry.partition(":")
        role, _, subject = rest.partition(":")
        if not token or not role:
            raise ValueError("API_TOKENS entries must look like token:role or token:role:subject")
        if subject and not is_id(subject):
            raise ValueError("an API_TOKENS subject must be an id (letters, digits, then . _ : @ -; at most 128)")
        entries.append((token.encode("utf-8", "surrogatepass"), Principal(role, subject or None)))
    return Tokens(tuple(entries))


class BadRequest(Exception):
    def __init__(self, response: web.Response):
        self.response = response


async def parse_body(request: web.Request, model: type[ModelT]) -> ModelT:
    """The JSON body validated against `model`; raises BadRequest (a clear 400) otherwise."""
    try:
        return model.model_validate_json(await request.read())
    except ValidationError as invalid:
        problems = [{"field": ".".join(map(str, e["loc"])), "problem": e["msg"]}
                    for e in invalid.errors(include_input=False, include_url=False, include_context=False)]
        raise BadRequest(error(400, "invalid_request", "the request body does not fit", problems=problems)) from None


def error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": code, "message": message, **extra}, status=status)


def query_date(request: web.Request, name: str) -> date | None:
    """The ISO date in `?name=` (None when absent); Malformed `invalid_date` (400) when it is not a date or
    falls outside the window (EARLIEST_DATE included, END_DATE not)."""
    values = request.query.getall(name, [])
    if not values:
        return None
    days = [_within_window(name, value) for value in values]  # every value, not only the first the view reads
    return days[0]


def _within_window(name: str, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Malformed("invalid_date", f"`{name}` must be an ISO date (YYYY-MM-DD)") from None
    if not EARLIEST_DATE <= day < END_DATE:
        raise Malformed("invalid_date", f"`{name}` must be a date from {EARLIEST_DATE} up to, not including,"
                                        f" {END_DATE}")
    return day


def require_role(*roles: str) -> Callable[[Handler], Handler]:
    """Decorate a view: 401 without a valid bearer token, 403 with a role not in `roles`, 403
    `token_not_bound` for a customer_portal token that names no customer (portal tokens are personal)."""

    def decorate(view: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            principal = request.app[TOKENS_KEY].principal(token) if scheme.lower() == "bearer" and token else None
            if principal is None:
                return error(401, "unauthorized", "a valid bearer token is required")
            if principal.role not in roles:
                return error(403, "forbidden", "this role may not use this endpoint", allowed_roles=list(roles))
            if principal.role == PORTAL and principal.subject is None:
                return error(403, "token_not_bound", "a customer_portal token must name its customer"
                                                     " (token:customer_portal:<customer id> in API_TOKENS)")
            request["role"], request["subject"] = principal.role, principal.subject
            return await view(request)

        return guarded

    return decorate


def bound_subject(request: web.Request) -> str:
    """The person the request's token is bound to; Forbidden `token_not_bound` when it names nobody
    (an action whose actor is recorded takes the actor from the token, never from the body)."""
    subject: str | None = request["subject"]
    if subject is None:
        raise Forbidden("token_not_bound", f"this action records who did it: a {request['role']} token must name"
                                           f" its holder (token:{request['role']}:<id> in API_TOKENS)")
    return subject


def portal_customer(request: web.Request) -> str | None:
    """The customer a customer_portal token speaks for; None for staff (who may act for any customer)."""
    return bound_subject(request) if request["role"] == PORTAL else None


def speaks_for_customer(request: web.Request, customer_id: str) -> None:
    """A customer_portal token acts only for its own customer (403 `not_your_customer`); staff for anyone."""
    mine = portal_customer(request)
    if mine is not None and mine != customer_id:
        raise Forbidden("not_your_customer", "this token belongs to another customer")


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadRequest as bad:
        return bad.response
    except Refusal as refused:
        return error(STATUS_OF_REFUSAL[refused.kind], refused.code, refused.message, **refused.details)
    except web.HTTPException as http_error:
        return error(http_error.status, http_error.reason.lower().replace(" ", "_"), http_error.reason)
    except Exception:  # noqa: BLE001 - a broken request must not break the service
        log.exception("request failed", extra={"path": request.path})
        return error(500, "internal_error", "the request could not be completed")


@web.middleware
async def edge_checks(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Once, before any view: every id in the path fits ID_PATTERN (400 `invalid_id`) and every date in
    the query (`?on=`, `?date=`) is an ISO date within the window (400 `invalid_date`)."""
    if request.match_info.http_exception is None:  # a route matched (else the router's 404/405 stands)
        for name, value in request.match_info.items():
            if not is_id(value):
                return error(400, "invalid_id", "an id in the path is not a valid id", parameter=name)
        for name in sorted(DATE_QUERY_KEYS):
            query_date(request, name)  # raises Malformed, turned into a 400 by json_errors
    return await handler(request)


async def healthz(request: web.Request) -> web.Response:
    """Liveness: the process can serve and none of its loops has died (then only a restart helps)."""
    if not request.app[ALIVE_KEY]():
        return web.json_response({"status": "loop_ended"}, status=500)
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    readiness = request.app[READINESS_KEY]
    return web.json_response(
        {"ready": readiness.ready, "dependencies": readiness.report()}, status=200 if readiness.ready else 503
    )


async def metrics_view(request: web.Request) -> web.Response:
    response = web.Response(body=generate_latest())
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    return response


def build_web_app(readiness: Readiness, api_tokens: str, routes: Iterable[web.RouteDef],
                  alive: Callable[[], bool] = lambda: True) -> web.Application:
    app = web.Application(middlewares=[json_errors, edge_checks])
    app[ALIVE_KEY] = alive
    app[TOKENS_KEY] = parse_tokens(api_tokens)
    app[READINESS_KEY] = readiness
    app.add_routes([web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics_view)])
    app.add_routes(list(routes))
    return app
