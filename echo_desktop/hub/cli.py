"""`echo-desktop hub`: run the local hub, and manage its programs, sessions and people.

- `echo-desktop hub` (or `hub run`) runs Janus and the program service until Ctrl-C or SIGTERM.
  Once both answer, it prints one JSON line to stdout, `{"janus": ws-url, "service": url}`, for
  scripts and the demo; what a person reads goes to stderr.
- `echo-desktop hub program|session|person ...` are the facilitator's commands (see
  `hub.facilitator`), on the store file directly, safe while the service runs. Each takes
  `--data DIR` and `--json`; bad input exits 2, a failure 1.

Only the standard library is imported here at first, so that building the command's parser costs
the app nothing; each command imports what it needs.
"""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import sys
import threading
from datetime import date, datetime
from pathlib import Path

from echo_desktop.cases.model import CaseStatus
from echo_desktop.session.errors import EchoError

DEFAULT_SERVICE_PORT = 8090
DEFAULT_SERVICE_URL = f"http://127.0.0.1:{DEFAULT_SERVICE_PORT}"
_FORMATTER = argparse.RawDescriptionHelpFormatter
_DATA_HELP = "the folder of the program store (default: the user data folder)"


def default_data_dir() -> Path:
    """Where the hub keeps its program store (platformdirs; the XDG variables move it)."""
    import platformdirs

    return platformdirs.user_data_path("echo-desktop-hub", "Project ECHO")


# --- the parser ---------------------------------------------------------------------------------


