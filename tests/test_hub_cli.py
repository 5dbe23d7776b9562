"""The facilitator's commands (`echo-desktop hub program|session|person ...`), on a real store,
with the tokens they print tried against the real program service."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from echo_desktop.cases.review import accept_submission
from echo_desktop.cases.validation import GuardResult, Submission
from echo_desktop.cli import build_parser, main
from echo_desktop.hub.adhoc_room import announce_adhoc_room, forget_adhoc_room
from echo_desktop.hub.program_service.server import ProgramServer
from echo_desktop.hub.program_service.store import ProgramStore
from tests.fake_guard import VALUES

ROOT = Path(__file__).resolve().parents[1]


def _run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> dict[str, Any]:
    """Run one command with --json and return its answer (it must succeed)."""
    status = main(["hub", *argv, "--data", str(data), "--json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    answer = json.loads(out)
    assert isinstance(answer, dict)
    return answer


def _status(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """The exit status and stderr of a command that must fail."""
    try:
        status = main(["hub", *argv])
    except SystemExit as exc:  # argparse refuses bad arguments with status 2
        status = int(exc.code or 0)
    return status, capsys.readouterr().err


def _get(url: str, token: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_facilitator_sets_up_a_program_its_sessions_and_people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "hub"
    program = _run(capsys, data, "program", "add", "Hepatitis C", "--time-zone", "America/Denver")
    assert program == {"id": 1, "name": "Hepatitis C", "time_zone": "America/Denver"}
    assert _run(capsys, data, "program", "list") == {"programs": [program]}

    weekly = _run(
        capsys, data, "session", "add", "--program", "1", "--title", "HCV teleECHO",
        "--start", "2026-10-22 09:00", "--duration", "60", "--weekly", "--until", "2026-12-17",
        "--didactic", "HCV in pregnancy", "--presenter", "Dr. Ana Ruiz", "--cases", "2",
    )  # fmt: skip
    uid = str(weekly.pop("uid"))
    assert isinstance(weekly.pop("room"), int)
    assert weekly == {
        "program": 1, "title": "HCV teleECHO", "start": "2026-10-22T09:00", "duration_minutes": 60,
        "frequency": "weekly", "interval": 1, "until": "2026-12-17", "didactic": "HCV in pregnancy",
        "presenter": "Dr. Ana Ruiz", "cases": 2, "cancelled": [], "moved": {},
    }  # fmt: skip
    fortnightly = _run(
        capsys, data, "session", "add", "--program", "1", "--title", "Journal club",
        "--start", "2026-10-23 12:00", "--duration", "45", "--every-weeks", "2",
    )  # fmt: skip
    assert (fortnightly["frequency"], fortnightly["interval"]) == ("weekly", 2)
    once = _run(
        capsys, data, "session", "add", "--program", "1", "--title", "Kickoff",
        "--start", "2027-01-08 07:30", "--duration", "90",
    )  # fmt: skip
    assert once["frequency"] == "once" and once["room"] not in (weekly.get("room"), fortnightly["room"])
    monthly = _run(
        capsys, data, "session", "add", "--program", "1", "--title", "Pain",
        "--start", "2026-10-05 12:00", "--duration", "60", "--monthly",
    )  # fmt: skip
    assert monthly["frequency"] == "monthly"

    assert _run(capsys, data, "session", "cancel", uid, "2026-11-26") == {
        "uid": uid,
        "cancelled": "2026-11-26",
    }
    moved = _run(capsys, data, "session", "move", uid, "2026-12-03", "2026-12-04 10:00")
    assert moved == {"uid": uid, "moved": "2026-12-03", "to": "2026-12-04T10:00"}
    listed = _run(capsys, data, "session", "list", "--program", "1")
    sessions = listed["sessions"]
    assert isinstance(sessions, list) and len(sessions) == 4
    (first,) = [s for s in sessions if s["uid"] == uid]
    assert first["cancelled"] == ["2026-11-26"] and first["moved"] == {"2026-12-03": "2026-12-04T10:00"}

    person = _run(
        capsys, data, "person", "add", "--name", "Dana Whitehorse, NP", "--site", "Taos Clinic",
        "--role", "spoke", "--program", "1", "--service-url", "https://hub.example.org:8090/",
    )  # fmt: skip
    token = str(person.pop("api_token"))
    (feed,) = person.pop("feeds")
    assert person == {"id": 1, "name": "Dana Whitehorse, NP", "site": "Taos Clinic", "role": "spoke",
                      "programs": [1]}  # fmt: skip
    assert feed["program"] == 1 and feed["name"] == "Hepatitis C"
    assert feed["url"].startswith("https://hub.example.org:8090/feed/") and feed["url"].endswith("/1.ics")
    people = _run(capsys, data, "person", "list")
    assert people == {"people": [{"id": 1, "name": "Dana Whitehorse, NP", "site": "Taos Clinic",
                                  "role": "spoke", "programs": [1], "api_token_live": True,
                                  "feed_live": True}]}  # fmt: skip
    assert token not in json.dumps(people)

    # Without --json: words for people.
    assert main(["hub", "session", "list", "--program", "1", "--data", str(data)]) == 0
    text = capsys.readouterr().out
    assert f"{uid}\tHCV teleECHO\tfrom 2026-10-22 09:00, every week until 2026-12-17" in text
    assert "every 2 weeks" in text


def test_bad_input_exits_2_and_a_failure_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "hub")
    _run(capsys, tmp_path / "hub", "program", "add", "Pain", "--time-zone", "UTC")
    refusals = [
        (["program", "add", "HCV", "--time-zone", "Mountain Standard Time"], "not a known IANA time zone"),
        (["program", "add", "Pain", "--time-zone", "UTC"], "already a program"),
        (["session", "add", "--program", "9", "--title", "x", "--start", "2026-10-22 09:00",
          "--duration", "60"], "no program 9"),
        (["session", "add", "--program", "1", "--title", "x", "--start", "22/10/2026 9am",
          "--duration", "60"], "YYYY-MM-DD HH:MM"),
        (["session", "add", "--program", "1", "--title", "x", "--start", "2026-10-22 09:00",
          "--duration", "0"], "at least 1"),
        (["session", "add", "--program", "1", "--title", "x", "--start", "2026-10-22 09:00",
          "--duration", "60", "--weekly", "--monthly"], "not allowed with"),
        (["session", "add", "--program", "1", "--title", "x", "--start", "2026-10-22 09:00",
          "--duration", "60", "--until", "2026-12-01"], "repeating session"),
        (["session", "cancel", "nope@hub", "2026-11-26"], "no series"),
        (["session", "move", "nope@hub", "2026-11-26", "tomorrow"], "YYYY-MM-DD HH:MM"),
        (["person", "add", "--name", "Kim", "--site", "UNM", "--role", "admin", "--program", "1"],
         "invalid choice"),
        (["person", "add", "--name", "Kim", "--site", "UNM", "--role", "hub", "--program", "7"],
         "no program 7"),
        (["person", "revoke", "42"], "no person 42"),
        (["person", "reissue-feed", "42"], "no person 42"),
        (["program", "list", "--json", "--extra"], "unrecognized arguments"),
    ]  # fmt: skip
    for argv, message in refusals:
        status, err = _status(capsys, *argv, "--data", data)
        assert status == 2 and message in err, (argv, err)
    assert _run(capsys, tmp_path / "hub", "person", "list") == {"people": []}  # Kim was never added

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    status, err = _status(capsys, "program", "list", "--data", str(blocked))
    assert status == 1 and "cannot open the program store" in err


def test_every_command_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    commands = [["program", "add"], ["program", "list"], ["session", "add"], ["session", "list"],
                ["session", "cancel"], ["session", "move"], ["person", "add"], ["person", "list"],
                ["person", "revoke"], ["person", "reissue-feed"], ["case", "list"], ["case", "show"],
                ["run"]]  # fmt: skip
    for command in commands:
        with pytest.raises(SystemExit) as done:
            main(["hub", *command, "--help"])
        assert done.value.code == 0
        text = capsys.readouterr().out
        assert "example:" in text and f"echo-desktop hub {' '.join(command)}" in text, command


def test_a_printed_token_works_against_the_running_service_until_revoked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "hub"
    _run(capsys, data, "program", "add", "Hepatitis C", "--time-zone", "America/Denver")
    server = ProgramServer(data / "programs.db", "127.0.0.1", 0).start()  # the same file, live
    try:
        person = _run(
            capsys, data, "person", "add", "--name", "Dana", "--site", "Taos", "--role", "spoke",
            "--program", "1", "--service-url", server.url,
        )  # fmt: skip
        token = str(person["api_token"])
        (feed,) = person["feeds"]
        assert _get(f"{server.url}/api/programs", token) == 200
        assert _get(feed["url"]) == 200

        reissued = _run(capsys, data, "person", "reissue-feed", "1", "--service-url", server.url)
        (new_feed,) = reissued["feeds"]
        assert _get(feed["url"]) == 401 and _get(new_feed["url"]) == 200
        assert _run(capsys, data, "person", "revoke", "1", "--feed-only") == {"id": 1, "revoked": 1}
        assert _get(new_feed["url"]) == 401 and _get(f"{server.url}/api/programs", token) == 200
        assert _run(capsys, data, "person", "revoke", "1") == {"id": 1, "revoked": 1}
        assert _get(f"{server.url}/api/programs", token) == 401
    finally:
        server.stop()


def test_the_installed_command_runs_as_a_process(tmp_path: Path) -> None:
    data = str(tmp_path / "hub")
    base = [sys.executable, "-m", "echo_desktop", "hub"]
    added = subprocess.run(
        [*base, "program", "add", "Pain", "--time-zone", "America/New_York", "--data", data, "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"id": 1, "name": "Pain", "time_zone": "America/New_York"}
    refused = subprocess.run(
        [*base, "program", "add", "Pain", "--time-zone", "UTC", "--data", data],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 2 and "already a program named 'Pain'" in refused.stderr
    assert refused.stdout == ""


def test_running_the_hub_refuses_plain_http_beyond_loopback_before_starting_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(tmp_path / "hub")
    status, err = _status(capsys, "run", "--service-ip", "0.0.0.0", "--data", data)
    assert status == 2 and "loopback only, not on 0.0.0.0" in err and "--insecure-http" in err
    status, err = _status(capsys, "--cert", str(tmp_path / "hub.crt"), "--data", data)
    assert status == 2 and "--cert and --key go together" in err
    status, err = _status(capsys, "--janus-public-url", "https://hub.example.org", "--data", data)
    assert status == 2 and "--janus-public-url" in err and "ws:// or wss://" in err
    assert not (tmp_path / "hub").exists()  # nothing was started or created


def test_options_before_a_subcommand_count_as_much_as_after_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "default"))  # where a lost --data would go
    data = tmp_path / "hub"
    _run(capsys, data, "program", "add", "Pain", "--time-zone", "UTC")  # the old form: options after
    assert main(["hub", "--data", str(data), "program", "list"]) == 0
    assert "Pain" in capsys.readouterr().out
    assert main(["hub", "--data", str(data), "--json", "person", "list"]) == 0
    assert json.loads(capsys.readouterr().out) == {"people": []}
    assert main(["hub", "--json", "program", "list", "--data", str(data)]) == 0
    assert json.loads(capsys.readouterr().out)["programs"][0]["name"] == "Pain"

    parser = build_parser()
    before = parser.parse_args(["hub", "--ip", "10.0.0.5", "--room", "77", "--data", "/x", "run"])
    after = parser.parse_args(["hub", "run", "--ip", "10.0.0.5", "--room", "77", "--data", "/x"])
    bare = parser.parse_args(["hub", "--ip", "10.0.0.5", "--room", "77", "--data", "/x"])
    for args in (before, after, bare):
        assert (args.ip, args.room, args.data) == ("10.0.0.5", 77, Path("/x"))
    defaults = parser.parse_args(["hub", "run"])
    assert (defaults.ip, defaults.room, defaults.data, defaults.service_port) == (
        "127.0.0.1",
        1234,
        None,
        8090,
    )
    # Given both before and after the subcommand, the nearer one (after) wins.
    assert parser.parse_args(["hub", "--ip", "10.0.0.5", "run", "--ip", "10.0.0.6"]).ip == "10.0.0.6"
    public = ["--janus-public-url", "wss://hub.example.org/janus"]
    assert parser.parse_args(["hub", *public, "run"]).janus_public_url == "wss://hub.example.org/janus"
    assert parser.parse_args(["hub", "run", *public]).janus_public_url == "wss://hub.example.org/janus"
    assert not (tmp_path / "default").exists()


def test_cancel_and_move_refuse_a_date_on_which_the_series_has_no_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "hub"
    _run(capsys, data, "program", "add", "Hepatitis C", "--time-zone", "America/Denver")
    thursdays = _run(
        capsys, data, "session", "add", "--program", "1", "--title", "HCV teleECHO",
        "--start", "2026-10-22 09:00", "--duration", "60", "--weekly", "--until", "2026-12-17",
    )  # fmt: skip
    fortnightly = _run(
        capsys, data, "session", "add", "--program", "1", "--title", "Journal club",
        "--start", "2026-10-23 12:00", "--duration", "45", "--every-weeks", "2",
    )  # fmt: skip
    monthly = _run(
        capsys, data, "session", "add", "--program", "1", "--title", "Pain",
        "--start", "2026-10-05 12:30", "--duration", "60", "--monthly",
    )  # fmt: skip
    once = _run(
        capsys, data, "session", "add", "--program", "1", "--title", "Kickoff",
        "--start", "2027-01-08 07:30", "--duration", "90",
    )  # fmt: skip
    refusals = [
        (["cancel", thursdays["uid"], "2026-11-25"], ["2026-11-25", "every Thursday at 09:00"]),
        (["move", thursdays["uid"], "2026-11-25", "2026-11-27 09:00"], ["every Thursday at 09:00"]),
        (["cancel", fortnightly["uid"], "2026-10-30"], ["every 2 weeks on Friday at 12:00"]),
        (["cancel", monthly["uid"], "2026-11-06"], ["on day 5 of every month at 12:30"]),
        (["move", once["uid"], "2027-01-09", "2027-01-10 07:30"], ["once, on Friday 2027-01-08 at 07:30"]),
    ]
    for argv, words in refusals:
        status, err = _status(capsys, "session", *argv, "--data", str(data))
        assert status == 2 and "has no session on" in err, (argv, err)
        assert all(word in err for word in words), (argv, err)
    listed = _run(capsys, data, "session", "list", "--program", "1")["sessions"]
    assert all(s["cancelled"] == [] and s["moved"] == {} for s in listed)  # nothing was written

    # The dates the series has are still accepted, again too (a moved date may be moved again).
    _run(capsys, data, "session", "cancel", fortnightly["uid"], "2026-11-06")
    _run(capsys, data, "session", "move", thursdays["uid"], "2026-12-03", "2026-12-04 10:00")
    _run(capsys, data, "session", "move", thursdays["uid"], "2026-12-03", "2026-12-04 11:00")
    _run(capsys, data, "session", "cancel", monthly["uid"], "2026-11-05")
    _run(capsys, data, "session", "cancel", once["uid"], "2027-01-08")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_adhoc_rooms_pin_is_printed_on_a_terminal_and_kept_in_a_private_file_elsewhere(
    tmp_path: Path,
) -> None:
    terminal = _Terminal()
    assert announce_adhoc_room(1234, "8642", "ws://10.0.0.5:8188", tmp_path / "hub", terminal) is None
    assert "room 1234, PIN 8642" in terminal.getvalue()
    assert not (tmp_path / "hub").exists()

    journal = io.StringIO()  # a pipe, a service manager's journal: not a terminal
    (tmp_path / "hub").mkdir()
    planted = tmp_path / "elsewhere"
    (tmp_path / "hub" / "adhoc-room.json").symlink_to(planted)  # not followed, not inherited
    path = announce_adhoc_room(1234, "8642", "ws://10.0.0.5:8188", tmp_path / "hub", journal)
    assert path == tmp_path / "hub" / "adhoc-room.json"
    assert "8642" not in journal.getvalue() and str(path) in journal.getvalue()
    assert stat.S_IMODE(path.lstat().st_mode) == 0o600 and not path.is_symlink()
    assert json.loads(path.read_text()) == {"janus": "ws://10.0.0.5:8188", "room": 1234, "pin": "8642"}
    assert not planted.exists()
    forget_adhoc_room(path)
    assert not path.exists()


def test_a_start_skipped_by_daylight_saving_is_refused_and_a_monthly_29th_to_31st_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "hub"
    _run(capsys, data, "program", "add", "Hepatitis C", "--time-zone", "America/Denver")
    add = ["session", "add", "--program", "1", "--title", "HCV", "--duration", "60", "--data", str(data)]
    # 02:30 on 2026-03-08 does not exist in Denver: the clocks go from 02:00 straight to 03:00.
    status, err = _status(capsys, *add, "--start", "2026-03-08 02:30")
    assert status == 2 and "2026-03-08 02:30 does not exist in America/Denver" in err, err
    assert "03:30" in err
    weekly = _run(capsys, data, "session", "add", "--program", "1", "--title", "HCV", "--duration", "60",
                  "--start", "2026-03-05 09:00", "--weekly")  # fmt: skip
    status, err = _status(capsys, "session", "move", str(weekly["uid"]), "2026-03-12", "2026-03-08 02:15",
                          "--data", str(data))  # fmt: skip
    assert status == 2 and "2026-03-08 02:15 does not exist in America/Denver" in err, err
    assert _run(capsys, data, "session", "list", "--program", "1")["sessions"][0]["moved"] == {}

    # A weekly series at 02:30 exists on most Sundays, but not on the one the clocks go forward.
    assert main(["hub", *add, "--start", "2026-03-01 02:30", "--weekly", "--until", "2026-03-29"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "2026-03-08" in err and "03:30" in err, err

    # Monthly on the 31st: months without a 31st have no session, and the facilitator is told.
    assert main(["hub", *add, "--start", "2026-10-31 12:00", "--monthly", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["frequency"] == "monthly"
    assert "warning" in err and "day 31" in err and "November" in err, err
    assert main(["hub", *add, "--start", "2026-10-28 12:00", "--monthly"]) == 0  # every month has a 28th
    assert "warning" not in capsys.readouterr().err


def test_a_facilitator_sees_the_case_queue_and_one_case_without_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "hub"
    program = _run(capsys, data, "program", "add", "Hepatitis C", "--time-zone", "America/Denver")
    dana = _run(capsys, data, "person", "add", "--name", "Dana", "--site", "Taos", "--role", "spoke",
                "--program", str(program["id"]), "--service-url", "http://127.0.0.1:8090")  # fmt: skip
    assert _run(capsys, data, "case", "list", "--program", str(program["id"])) == {"cases": []}
    store = ProgramStore.open(data / "programs.db")
    try:
        submission = Submission(program["id"], dict(VALUES))
        store.change_case(
            "case-1",
            lambda current, _taken: (
                accept_submission(
                    current, "case-1", submission, dana["id"], "Dana, Taos", GuardResult(), store.now()
                ).case
            ),
        )
    finally:
        store.close()
    queue = _run(capsys, data, "case", "list", "--program", str(program["id"]), "--status", "submitted")
    assert [(c["client_id"], c["status"], c["version"]) for c in queue["cases"]] == [
        ("case-1", "submitted", 1)
    ]
    assert _run(capsys, data, "case", "list", "--program", str(program["id"]), "--status", "approved") == {
        "cases": []
    }
    shown = _run(capsys, data, "case", "show", "case-1")
    assert shown["values"] == VALUES and shown["presenter"] == "Dana, Taos"
    assert main(["hub", "case", "list", "--program", str(program["id"]), "--data", str(data)]) == 0
    assert "case-1\tsubmitted\tv1\tDana, Taos\t" + VALUES["question"] in capsys.readouterr().out
    status, err = _status(capsys, "case", "show", "nobody", "--data", str(data))
    assert status == 2 and "no case 'nobody'" in err
