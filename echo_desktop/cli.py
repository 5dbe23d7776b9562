"""The echo-desktop command: the app, the local hub, and the headless probe."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from echo_desktop.hub.cli import add_hub_parser, hub_command
from echo_desktop.session.models import JoinRequest, Role


def _add_join_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", required=True, help="hub address, ws:// or wss://")
    parser.add_argument("--room", type=int, required=True)
    parser.add_argument("--pin", default="", help="the room's PIN (leave out for a room without one)")
    parser.add_argument("--name", default="ECHO probe")
    parser.add_argument("--role", choices=[r.value for r in Role], default=Role.SPOKE.value)
    parser.add_argument("--insecure", action="store_true", help="do not verify the hub's TLS certificate")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="echo-desktop", description="ECHO Desktop clinic client")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command")

    app = sub.add_parser("app", help="open the desktop app (the default)")
    app.add_argument("--no-devices", action="store_true", help="send a test card, not the camera")
    app.add_argument(
        "--test-media",
        action="store_true",
        help="send a test card and tone instead of the camera and microphone; still play and "
        "cancel echo (like a browser's fake media devices)",
    )
    app.add_argument("--server", help="hub address to fill in, ws:// or wss://")
    app.add_argument("--room", type=int)
    app.add_argument("--pin", default="")
    app.add_argument("--name")
    app.add_argument("--role", choices=[r.value for r in Role])
    app.add_argument("--join", action="store_true", help="join at once with the details given")
    app.add_argument("--ca-file", metavar="FILE", help="also trust this CA (PEM) for hubs' certificates")
    app.add_argument(
        "--startup-report",
        nargs="?",
        const="shown",
        choices=["shown", "refreshed"],
        help="print one JSON line when the first screen is up (or, with 'refreshed', once the "
        "schedule's first refresh has finished), then quit (for bench.startup)",
    )

    add_hub_parser(sub)

    demo = sub.add_parser("demo", help="start a local hub and open the app joined to it")
    demo.add_argument("--ip", default="127.0.0.1")
    demo.add_argument("--room", type=int, default=1234)
    demo.add_argument("--guests", type=int, default=3, help="synthetic participants to add (0-3)")
    demo.add_argument("--no-devices", action="store_true", help="send a test card, not the camera")
    demo.add_argument(
        "--startup-report",
        nargs="?",
        const="shown",
        choices=["shown", "refreshed"],
        help="print one JSON line when the first screen is up, then quit (for tests)",
    )

    schedule = sub.add_parser(
        "schedule",
        help="print the upcoming clinic sessions (subscribing first with --feed or --hub)",
        description="Refresh the subscribed programs (falling back to the saved schedule when "
        "offline) and print the upcoming sessions in local time. The saved schedule lives in the "
        "user data folder (XDG_DATA_HOME on Linux).",
    )
    schedule.add_argument(
        "--feed", metavar="URL_OR_FILE", help="subscribe to an iCalendar feed (URL or .ics file)"
    )
    schedule.add_argument(
        "--hub", metavar="URL", help="subscribe to your programs on a hub's program service"
    )
    schedule.add_argument(
        "--token-file", metavar="FILE", help="the file holding your hub token (- reads it from stdin)"
    )
    schedule.add_argument("--days", type=int, default=14, help="how many days ahead (default 14)")
    schedule.add_argument("--json", action="store_true", help="print JSON")
    schedule.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    schedule.add_argument(
        "--ca-file", metavar="FILE", help="also trust this CA (PEM) for hubs' and feeds' certificates"
    )

    phi = sub.add_parser(
        "phi-check",
        help="screen a text file for identifiers (PHI) with the de-identification guard",
        description="Exit status: 1 if anything was found, 0 if the text is clean, 2 on an error.",
    )
    phi.add_argument("file", nargs="?", default="-", help="the text file (UTF-8); - or nothing reads stdin")
    phi.add_argument("--json", action="store_true", help='print [{"start", "end", "kind", "text"}]')

    probe = sub.add_parser("probe", help="join headless with a test pattern and report what arrives")
    _add_join_args(probe)
    probe.add_argument("--duration", type=float, default=5.0)
    probe.add_argument("--expect", type=int, default=0, help="remote feeds that must be present")
    probe.add_argument("--devices", action="store_true", help="use the real camera and microphone")
    probe.add_argument("--json", action="store_true", help="print JSON (the only output format)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    command = args.command or "app"
    if command == "probe":
        from echo_desktop.probe import probe_main

        try:
            request = JoinRequest(
                args.server, args.room, args.pin, args.name, Role(args.role), verify_tls=not args.insecure
            )
        except ValueError as exc:
            print(f"echo-desktop probe: {exc}", file=sys.stderr)
            return 2
        return probe_main(request, args.duration, args.expect, args.devices)
    if command == "hub":
        return hub_command(args)
    if command == "phi-check":
        from echo_desktop.phi_check_cli import phi_check_main

        return phi_check_main(args.file, args.json)
    if command == "schedule":
        from echo_desktop.schedule_cli import schedule_main

        return schedule_main(
            args.feed, args.hub, args.token_file, args.days, args.json, args.insecure, ca_file=args.ca_file
        )
    if command == "demo":
        from echo_desktop.demo import demo_main

        return demo_main(
            args.ip, args.room, args.guests, devices=not args.no_devices, startup_report=args.startup_report
        )
    from echo_desktop.app import Prefill, run_app

    prefill = None
    if getattr(args, "server", None) and getattr(args, "room", None):
        prefill = Prefill(args.server, args.room, args.pin, args.name, args.role, auto_join=args.join)
    return run_app(
        prefill,
        devices=not getattr(args, "no_devices", False),
        test_capture=getattr(args, "test_media", False),
        startup_report=getattr(args, "startup_report", None),
        ca_file=Path(args.ca_file) if getattr(args, "ca_file", None) else None,
    )


if __name__ == "__main__":
    sys.exit(main())