def add_hub_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `hub` and its subcommands to the echo-desktop parser."""
    hub = commands.add_parser(
        "hub",
        help="run the local hub (Janus and the program service), or manage its programs and people",
        description="Run the local hub, or manage its programs, sessions and people.\n\n"
        "With no subcommand it runs the hub, as `hub run` does.",
        epilog="examples:\n  echo-desktop hub --ip 127.0.0.1\n"
        '  echo-desktop hub program add "Hepatitis C" --time-zone America/Denver',
        formatter_class=_FORMATTER,
    )
    # An option may come before the subcommand or after it. The subcommands' copies have no
    # default (SUPPRESS): argparse copies every value a subparser holds over the parent's, so a
    # default there would silently undo `hub --data D program list`.
    _add_run_args(hub)
    _add_common_args(hub)
    sub = hub.add_subparsers(dest="hub_command", metavar="{run,program,session,person,case}")
    run = _command(sub, "run", "run Janus and the program service (the default)", "echo-desktop hub run")
    _add_run_args(run, suppress=True)

    common = argparse.ArgumentParser(add_help=False)
    _add_common_args(common, suppress=True)

    program = _group(sub, "program", "the programs (add, list)")
    add = _command(
        program, "add", "add a program",
        'echo-desktop hub program add "Hepatitis C" --time-zone America/Denver', common,
    )  # fmt: skip
    add.add_argument("name", help="the program's name, unique on this hub")
    add.add_argument("--time-zone", required=True, help="its IANA time zone, e.g. America/Denver")
    _command(program, "list", "list the programs", "echo-desktop hub program list --json", common)

    session = _group(sub, "session", "the sessions of a program (add, list, cancel, move)")
    add = _command(
        session, "add", "add a one-off or repeating session (times in the program's time zone)",
        'echo-desktop hub session add --program 1 --title "HCV teleECHO" --start "2026-10-22 09:00"'
        ' --duration 60 --weekly --until 2026-12-17 --didactic "HCV in pregnancy"'
        ' --presenter "Dr. Ana Ruiz" --cases 2', common,
    )  # fmt: skip
    add.add_argument("--program", type=int, required=True, help="the program's id")
    add.add_argument("--title", required=True)
    add.add_argument("--start", type=_wall_clock, required=True, help='"YYYY-MM-DD HH:MM" (the first)')
    add.add_argument("--duration", type=_positive, required=True, help="minutes")
    repeat = add.add_mutually_exclusive_group()
    repeat.add_argument("--weekly", action="store_true", help="every week")
    repeat.add_argument("--every-weeks", type=_positive, metavar="N", help="every N weeks")
    repeat.add_argument("--monthly", action="store_true", help="every month, on the same day")
    add.add_argument("--until", type=_day, help="YYYY-MM-DD, the last day it may happen")
    add.add_argument("--didactic", default="", help="the didactic's title")
    add.add_argument("--presenter", default="", help="who presents the didactic")
    add.add_argument("--cases", type=_not_negative, default=0, metavar="N", help="case slots")
    listing = _command(
        session, "list", "list a program's sessions", "echo-desktop hub session list --program 1", common
    )
    listing.add_argument("--program", type=int, required=True, help="the program's id")
    cancel = _command(
        session, "cancel", "cancel one date of a session",
        "echo-desktop hub session cancel 5f2e…@echo-hub 2026-11-26", common,
    )  # fmt: skip
    cancel.add_argument("uid", help="the session's UID (from `session list`)")
    cancel.add_argument("date", type=_day, help="YYYY-MM-DD, the date it would have happened")
    move = _command(
        session, "move", "move one date of a session to another time",
        'echo-desktop hub session move 5f2e…@echo-hub 2026-12-03 "2026-12-04 10:00"', common,
    )  # fmt: skip
    move.add_argument("uid", help="the session's UID (from `session list`)")
    move.add_argument("date", type=_day, help="YYYY-MM-DD, the date it would have happened")
    move.add_argument("to", type=_wall_clock, help='"YYYY-MM-DD HH:MM", its new start')

    person = _group(sub, "person", "the people and their tokens (add, list, revoke, reissue-feed)")
    add = _command(
        person, "add", "add a person to programs; prints their API token and feed URLs (only now)",
        'echo-desktop hub person add --name "Dana Whitehorse, NP" --site "Taos Clinic" --role spoke'
        " --program 1 --service-url https://hub.example.org:8090", common,
    )  # fmt: skip
    add.add_argument("--name", required=True)
    add.add_argument("--site", required=True)
    add.add_argument("--role", required=True, choices=["hub", "facilitator", "spoke"])
    add.add_argument(
        "--program", type=int, action="append", required=True, help="a program's id (repeat for more)"
    )
    _add_service_url(add)
    _command(person, "list", "list the people", "echo-desktop hub person list", common)
    revoke = _command(
        person, "revoke", "revoke a person's token and feed URL", "echo-desktop hub person revoke 3", common
    )
    revoke.add_argument("id", type=int, help="the person's id")
    revoke.add_argument("--feed-only", action="store_true", help="revoke only the calendar feed URL")
    reissue = _command(
        person, "reissue-feed", "give a person a new feed URL (the old one stops working)",
        "echo-desktop hub person reissue-feed 3", common,
    )  # fmt: skip
    reissue.add_argument("id", type=int, help="the person's id")
    _add_service_url(reissue)

    case = _group(sub, "case", "the cases submitted to a program (list, show)")
    listing = _command(
        case, "list", "list a program's cases, the review queue first",
        "echo-desktop hub case list --program 1 --status submitted", common,
    )  # fmt: skip
    listing.add_argument("--program", type=int, required=True, help="the program's id")
    listing.add_argument(
        "--status", choices=[s.value for s in CaseStatus if s.value not in ("draft", "queued")]
    )
    show = _command(case, "show", "show one case as JSON", "echo-desktop hub case show 7c1f…", common)
    show.add_argument("client_id", help="the case's id (from `case list`)")


def _add_common_args(parser: argparse.ArgumentParser, suppress: bool = False) -> None:
    """The facilitator's commands' options (`--data` is also the running hub's)."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--data",
        type=Path,
        default=default,
        help=_DATA_HELP,
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print the answer as one JSON object (the facilitator's commands)",
    )


def _add_run_args(parser: argparse.ArgumentParser, suppress: bool = False) -> None:
    """The running hub's options; `suppress`: no defaults (a subcommand's copy, see above)."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument("--ip", default=default("127.0.0.1"), help="where Janus listens")
    parser.add_argument("--ws-port", type=int, default=default(8188))
    parser.add_argument("--http-port", type=int, default=default(8088))
    parser.add_argument("--room", type=int, default=default(1234), help="the hub's ad-hoc room")
    parser.add_argument("--pin", default=default(""), help="its PIN (a random one is made if omitted)")
    parser.add_argument(
        "--service-port",
        type=int,
        default=default(DEFAULT_SERVICE_PORT),
        help="the program service's port",
    )
    parser.add_argument(
        "--service-ip",
        default=default(None),
        help="where the program service listens (default: --ip with a certificate or "
        "--insecure-http, else 127.0.0.1)",
    )
    parser.add_argument(
        "--cert", type=Path, default=default(None), help="the service's TLS certificate chain (PEM)"
    )
    parser.add_argument("--key", type=Path, default=default(None), help="its private key (PEM)")
    parser.add_argument(
        "--insecure-http",
        action="store_true",
        default=default(False),
        help="serve plain HTTP beyond loopback (tokens cross the network in clear)",
    )
    parser.add_argument(
        "--janus-public-url",
        type=_janus_url,
        default=default(None),
        metavar="URL",
        help="the Janus URL clients are given to join sessions, e.g. wss://hub.example.org/janus "
        "behind a TLS proxy (default: where Janus listens, ws://IP:WS_PORT)",
    )
    if suppress:  # the parent has --data among the common options
        parser.add_argument("--data", type=Path, default=argparse.SUPPRESS, help=_DATA_HELP)


def _add_service_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--service-url",
        default=DEFAULT_SERVICE_URL,
        help=f"the program service's public URL, for the feed URLs (default: {DEFAULT_SERVICE_URL})",
    )


def _group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    parser = sub.add_parser(name, help=summary, description=summary)
    return parser.add_subparsers(dest=f"{name}_command", required=True)


def _command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    example: str,
    *parents: argparse.ArgumentParser,
) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=f"example:\n  {example}",
        formatter_class=_FORMATTER,
        parents=list(parents),
    )


def _wall_clock(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a time written "YYYY-MM-DD HH:MM"') from None


def _janus_url(text: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not a ws:// or wss:// URL")
    return text


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _positive(text: str) -> int:
    number = _not_negative(text)
    if number == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _not_negative(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return number


# --- running a command --------------------------------------------------------------------------


def hub_command(args: argparse.Namespace) -> int:
    """Run the `hub` command the arguments name; returns the exit status."""
    command = getattr(args, "hub_command", None)
    if command in (None, "run"):
        return run_hub(args)
    from echo_desktop.hub import facilitator
    from echo_desktop.hub.program_service.store import ProgramStore, StoreError

    action = getattr(args, f"{command}_command").replace("-", "_")
    handler: facilitator.Command = getattr(facilitator, f"{command}_{action}")
    try:
        store = ProgramStore.open((args.data or default_data_dir()) / "programs.db")
    except (StoreError, sqlite3.Error, OSError) as exc:
        return _fail(1, f"cannot open the program store: {exc}")
    try:
        answer = handler(args, store)
    except StoreError as exc:
        return _fail(2, str(exc))
    except (sqlite3.Error, OSError) as exc:
        return _fail(1, f"the program store failed: {exc}")
    finally:
        store.close()
    print(json.dumps(answer.data) if args.json else "\n".join(answer.text), flush=True)
    for warning in answer.warnings:
        print(f"echo-desktop hub: warning: {warning}", file=sys.stderr, flush=True)
    return 0


def run_hub(args: argparse.Namespace) -> int:
    """Start Janus and the program service; print the JSON line; stop both on Ctrl-C or SIGTERM."""
    from echo_desktop.hub.adhoc_room import announce_adhoc_room, forget_adhoc_room
    from echo_desktop.hub.launcher import HubConfig
    from echo_desktop.hub.local_hub import service_for, start_local_hub
    from echo_desktop.hub.program_service.server import Tls, is_loopback
    from echo_desktop.hub.rooms import new_pin

    if (args.cert is None) != (args.key is None):
        return _fail(2, "--cert and --key go together")
    tls = Tls(args.cert, args.key) if args.cert and args.key else None
    service_ip = args.service_ip or (args.ip if tls or args.insecure_http else "127.0.0.1")
    if args.service_ip is None and not is_loopback(args.ip) and service_ip == "127.0.0.1":
        print(
            f"echo-desktop hub: the program service listens on 127.0.0.1 only; give --cert and --key "
            f"(or --insecure-http) to serve it on {args.ip}",
            file=sys.stderr,
            flush=True,
        )
    config = HubConfig(bind_ip=args.ip, ws_port=args.ws_port, http_port=args.http_port)
    pin = args.pin or new_pin()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    data_dir = args.data or default_data_dir()
    try:
        service = service_for(
            config,
            data_dir / "programs.db",
            service_ip,
            args.service_port,
            tls,
            args.insecure_http,
            args.janus_public_url or "",
        )
    except EchoError as exc:
        return _fail(2, str(exc))
    try:
        hub = start_local_hub(config, service, args.room, pin)
    except EchoError as exc:
        return _fail(1, str(exc))
    pin_file = None
    try:
        print(json.dumps({"janus": config.ws_url, "service": service.url}), flush=True)
        pin_file = announce_adhoc_room(args.room, pin, config.ws_url, data_dir, sys.stderr)
        while not stop.wait(0.5) and hub.running:
            pass
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
        forget_adhoc_room(pin_file)
    print("Hub stopped.", file=sys.stderr, flush=True)
    return 0


def _fail(status: int, message: str) -> int:
    print(f"echo-desktop hub: {message}", file=sys.stderr, flush=True)
    return status
