"""The HTTP surface every service shares: probes, metrics, bearer-token roles, JSON errors."""
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ValidationError

from shared.readiness import Readiness
from shared.refusal import Refusal

log = logging.getLogger(__name__)
ModelT = TypeVar("ModelT", bound=BaseModel)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TOKENS_KEY = web.AppKey("tokens", dict)
READINESS_KEY = web.AppKey("readiness", Readiness)
ALIVE_KEY: web.AppKey[Callable[[], bool]] = web.AppKey("alive")
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
STATUS_OF_REFUSAL = {"malformed": 400, "forbidden": 403, "not_found": 404, "conflict": 409, "invalid": 422,
                     "unavailable": 503}


@dataclass(frozen=True)
class Principal:
    """Who a bearer token speaks for: a role, and for personal tokens the person's id in that role."""
    role: str
    subject: str | None = None


def parse_tokens(spec: str) -> dict[str, Principal]:
    """'token:role,token:role:subject' -> {token: Principal}; the subject binds a token to one person
    (e.g. a collector's id), so it cannot act for anyone else."""
    tokens = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        token, _, rest = entry.partition(":")
        role, _, subject = rest.partition(":")
        if not token or not role:
            raise ValueError("API_TOKENS entries must look like token:role or token:role:subject")
        tokens[token] = Principal(role, subject or None)
    return tokens


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


def require_role(*roles: str) -> Callable[[Handler], Handler]:
    """Decorate a view: 401 without a valid bearer token, 403 with a role not in `roles`."""

    def decorate(view: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            principal = request.app[TOKENS_KEY].get(token) if scheme.lower() == "bearer" else None
            if principal is None:
                return error(401, "unauthorized", "a valid bearer token is required")
            if principal.role not in roles:
                return error(403, "forbidden", "this role may not use this endpoint", allowed_roles=list(roles))
            request["role"], request["subject"] = principal.role, principal.subject
            return await view(request)

        return guarded

    return decorate


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
    app = web.Application(middlewares=[json_errors])
    app[ALIVE_KEY] = alive
    app[TOKENS_KEY] = parse_tokens(api_tokens)
    app[READINESS_KEY] = readiness
    app.add_routes([web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics_view)])
    app.add_routes(list(routes))
    return app
