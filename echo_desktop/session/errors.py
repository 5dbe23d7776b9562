"""Typed errors with plain-language messages a clinician can act on."""

from __future__ import annotations


class EchoError(Exception):
    """Base class: every error the user may see carries a plain-language message."""

    user_message = "Something went wrong."

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.user_message)
        self.detail = detail

    def __str__(self) -> str:
        return self.user_message if not self.detail else f"{self.user_message} ({self.detail})"


class SignalingError(EchoError):
    """The hub answered with an error, or the conversation with it broke."""

    user_message = "The clinic server reported an error."


class WrongPinError(SignalingError):
    user_message = "The room PIN is wrong. Check the PIN in your clinic invitation."


class RoomNotFoundError(SignalingError):
    user_message = "That clinic room does not exist on this server. Check the room number."


class RoomFullError(SignalingError):
    user_message = "The clinic room is full. Ask the facilitator to make space."


class ServerUnreachableError(SignalingError):
    user_message = "Cannot reach the clinic server. Check the address and your network."


class ServerGoneError(SignalingError):
    user_message = "The connection to the clinic server was lost."


class SignalingTimeoutError(SignalingError):
    user_message = "The clinic server did not answer in time."


class ProtocolError(SignalingError):
    user_message = "The clinic server sent a message this app does not understand."


class MediaError(EchoError):
    user_message = "Audio or video could not be set up."


class HubLaunchError(EchoError):
    user_message = "The local hub could not be started."


class JanusNotInstalledError(HubLaunchError):
    user_message = (
        "Janus is not installed. Install it with: sudo apt-get install janus (or run scripts/setup.sh)."
    )
