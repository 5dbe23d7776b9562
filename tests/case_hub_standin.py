"""A STAND-IN for the hub's case endpoints (docs/hub-api.md, "Cases"), until the real program
service has them: the lead switches the tests that use it to `tests/program_hubs.running_hub`.

It keeps cases in a dict, answers PUT idempotently by client id and base version, and can be told
to refuse the next PUT, or to store a case and then drop the connection before replying (a reply
lost after the hub stored the case).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.program_hubs import serving

TOKEN = "standin-token-7f3a"
UPDATED_AT = "2026-10-01T12:00:00+00:00"


@dataclass
class CaseHubStandIn:
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    puts: int = 0  # PUT requests that reached the handler
    drop_after_store: int = 0  # the next N PUTs store the case, then close the connection unanswered
    refuse_next: tuple[int, dict[str, Any]] | None = None  # the next PUT's refusal
    bodies: list[bytes] = field(default_factory=list)  # every request body received

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_put("/api/cases/{client_id}", self._put)
        app.router.add_get("/api/cases", self._mine)
        app.router.add_get("/api/programs/{program_id}/case-form", self._form)
        app.router.add_post("/api/cases/{client_id}/review", self._review)
        app.router.add_post("/api/cases/{client_id}/recommendations", self._recommend)
        return app

    def _authorized(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized(text='{"error": "unauthorized"}', content_type="application/json")

    async def _put(self, request: web.Request) -> web.StreamResponse:
        self._authorized(request)
        self.puts += 1
        raw = await request.read()
        self.bodies.append(raw)
        body = await request.json()
        if self.refuse_next is not None:
            status, answer = self.refuse_next
            self.refuse_next = None
            return web.json_response(answer, status=status)
        client_id = request.match_info["client_id"]
        kept = self.cases.get(client_id)
        same = kept is not None and kept["values"] == body["values"] and kept["base"] == body["base_version"]
        if not same:
            if kept is not None and kept["version"] != body["base_version"]:
                return web.json_response(
                    {"error": "stale", "message": "stale", "version": kept["version"]}, status=409
                )
            self.cases[client_id] = {
                "client_id": client_id,
                "program_id": body["program_id"],
                "values": body["values"],
                "dismissals": body["dismissals"],
                "status": "submitted",
                "version": body["base_version"] + 1,
                "base": body["base_version"],
                "comments": "",
                "session": None,
                "recommendations": "",
                "updated_at": UPDATED_AT,
                "presenter": "Dana Whitehorse, NP",
            }
        if self.drop_after_store > 0:
            self.drop_after_store -= 1
            assert request.transport is not None
            request.transport.close()  # stored, and the reply never leaves
            return web.Response()
        return web.json_response(self._public(self.cases[client_id]), status=200 if kept else 201)

    async def _mine(self, request: web.Request) -> web.Response:
        self._authorized(request)
        return web.json_response({"cases": [self._public(c) for c in self.cases.values()]})

    async def _form(self, request: web.Request) -> web.Response:
        self._authorized(request)
        return web.json_response(
            {
                "fields": [
                    {"key": "question", "label": "Question", "kind": "text", "required": True},
                    {"key": "hpi", "label": "History", "kind": "long_text", "required": False},
                ],
                "title_field": "question",
            }
        )

    async def _review(self, request: web.Request) -> web.Response:
        self._authorized(request)
        case, body = await self._versioned(request)
        if body["action"] == "approve":
            case.update(status="approved", session=body["session"])
        else:
            case.update(status="returned", comments=body["comments"])
        case["version"] += 1
        return web.json_response(self._public(case))

    async def _recommend(self, request: web.Request) -> web.Response:
        self._authorized(request)
        case, body = await self._versioned(request)
        case.update(status="recommended", recommendations=body["text"])
        case["version"] += 1
        return web.json_response(self._public(case))

    async def _versioned(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        case = self.cases.get(request.match_info["client_id"])
        if case is None:
            raise web.HTTPNotFound(text='{"error": "no_such_case"}', content_type="application/json")
        body = await request.json()
        if body["version"] != case["version"]:
            stale = json.dumps({"error": "stale", "version": case["version"]})
            raise web.HTTPConflict(text=stale, content_type="application/json")
        return case, body

    @staticmethod
    def _public(case: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in case.items() if k != "base"} | {"findings": []}


@asynccontextmanager
async def case_hub_standin(port: int = 0) -> AsyncIterator[tuple[CaseHubStandIn, str]]:
    standin = CaseHubStandIn()
    async with serving(standin.app(), port) as url:
        yield standin, url
