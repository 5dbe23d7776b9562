"""The hub's case API against the real program service on loopback (a temporary store), with a
small deterministic guard standing in for `cases.deid.scan` (the last test has the real one): the
review round trip, retries that never duplicate, stale updates, refusals that keep what the hub
had, PHI never echoed, and who may do what."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from echo_desktop.cases.model import DEFAULT_FORM, MAX_CASE_TEXT_BYTES
from echo_desktop.cases.wire import form_from_json
from echo_desktop.hub.program_service.store import IssuedPerson
from echo_desktop.session.models import Role
from tests.fake_guard import VALUES, fake_scan
from tests.program_hubs import Hub, running_hub
from tests.waiting import wait_for

FIRST_SESSION = {"uid": "", "start": "2026-10-22T15:00:00+00:00"}  # 9:00 in Denver; uid set per hub
AFTER_FIRST_SESSION = datetime(2026, 10, 22, 16, 0, tzinfo=UTC)
PHI = "Eleanor Vance"


@dataclass
class Clinic:
    hub: Hub
    http: aiohttp.ClientSession
    fran: IssuedPerson  # the program's facilitator
    kim: IssuedPerson  # a hub specialist of the program
    eli: IssuedPerson  # another spoke clinician of the program
    outsider: IssuedPerson  # a facilitator of another program

    @property
    def dana(self) -> IssuedPerson:
        return self.hub.dana

    def url(self, path: str) -> str:
        return f"{self.hub.url}{path}"

    async def call(
        self, method: str, path: str, who: IssuedPerson, body: object = None, raw: bytes | None = None
    ) -> tuple[int, Any]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {"Authorization": f"Bearer {who.api_token}", "Content-Type": "application/json"}
        async with self.http.request(method, self.url(path), data=data, headers=headers) as response:
            return response.status, await response.json()

    async def submit(
        self, client_id: str, values: dict[str, str] | None = None, base_version: int = 0, **extra: object
    ) -> tuple[int, Any]:
        body = {
            "program_id": self.hub.program.id,
            "values": values or VALUES,
            "dismissals": [],
            "base_version": base_version,
            **extra,
        }
        return await self.call("PUT", f"/api/cases/{client_id}", self.dana, body)

    def session(self) -> dict[str, str]:
        return {**FIRST_SESSION, "uid": self.hub.series_uid}


@pytest.fixture
async def clinic(tmp_path: Path) -> AsyncIterator[Clinic]:
    async with running_hub(tmp_path / "programs.db", guard=fake_scan) as hub, aiohttp.ClientSession() as http:
        store = hub.store
        people = []
        for name, role in (("Fran", Role.FACILITATOR), ("Dr. Kim", Role.HUB), ("Eli", Role.SPOKE)):
            person = store.add_person(name, "UNM", role)
            store.add_member(person.person.id, hub.program.id)
            people.append(person)
        other = store.add_program("Pain", "America/New_York")
        outsider = store.add_person("Olga", "Elsewhere", Role.FACILITATOR)
        store.add_member(outsider.person.id, other.id)
        fran, kim, eli = people
        yield Clinic(hub, http, fran, kim, eli, outsider)


async def test_the_review_round_trip_from_submission_to_recommendations(clinic: Clinic) -> None:
    status, case = await clinic.submit("case-1")
    assert status == 201
    assert (case["status"], case["version"], case["presenter"]) == (
        "submitted",
        1,
        "Dana Whitehorse, NP, Taos Clinic",
    )
    assert case["values"] == VALUES and case["session"] is None and case["findings"] == []

    status, queue = await clinic.call(
        "GET", f"/api/programs/{clinic.hub.program.id}/cases?status=submitted", clinic.fran
    )
    assert status == 200 and [c["client_id"] for c in queue["cases"]] == ["case-1"]
    status, returned = await clinic.call(
        "POST",
        "/api/cases/case-1/review",
        clinic.fran,
        {"version": 1, "action": "return", "comments": "Add the genotype."},
    )
    assert status == 200 and (returned["status"], returned["version"]) == ("returned", 2)
    status, seen = await clinic.call("GET", "/api/cases/case-1", clinic.dana)
    assert status == 200 and (seen["status"], seen["comments"]) == ("returned", "Add the genotype.")

    edited = {**VALUES, "labs_imaging": "Genotype 1a (2024)."}
    status, resubmitted = await clinic.submit("case-1", edited, base_version=2)
    assert status == 200 and (resubmitted["status"], resubmitted["version"]) == ("submitted", 3)
    status, approved = await clinic.call(
        "POST",
        "/api/cases/case-1/review",
        clinic.fran,
        {"version": 3, "action": "approve", "session": clinic.session()},
    )
    assert status == 200 and approved["status"] == "approved" and approved["version"] == 4
    assert approved["session"] == {"uid": clinic.hub.series_uid, "start": "2026-10-22T15:00:00+00:00"}
    lobby = f"/api/programs/{clinic.hub.program.id}/sessions/{clinic.hub.series_uid}/20261022T150000Z/cases"
    status, listed = await clinic.call("GET", lobby, clinic.eli)  # any member sees the session's cases
    assert status == 200 and listed == {"cases": [{"client_id": "case-1", "title": VALUES["question"]}]}

    too_early = await clinic.call(
        "POST", "/api/cases/case-1/recommendations", clinic.kim, {"version": 4, "text": "x"}
    )
    assert too_early[0] == 409 and too_early[1]["error"] == "wrong_status"
    clinic.hub.clock[0] = AFTER_FIRST_SESSION
    status, presented = await clinic.call("GET", "/api/cases/case-1", clinic.dana)
    assert (presented["status"], presented["version"]) == ("presented", 4)
    status, done = await clinic.call(
        "POST",
        "/api/cases/case-1/recommendations",
        clinic.kim,
        {"version": 4, "text": "Treat after delivery; recheck RNA."},
    )
    assert status == 200 and (done["status"], done["version"]) == ("recommended", 5)
    status, mine = await clinic.call("GET", "/api/cases", clinic.dana)
    assert [(c["client_id"], c["recommendations"]) for c in mine["cases"]] == [
        ("case-1", "Treat after delivery; recheck RNA.")
    ]


async def test_the_same_submission_sent_again_makes_one_case_and_gets_the_same_answer(clinic: Clinic) -> None:
    first = await clinic.submit("case-1")
    again = await clinic.submit("case-1")
    assert first[0] == again[0] == 201 and first[1] == again[1]
    changed = {**VALUES, "hpi": "Now at 16 weeks."}
    assert (await clinic.submit("case-1", changed, 1))[1]["version"] == 2
    repeat = await clinic.submit("case-1", changed, 1)
    assert repeat[0] == 200 and repeat[1]["version"] == 2
    assert len(clinic.hub.store.cases_presented_by(clinic.dana.person.id)) == 1


async def test_a_reply_lost_after_the_hub_stored_the_case_is_retried_into_the_same_case(
    clinic: Clinic,
) -> None:
    body = json.dumps({"program_id": clinic.hub.program.id, "values": VALUES, "base_version": 0}).encode()
    host, port = clinic.hub.url.removeprefix("http://").split(":")
    _reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"PUT /api/cases/lost-reply HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {clinic.dana.api_token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    writer.close()  # the link drops: the client never reads the reply
    await writer.wait_closed()
    await wait_for(lambda: clinic.hub.store.case("lost-reply") is not None, what="the hub to store the case")
    status, case = await clinic.call(
        "PUT", "/api/cases/lost-reply", clinic.dana, raw=body
    )  # the outbox sends it again
    assert status == 201 and case["version"] == 1
    assert [c.case.client_id for c in clinic.hub.store.cases_presented_by(clinic.dana.person.id)] == [
        "lost-reply"
    ]


async def test_a_stale_update_never_overwrites_a_newer_one(clinic: Clinic) -> None:
    await clinic.submit("case-1")
    newer = {**VALUES, "hpi": "Newer text."}
    assert (await clinic.submit("case-1", newer, 1))[0] == 200
    status, refused = await clinic.submit("case-1", {**VALUES, "hpi": "Older edit."}, 1)
    assert status == 409 and refused["error"] == "stale" and refused["version"] == 2
    status, review = await clinic.call(
        "POST", "/api/cases/case-1/review", clinic.fran, {"version": 1, "action": "return", "comments": "x"}
    )
    assert status == 409 and review == {"error": "stale", "version": 2, "message": review["message"]}
    stored = clinic.hub.store.case("case-1")
    assert stored is not None and stored.case.values["hpi"] == "Newer text." and stored.case.version == 2


async def test_bad_submissions_are_refused_clearly_and_the_hub_keeps_what_it_had(clinic: Clinic) -> None:
    await clinic.submit("case-1")
    before = clinic.hub.store.case("case-1")
    program = clinic.hub.program.id
    huge = "a" * (MAX_CASE_TEXT_BYTES + 1)
    for body, raw, status, error in [
        (
            {"program_id": program, "values": {**VALUES, "mrn": "12"}, "base_version": 1},
            None,
            422,
            "unknown_field",
        ),
        (
            {"program_id": program, "values": {**VALUES, "hpi": huge}, "base_version": 1},
            None,
            413,
            "too_large",
        ),
        (
            {"program_id": program, "values": {**VALUES, "hpi": ""}, "base_version": 1},
            None,
            422,
            "missing_field",
        ),
        (
            {"program_id": program, "values": {**VALUES, "sex": "F"}, "base_version": 1},
            None,
            422,
            "invalid_choice",
        ),
        ({"program_id": str(program), "values": VALUES, "base_version": 1}, None, 400, "malformed"),
        ({"program_id": program, "values": VALUES}, None, 400, "malformed"),
        (None, b"{not json", 400, "malformed"),
        (None, b"\xff\xfe", 400, "malformed"),
        (None, b"x" * (2 * 1024 * 1024), 413, "too_large"),
    ]:
        got, answer = await clinic.call("PUT", "/api/cases/case-1", clinic.dana, body, raw)
        assert (got, answer["error"]) == (status, error), answer
        assert answer["message"]
        if error == "unknown_field":
            assert answer["field"] == "mrn"
        if error in ("missing_field", "invalid_choice"):
            assert answer["field"] in ("hpi", "sex")
    assert clinic.hub.store.case("case-1") == before
    assert (await clinic.call("PUT", "/api/cases/bad%20id", clinic.dana, {}))[1]["error"] == "malformed"
    assert (await clinic.submit("never-sent", VALUES, base_version=3))[0] == 404
    assert clinic.hub.store.case("never-sent") is None


async def test_phi_is_refused_by_field_and_kind_and_its_text_is_in_no_answer_and_no_log(
    clinic: Clinic, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    values = {**VALUES, "hpi": f"Referred by her sister {PHI} on March 3, 2024.", "question": "Next steps?"}
    async with clinic.http.put(
        clinic.url("/api/cases/case-phi"),
        json={"program_id": clinic.hub.program.id, "values": values, "base_version": 0},
        headers={"Authorization": f"Bearer {clinic.dana.api_token}"},
    ) as response:
        text = await response.text()
        assert response.status == 422
    answer = json.loads(text)
    assert answer["error"] == "phi"
    assert answer["findings"] == [{"field": "hpi", "kind": "DATE"}, {"field": "hpi", "kind": "NAME"}]
    for secret in (PHI, "Eleanor", "March 3", "sister"):
        assert secret not in text
    assert clinic.hub.store.case("case-phi") is None

    dismissals = [
        {"field": "hpi", "kind": "NAME", "text": PHI, "reason": "the referring clinician"},
        {"field": "hpi", "kind": "DATE", "text": "March 3, 2024", "reason": "a guideline's date"},
    ]
    status, stored = await clinic.submit("case-phi", values, dismissals=dismissals)
    assert status == 201
    assert [(f["field"], f["kind"]) for f in stored["findings"]] == [("hpi", "NAME"), ("hpi", "DATE")]
    assert all(set(f) == {"field", "kind", "start", "end"} for f in stored["findings"])
    status, queue = await clinic.call("GET", f"/api/programs/{clinic.hub.program.id}/cases", clinic.fran)
    assert (
        queue["cases"][0]["dismissals"][0]["reason"] == "the referring clinician"
    )  # the facilitator sees it

    records = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "case-phi" in records  # the service did log these requests, by id
    for secret in (PHI, "Eleanor", "March 3", "sister", VALUES["chief_complaint"]):
        assert secret not in records


async def test_only_the_presenter_and_the_programs_facilitators_read_a_case(clinic: Clinic) -> None:
    await clinic.submit("case-1")
    program = clinic.hub.program.id
    review = {"version": 1, "action": "return", "comments": "x"}
    body = {"program_id": program, "values": VALUES, "base_version": 0}
    refusals = [
        (await clinic.call("GET", "/api/cases/case-1", clinic.eli), "not_allowed"),
        (await clinic.call("GET", "/api/cases/case-1", clinic.kim), "not_allowed"),
        (await clinic.call("GET", "/api/cases/case-1", clinic.outsider), "not_allowed"),
        (await clinic.call("PUT", "/api/cases/case-1", clinic.eli, body), "not_the_presenter"),
        (await clinic.call("PUT", "/api/cases/other", clinic.outsider, body), "not_a_member"),
        (await clinic.call("POST", "/api/cases/case-1/review", clinic.dana, review), "not_a_facilitator"),
        (await clinic.call("POST", "/api/cases/case-1/review", clinic.outsider, review), "not_a_facilitator"),
        (
            await clinic.call(
                "POST", "/api/cases/case-1/recommendations", clinic.eli, {"version": 1, "text": "x"}
            ),
            "not_allowed",
        ),
        (await clinic.call("GET", f"/api/programs/{program}/cases", clinic.dana), "not_a_facilitator"),
        (await clinic.call("GET", f"/api/programs/{program}/cases", clinic.outsider), "not_a_facilitator"),
        (await clinic.call("GET", f"/api/programs/{program}/case-form", clinic.outsider), "not_a_member"),
    ]
    for (status, answer), error in refusals:
        assert (status, answer["error"]) == (403, error), answer
        assert VALUES["hpi"] not in json.dumps(answer)
    assert (await clinic.call("GET", "/api/cases/case-1", clinic.fran))[0] == 200
    assert (await clinic.call("GET", "/api/cases", clinic.eli))[1] == {"cases": []}
    missing = await clinic.call("GET", "/api/cases/nobody", clinic.fran)
    assert missing == (404, {"error": "no_such_case", "message": missing[1]["message"]})
    status, form = await clinic.call("GET", f"/api/programs/{program}/case-form", clinic.eli)
    assert status == 200 and form_from_json(form) == DEFAULT_FORM
    assert (await clinic.call("GET", "/api/programs/999/case-form", clinic.eli))[1][
        "error"
    ] == "no_such_program"
    async with clinic.http.get(clinic.url("/api/cases/case-1")) as anonymous:
        assert anonymous.status == 401


async def test_approval_needs_a_session_of_the_program_with_a_free_slot(clinic: Clinic) -> None:
    for client_id in ("a", "b", "c"):
        await clinic.submit(client_id, {**VALUES, "question": f"Case {client_id}?"})

    async def approve(client_id: str, session: object) -> tuple[int, Any]:
        return await clinic.call(
            "POST",
            f"/api/cases/{client_id}/review",
            clinic.fran,
            {"version": 1, "action": "approve", "session": session},
        )

    assert (await approve("a", clinic.session()))[0] == 200
    assert (await approve("b", clinic.session()))[0] == 200
    full = await approve("c", clinic.session())  # the series has two case slots
    assert full[0] == 409 and full[1]["error"] == "no_free_slot"
    for wrong in (
        {**clinic.session(), "start": "2026-10-22T16:00:00+00:00"},
        {**clinic.session(), "uid": "x@y"},
    ):
        assert (await approve("c", wrong))[1]["error"] == "no_such_session"
    assert (await approve("c", {"uid": clinic.hub.series_uid, "start": "soon"}))[0] == 400
    assert (await approve("c", None))[0] == 400
    bad = await clinic.call("POST", "/api/cases/c/review", clinic.fran, {"version": 1, "action": "publish"})
    assert bad[0] == 400
    clinic.hub.clock[0] = AFTER_FIRST_SESSION
    assert (await approve("c", clinic.session()))[1]["error"] == "ended"
    next_week = {**clinic.session(), "start": "2026-10-29T15:00:00+00:00"}
    status, approved = await approve("c", next_week)
    assert status == 200 and approved["session"]["start"] == "2026-10-29T15:00:00+00:00"
    again = await approve("c", next_week)  # the reply was lost: the same approval, sent again
    assert again == (200, approved)
    body = {"version": 1, "action": "return", "comments": "Add the genotype."}
    returned = await clinic.call("POST", "/api/cases/c/review", clinic.fran, body)
    assert returned[0] == 409 and returned[1]["error"] == "stale"  # another change from version 1


async def test_the_real_guard_refuses_a_name_and_a_full_date_and_passes_clinical_look_alikes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with (
        running_hub(tmp_path / "programs.db") as hub,
        aiohttp.ClientSession() as http,
    ):  # cases.deid.scan
        headers = {"Authorization": f"Bearer {hub.dana.api_token}"}

        async def submit(client_id: str, values: dict[str, str]) -> tuple[int, str]:
            body = {"program_id": hub.program.id, "values": values, "base_version": 0}
            async with http.put(f"{hub.url}/api/cases/{client_id}", json=body, headers=headers) as response:
                return response.status, await response.text()

        secrets = ("Maria Garcia", "Garcia", "March 3, 2024", "March 3")
        status, text = await submit("with-phi", {**VALUES, "hpi": "Seen by Maria Garcia on March 3, 2024."})
        answer = json.loads(text)
        assert status == 422 and answer["error"] == "phi"
        assert {(f["field"], f["kind"]) for f in answer["findings"]} == {("hpi", "NAME"), ("hpi", "DATE")}
        assert hub.store.case("with-phi") is None

        look_alikes = "Parkinson's disease since 2019 on carbidopa-levodopa; metformin 500 mg BID; BP 118/76."
        status, text = await submit("look-alikes", {**VALUES, "past_history": look_alikes})
        assert status == 201, text
        assert json.loads(text)["findings"] == []

    records = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "with-phi" in records  # the service did log the refused request, by id
    for secret in secrets:
        assert secret not in text and secret not in records


async def test_a_programs_approved_cases_over_a_window_for_the_lobby(clinic: Clinic) -> None:
    await clinic.submit("case-1")
    await clinic.submit("case-2", {**VALUES, "question": "Still waiting?"})  # submitted, not approved
    review = {"version": 1, "action": "approve", "session": clinic.session()}
    assert (await clinic.call("POST", "/api/cases/case-1/review", clinic.fran, review))[0] == 200
    program = clinic.hub.program.id

    def window(start: str, end: str) -> str:
        return f"/api/programs/{program}/approved-cases?from={quote(start)}&to={quote(end)}"

    status, answer = await clinic.call(
        "GET", window("2026-10-20T00:00:00+00:00", "2026-11-05T00:00:00Z"), clinic.eli
    )
    assert status == 200
    assert answer == {
        "cases": [
            {
                "uid": clinic.hub.series_uid,
                "start": "2026-10-22T15:00:00+00:00",
                "client_id": "case-1",
                "title": VALUES["question"],
            }
        ]
    }
    later = window("2026-10-22T15:00:01+00:00", "2026-11-05T00:00:00+00:00")
    assert (await clinic.call("GET", later, clinic.eli))[1] == {"cases": []}
    for start, end in (
        ("2026-10-20T00:00:00", "2026-11-05T00:00:00Z"),  # no offset
        ("2026-11-05T00:00:00Z", "2026-10-20T00:00:00Z"),  # backwards
        ("2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z"),  # too long
        ("soon", "later"),
    ):
        status, refused = await clinic.call("GET", window(start, end), clinic.eli)
        assert (status, refused["error"]) == (400, "malformed")
    status, refused = await clinic.call(
        "GET", window("2026-10-20T00:00:00Z", "2026-11-05T00:00:00Z"), clinic.outsider
    )
    assert (status, refused["error"]) == (403, "not_a_member")
