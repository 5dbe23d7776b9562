"""The Janus side's list of publishers and its reading of trickled candidates (plain data, no network)."""

from __future__ import annotations

import pytest

from echo_desktop.net.roster import Roster
from echo_desktop.net.trickle import parse_trickle
from echo_desktop.session.models import Participant, Role
from echo_desktop.session.ports import IceCandidate


def test_new_publishers_arrive_once_and_our_own_feed_is_ignored() -> None:
    roster = Roster()
    roster.my_id = 1
    arrivals, changed = roster.add_publishers(
        [{"id": 1, "display": "Me [spoke]"}, {"id": 2, "display": "Dr. Ruiz [hub] (muted)"}, {"id": 3}]
    )
    assert [(a.participant, a.display) for a in arrivals] == [
        (Participant(2, "Dr. Ruiz", Role.HUB, muted=True), "Dr. Ruiz [hub] (muted)"),
        (Participant(3, "Guest", Role.SPOKE), "Guest"),
    ]
    assert changed == []
    again, changed = roster.add_publishers([{"id": 2, "display": "Dr. Ruiz [hub]"}])
    assert again == [] and changed == [Participant(2, "Dr. Ruiz", Role.HUB)]  # unmuted


def test_display_updates_report_only_real_changes() -> None:
    roster = Roster()
    roster.add_publishers([{"id": 5, "display": "Nurse Kim [spoke]"}])
    assert roster.update_display(5, "Nurse Kim [spoke]") is None
    assert roster.update_display(5, "Nurse Kim [spoke] (camera off)") == Participant(
        5, "Nurse Kim", Role.SPOKE, camera_on=False
    )
    assert roster.update_display(6, "Stranger [hub]") is None  # unknown feed
    assert roster.update_display(True, "x [hub]") is None  # a bool is not a feed id


def test_departures_name_only_known_feeds_once() -> None:
    roster = Roster()
    roster.add_publishers([{"id": 7}, {"id": 8}])
    assert roster.departures({"unpublished": 7, "leaving": 7}) == [7]
    assert roster.departures({"leaving": 99}) == []
    assert roster.remove(7) and not roster.remove(7)
    assert 7 not in roster and 8 in roster


def test_trickle_candidates_become_plain_values() -> None:
    line = "candidate:1 1 udp 2013266431 10.71.0.1 20123 typ host"
    assert parse_trickle({"candidate": line, "sdpMid": "0", "sdpMLineIndex": 0}) == IceCandidate(
        "1 1 udp 2013266431 10.71.0.1 20123 typ host", "0", 0
    )
    assert parse_trickle({"candidate": line}) == IceCandidate(line[len("candidate:") :], None, 0)
    assert parse_trickle({"completed": True}) is None


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {"candidate": ""},
        {"candidate": "garbage"},
        {"candidate": "candidate:1 1 udp x 10.0.0.1 20123 typ host"},
        {"candidate": "candidate:1 1 udp 1 10.0.0.1 20123 type host"},
    ],
)
def test_malformed_trickle_candidates_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_trickle(bad)
