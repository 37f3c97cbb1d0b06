"""The request pipeline: routing, fault injection, auth, scopes, rate limits, stats.

Order for API calls: fault rules -> authentication (401) -> scope (403) -> rate limits
(429, nothing charged) -> handler. Charged calls spend their operation's
``x-token-cost`` even when the handler answers 4xx.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sandbox import api_v1, api_v2, control, oauth, pages
from sandbox.clock import Clock
from sandbox.config import SandboxConfig
from sandbox.errors import ApiError
from sandbox.faults import FaultInjector, FaultRule
from sandbox.http import API, CONTROL, OAUTH, PAGE, Request, Response, Route, Router, json_response
from sandbox.pages import AuthorizeFlow
from sandbox.params import AuthContext
from sandbox.ratelimit import RateLimiter
from sandbox.render import render_entity
from sandbox.stats import Stats
from sandbox.store import CompanyData, World
from sandbox.tokens import Client, TokenStore
from sandbox.webhooks import WebhookDispatcher, build_payload

__all__ = ["SandboxApp"]

log = logging.getLogger("sandbox")


class SandboxApp:
    def __init__(self, config: SandboxConfig, world_factory: Callable[[], World]) -> None:
        self.config = config
        self.clock = Clock()
        self.world_factory = world_factory
        self.world = world_factory()
        self.tokens = TokenStore(self.clock, config.access_token_ttl)
        self.tokens.add_client(
            Client(
                config.client_id,
                config.client_secret,
                config.redirect_uri,
                tuple(config.scopes),
                config.app_name,
            )
        )
        for extra in config.extra_clients:
            self.tokens.add_client(Client(**extra))  # type: ignore[arg-type]
        self.limiter = RateLimiter(self.clock, config.burst_limit, config.burst_window, config.daily_budget)
        self.faults = FaultInjector()
        self.stats = Stats()
        self.public_url = config.public_url or f"http://{config.host}:{config.port}"
        self.stopping = threading.Event()
        self.webhooks = WebhookDispatcher()
        self.authorize_flows: dict[str, AuthorizeFlow] = {}
        self.router = Router()
        for module in (api_v1, api_v2, oauth, pages, control):
            module.register(self.router)

    # -- helpers for handlers ---------------------------------------------------------
    def company(self, ctx: AuthContext) -> CompanyData:
        return self.world.companies[ctx.company_id]

    def member_ids(self, company_id: int) -> set[int]:
        return {m.user_id for m in self.world.users_of(company_id)}

    def notify(
        self,
        action: str,
        entity: str,
        company_id: int,
        user_id: int,
        entity_id: int,
        previous: dict[str, Any] | None = None,
    ) -> None:
        """Queue webhook deliveries for a change (NOTES §8); callers hold the world lock."""
        # ``previous`` holds only changed fields; the sandbox does not track old values, so a
        # change carries an empty object unless the caller passes them.
        if action == "change" and previous is None:
            previous = {}
        data = self.world.companies[company_id]
        hooks = [
            h for h in data.webhooks.values() if h.event_action in (action, "*") and h.event_object in (entity, "*")
        ]
        if not hooks:
            return
        current = render_entity(entity, entity_id, data)
        if action == "delete":
            current, previous = None, current
        elif action == "create":
            previous = None
        now = self.clock.now()
        for hook in hooks:
            self.webhooks.enqueue(hook, build_payload(hook, action, entity, entity_id, user_id, current, previous, now))

    def reset_world(self) -> None:
        world = self.world_factory()
        with self.world.lock:
            self.world = world

    # -- pipeline ---------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        route, params, path_exists = self.router.match(request.method, request.path)
        if route is None:
            # "Unknown method ." is what Pipedrive answers for an unknown path.
            status, message = (405, "Method not allowed") if path_exists else (404, "Unknown method .")
            return json_response(status, ApiError(status, message).body())
        request.params = params
        if route.kind == CONTROL:
            return self._guard(lambda: route.handler(self, request))
        ctx: AuthContext | None = None
        auth_error: ApiError | None = None
        if route.kind == API:
            try:
                ctx = self._authenticate(request)
            except ApiError as exc:
                auth_error = exc
        rule = self.faults.pick(request.method, request.path, route.template, ctx.company_id if ctx else None)
        if rule is not None and rule.action != "malformed_json":
            faulted = self._act_out(rule, route, ctx)
            if faulted is not None:
                return faulted
        if route.kind == API:
            response = self._api_call(route, request, ctx, auth_error)
        else:
            response = self._guard(lambda: route.handler(self, request))
            if route.kind in (OAUTH, PAGE):
                self.stats.record_oauth(
                    route.key,
                    response.status,
                    response.meta.get("grant_type"),
                    response.meta.get("company_id"),
                    response.meta.get("outcome"),
                )
        if rule is not None and rule.action == "malformed_json":
            # Cut the JSON mid-document; Content-Length still matches what is sent.
            response.body = response.body[: max(1, len(response.body) // 2)]
        return response

    def _guard(self, call: Callable[[], Response]) -> Response:
        try:
            return call()
        except ApiError as exc:
            return json_response(exc.status, exc.body(), exc.headers)

    def _act_out(self, rule: FaultRule, route: Route, ctx: AuthContext | None) -> Response | None:
        if rule.action == "delay":
            self.stopping.wait(rule.seconds)
            return None
        company = ctx.company_id if ctx else None
        if rule.action in ("reset", "timeout"):
            self._record(route, company, 0, 0)
            return Response(0, transport_fault=rule.action, fault_seconds=rule.seconds)
        error = rule.error()
        if rule.status == 429 and not rule.headers:
            error.headers.update(
                {
                    "x-ratelimit-limit": str(self.limiter.burst_limit),
                    "x-ratelimit-remaining": "0",
                    "x-ratelimit-reset": "2",
                }
            )
        self._record(route, company, rule.status, 0)
        return json_response(error.status, error.body(), error.headers)

    def _record(self, route: Route, company_id: int | None, status: int, cost: int) -> None:
        if route.kind == API:
            self.stats.record_api(company_id, route.key, status, cost)
        else:
            self.stats.record_oauth(route.key, status)

    def _authenticate(self, request: Request) -> AuthContext:
        header = request.header("Authorization")
        if header:
            scheme, _, token = header.partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token:
                raise ApiError(401, "Invalid request: malformed authorization header", extra={"errorCode": 401})
            grant, reason = self.tokens.lookup_access(token)
            membership = self.world.membership(grant.company_id, grant.user_id) if grant else None
            if grant is None or membership is None:
                raise ApiError(401, reason or "Invalid token: access token is invalid", extra={"errorCode": 401})
            return AuthContext(
                grant.company_id,
                grant.user_id,
                membership.is_admin,
                frozenset(grant.scope.split(",")),
                grant.client_id,
                f"oauth:{grant.id}:{token[-12:]}",
            )
        # SPEC v1/v2 ``securitySchemes.api_key``: header ``x-api-token``; the legacy
        # ``?api_token=`` query parameter is accepted too.
        api_token = request.header("x-api-token") or request.arg("api_token")
        if api_token:
            membership = self.world.membership_by_api_token(api_token)
            if membership is None:
                raise ApiError(401, "unauthorized access", extra={"errorCode": 401})
            return AuthContext(
                membership.company_id, membership.user_id, membership.is_admin, None, None, f"api:{api_token}"
            )
        raise ApiError(401, "unauthorized access", extra={"errorCode": 401})

    def _api_call(
        self, route: Route, request: Request, ctx: AuthContext | None, auth_error: ApiError | None
    ) -> Response:
        if ctx is None:
            assert auth_error is not None
            self.stats.record_api(None, route.key, auth_error.status, 0)
            return json_response(auth_error.status, auth_error.body())
        if ctx.scopes is not None and route.scopes and not ctx.scopes & set(route.scopes):
            self.stats.record_api(ctx.company_id, route.key, 403, 0)
            error = ApiError(403, "Scope and URL mismatch", extra={"errorCode": 403})
            return json_response(403, error.body())
        data = self.world.companies[ctx.company_id]
        budget = self.limiter.budget_for(
            data.company.plan, len(self.world.users_of(ctx.company_id)), data.company.daily_budget
        )
        decision = self.limiter.check(ctx.token_key, ctx.company_id, budget, route.cost)
        if not decision.allowed:
            message = "Daily API token budget exhausted" if decision.reason == "daily" else "Request over limit"
            self.stats.record_api(ctx.company_id, route.key, 429, 0)
            return json_response(429, ApiError(429, message, extra={"errorCode": 429}).body(), decision.headers)
        try:
            with self.world.lock:
                response = route.handler(self, request, ctx)
        except ApiError as exc:
            response = json_response(exc.status, exc.body(), exc.headers)
        except Exception:  # noqa: BLE001 - a sandbox bug must still answer in the envelope
            log.exception("sandbox handler failed: %s %s", request.method, request.path)
            response = json_response(500, ApiError(500, "Internal server error").body())
        response.headers.update(decision.headers)
        self.stats.record_api(ctx.company_id, route.key, response.status, route.cost)
        return response
