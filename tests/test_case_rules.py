"""The case rules, in plain Python: the form's checks, the guard with dismissals, and the review's
states with the version rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from echo_desktop.cases.findings import Dismissal, Finding, PhiKind
from echo_desktop.cases.model import DEFAULT_FORM, MAX_CASE_TEXT_BYTES, CaseStatus, SessionSlot
from echo_desktop.cases.review import (
    HubCase,
    accept_submission,
    approve,
    presented_if_ended,
    recommend,
    return_case,
    submission_digest,
)
from echo_desktop.cases.validation import (
    CaseRefusal,
    FieldFinding,
    GuardResult,
    Submission,
    check_guard,
    check_values,
)
from echo_desktop.cases.wire import (
    case_from_json,
    case_to_json,
    form_from_json,
    form_to_json,
    submission_from_json,
)
from tests.fake_guard import VALUES, fake_scan

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
SLOT = SessionSlot("series@echo-hub", datetime(2026, 10, 22, 15, 0, tzinfo=UTC))


def _refusal(call: object) -> CaseRefusal:
    assert callable(call)
    with pytest.raises(CaseRefusal) as refused:
        call()
    return refused.value


def test_values_that_fit_the_form_pass_and_each_misfit_is_named() -> None:
    check_values(DEFAULT_FORM, VALUES)
    unknown = _refusal(lambda: check_values(DEFAULT_FORM, {**VALUES, "mrn": "x"}))
    assert (unknown.code, unknown.details) == ("unknown_field", {"field": "mrn"})
    dismissal = Dismissal("nope", PhiKind.NAME, "Hodgkin", "a disease")
    assert _refusal(lambda: check_values(DEFAULT_FORM, VALUES, [dismissal])).details == {"field": "nope"}
    missing = _refusal(lambda: check_values(DEFAULT_FORM, {**VALUES, "hpi": "  \n"}))
    assert (missing.code, missing.details) == ("missing_field", {"field": "hpi"})
    choice = _refusal(lambda: check_values(DEFAULT_FORM, {**VALUES, "sex": "F"}))
    assert (choice.code, choice.details) == ("invalid_choice", {"field": "sex"})


def test_text_over_64_kb_in_all_is_too_large_counted_in_utf8_bytes() -> None:
    others = sum(len(v.encode()) for k, v in VALUES.items() if k != "hpi")
    room = MAX_CASE_TEXT_BYTES - others
    full = "é" * (room // 2) + "a" * (room % 2)  # "é" is two bytes: exactly the limit in all
    check_values(DEFAULT_FORM, {**VALUES, "hpi": full})
    big = _refusal(lambda: check_values(DEFAULT_FORM, {**VALUES, "hpi": full + "a"}))
    assert big.code == "too_large" and full not in str(big)


def test_the_guard_checks_free_text_only_and_dismissals_cover_field_kind_and_exact_text() -> None:
    values = {**VALUES, "hpi": "Seen by Dr. Smith on March 3, 2024.", "past_history": "Mother: Smith."}
    refused = _refusal(lambda: check_guard(DEFAULT_FORM, values, [], fake_scan))
    assert refused.code == "phi"
    assert refused.details == {
        "findings": [
            {"field": "hpi", "kind": "DATE"},
            {"field": "hpi", "kind": "NAME"},
            {"field": "past_history", "kind": "NAME"},
        ]
    }
    assert "Smith" not in str(refused) and "March" not in str(refused)

    dismissals = [
        Dismissal("hpi", PhiKind.NAME, "Smith", "the clinician, not the patient"),
        Dismissal("hpi", PhiKind.DATE, "March 3, 2024", "publication date"),
        Dismissal("past_history", PhiKind.DATE, "Smith", "wrong kind: covers nothing"),
    ]
    still = _refusal(lambda: check_guard(DEFAULT_FORM, values, dismissals, fake_scan))
    assert still.details == {"findings": [{"field": "past_history", "kind": "NAME"}]}
    dismissals.append(Dismissal("past_history", PhiKind.NAME, "Smith", "a surname of the clinic"))
    result = check_guard(DEFAULT_FORM, values, dismissals, fake_scan)
    assert result.open == () and [(f.field, f.kind, f.start, f.end) for f in result.dismissed] == [
        ("hpi", PhiKind.NAME, 12, 17), ("hpi", PhiKind.DATE, 21, 34), ("past_history", PhiKind.NAME, 8, 13)
    ]  # fmt: skip
    edited = {**values, "hpi": "Seen by Dr. Smith on March 4, 2024."}  # the dismissed text changed
    assert _refusal(lambda: check_guard(DEFAULT_FORM, edited, dismissals, fake_scan)).details == {
        "findings": [{"field": "hpi", "kind": "DATE"}]
    }


def test_a_choice_field_is_never_given_to_the_guard() -> None:
    seen: list[str] = []

    def guard(text: str) -> list[Finding]:
        seen.append(text)
        return []

    check_guard(DEFAULT_FORM, VALUES, [], guard)
    assert "Female" not in seen and VALUES["hpi"] in seen


def _submitted(values: dict[str, str] | None = None, base_version: int = 0) -> Submission:
    return Submission(1, dict(values or VALUES), (), base_version)


def _accept(current: HubCase | None, submission: Submission, presenter_id: int = 7) -> tuple[HubCase, bool]:
    outcome = accept_submission(current, "c-1", submission, presenter_id, "Dana, Taos", GuardResult(), NOW)
    return outcome.case, outcome.created


def test_the_review_round_trip_moves_the_version_on_with_each_change() -> None:
    case, created = _accept(None, _submitted())
    assert created and (case.case.status, case.case.version) == (CaseStatus.SUBMITTED, 1)
    returned = return_case(case, 1, "Please add the genotype.", NOW)
    assert (returned.case.status, returned.case.version) == (CaseStatus.RETURNED, 2)
    assert returned.case.comments == "Please add the genotype."
    again, created = _accept(returned, _submitted({**VALUES, "labs_imaging": "Genotype 1a"}, 2))
    assert not created and (again.case.status, again.case.version) == (CaseStatus.SUBMITTED, 3)
    approved = approve(again, 3, SLOT, slots=2, taken=1, now=NOW)
    assert (approved.case.status, approved.case.session, approved.case.version) == (
        CaseStatus.APPROVED, SLOT, 4)  # fmt: skip
    assert presented_if_ended(approved, SLOT.start + timedelta(hours=1), SLOT.start) is approved
    presented = presented_if_ended(approved, SLOT.start + timedelta(hours=1), SLOT.start + timedelta(hours=1))
    assert (presented.case.status, presented.case.version) == (CaseStatus.PRESENTED, 4)
    done = recommend(presented, 4, "Treat after delivery.", NOW)
    assert (done.case.status, done.case.recommendations, done.case.version) == (
        CaseStatus.RECOMMENDED, "Treat after delivery.", 5)  # fmt: skip


def test_a_stale_change_is_refused_with_the_hubs_version_and_a_repeat_gets_the_first_answer() -> None:
    case, _ = _accept(None, _submitted())
    repeat, created = _accept(case, _submitted())  # the reply to the first was lost
    assert repeat is case and created
    stale = _refusal(lambda: _accept(case, _submitted({**VALUES, "hpi": "new"}, 0)))
    assert (stale.code, stale.details) == ("stale", {"version": 1})
    newer, _ = _accept(case, _submitted({**VALUES, "hpi": "newer"}, 1))
    assert newer.case.version == 2
    assert _refusal(lambda: _accept(newer, _submitted({**VALUES, "hpi": "older"}, 1))).code == "stale"
    again, created = _accept(newer, _submitted({**VALUES, "hpi": "newer"}, 1))
    assert again is newer and not created
    assert _refusal(lambda: return_case(newer, 1, "x", NOW)).details == {"version": 2}
    assert _refusal(lambda: _accept(None, _submitted(base_version=3))).code == "no_such_case"


def test_a_review_or_recommendation_sent_again_gets_the_case_and_a_different_one_is_stale() -> None:
    case, _ = _accept(None, _submitted())
    returned = return_case(case, 1, "Add the genotype.", NOW)
    assert return_case(returned, 1, "Add the genotype.", NOW) is returned  # the reply was lost
    assert _refusal(lambda: return_case(returned, 1, "Add the viral load.", NOW)).code == "stale"
    again, _ = _accept(returned, _submitted({**VALUES, "labs_imaging": "Genotype 1a"}, 2))
    approved = approve(again, 3, SLOT, slots=1, taken=0, now=NOW)
    # Sent again, its own slot now counts as taken: still the same approval, not "no free slot".
    assert approve(approved, 3, SLOT, slots=1, taken=1, now=NOW) is approved
    other = SessionSlot(SLOT.uid, SLOT.start + timedelta(days=7))
    assert _refusal(lambda: approve(approved, 3, other, slots=1, taken=0, now=NOW)).code == "stale"
    presented = presented_if_ended(approved, SLOT.start + timedelta(hours=1), SLOT.start + timedelta(hours=1))
    assert approve(presented, 3, SLOT, slots=1, taken=1, now=NOW) is presented  # after the session too
    done = recommend(presented, 4, "Treat after delivery.", NOW)
    assert recommend(done, 4, "Treat after delivery.", NOW) is done
    assert _refusal(lambda: recommend(done, 4, "Treat now.", NOW)).code == "stale"
    assert recommend(done, 5, "Treat now.", NOW).case.version == 6  # a rewrite from the new version


def test_only_the_presenter_changes_a_case_and_it_stays_in_its_program() -> None:
    case, _ = _accept(None, _submitted())
    assert _refusal(lambda: _accept(case, _submitted(), presenter_id=8)).code == "not_the_presenter"
    moved = Submission(2, dict(VALUES), (), 1)
    assert _refusal(lambda: _accept(case, moved)).code == "malformed"


def test_each_step_needs_the_right_status_and_approval_a_free_slot() -> None:
    case, _ = _accept(None, _submitted())
    assert _refusal(lambda: recommend(case, 1, "x", NOW)).code == "wrong_status"
    assert _refusal(lambda: approve(case, 1, SLOT, slots=2, taken=2, now=NOW)).code == "no_free_slot"
    assert _refusal(lambda: approve(case, 1, SLOT, slots=0, taken=0, now=NOW)).code == "no_free_slot"
    assert _refusal(lambda: return_case(case, 1, "  ", NOW)).code == "malformed"
    approved = approve(case, 1, SLOT, slots=1, taken=0, now=NOW)
    assert _refusal(lambda: approve(approved, 2, SLOT, slots=2, taken=0, now=NOW)).code == "wrong_status"
    assert _refusal(lambda: _accept(approved, _submitted({**VALUES, "hpi": "x"}, 2))).code == "wrong_status"
    assert _refusal(lambda: recommend(approved, 2, "too early", NOW)).code == "wrong_status"


def test_the_digest_ignores_how_the_json_was_written_but_not_what_it_says() -> None:
    one = submission_from_json({"program_id": 1, "values": {"a": "x", "b": "y"}, "base_version": 0})
    two = submission_from_json(
        {"base_version": 0, "values": {"b": "y", "a": "x"}, "program_id": 1, "dismissals": []}
    )
    assert submission_digest(one) == submission_digest(two)
    assert submission_digest(one) != submission_digest(replace(one, base_version=1))


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"values": {}, "base_version": 0},
        {"program_id": "1", "values": {}, "base_version": 0},
        {"program_id": True, "values": {}, "base_version": 0},
        {"program_id": 2**70, "values": {}, "base_version": 0},
        {"program_id": 1, "values": {"hpi": 3}, "base_version": 0},
        {"program_id": 1, "values": [], "base_version": 0},
        {"program_id": 1, "values": {}, "base_version": -1},
        {
            "program_id": 1,
            "values": {},
            "base_version": 0,
            "dismissals": [{"field": "hpi", "kind": "PET", "text": "x"}],
        },
        {"program_id": 1, "values": {}, "base_version": 0, "dismissals": {}},
    ],
)
def test_a_body_not_of_the_documented_shape_is_malformed(body: object) -> None:
    assert _refusal(lambda: submission_from_json(body)).code == "malformed"


def test_the_form_and_the_case_read_back_as_they_were_written() -> None:
    assert form_from_json(form_to_json(DEFAULT_FORM)) == DEFAULT_FORM
    case, _ = _accept(None, _submitted())
    hub_case = replace(
        approve(case, 1, SLOT, 1, 0, NOW),
        findings=(FieldFinding("hpi", PhiKind.NAME, 3, 8),),
    )
    graves = Dismissal("hpi", PhiKind.NAME, "Graves", "a disease")
    hub_case = replace(hub_case, case=replace(hub_case.case, dismissals=(graves,)))
    read, findings = case_from_json(case_to_json(hub_case))
    assert read == hub_case.case and findings == hub_case.findings
    assert case_to_json(hub_case)["findings"] == [{"field": "hpi", "kind": "NAME", "start": 3, "end": 8}]
