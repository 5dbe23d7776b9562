"""Call phases as an explicit state machine, observable from the UI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class CallPhase(Enum):
    """Where a call is in its life."""

    IDLE = "idle"
    JOINING = "joining"
    IN_CALL = "in call"
    LEAVING = "leaving"
    FAILED = "failed"


_ALLOWED: dict[CallPhase, frozenset[CallPhase]] = {
    CallPhase.IDLE: frozenset({CallPhase.JOINING}),
    CallPhase.JOINING: frozenset({CallPhase.IN_CALL, CallPhase.FAILED, CallPhase.LEAVING}),
    CallPhase.IN_CALL: frozenset({CallPhase.LEAVING, CallPhase.FAILED}),
    CallPhase.LEAVING: frozenset({CallPhase.IDLE, CallPhase.FAILED}),
    # A failed call can be retried or dismissed.
    CallPhase.FAILED: frozenset({CallPhase.JOINING, CallPhase.IDLE}),
}


class InvalidTransition(RuntimeError):
    """A phase change that the state machine does not allow (a programming error)."""


@dataclass(frozen=True)
class CallState:
    """The current phase and, when failed, the plain-language reason."""

    phase: CallPhase = CallPhase.IDLE
    reason: str | None = None

    def to(self, phase: CallPhase, reason: str | None = None) -> CallState:
        """Return the next state, or raise InvalidTransition."""
        if phase not in _ALLOWED[self.phase]:
            raise InvalidTransition(f"{self.phase.value} -> {phase.value}")
        return CallState(phase, reason)

    @property
    def status_text(self) -> str:
        """A one-line status for the window's status bar."""
        text = {
            CallPhase.IDLE: "Not connected",
            CallPhase.JOINING: "Joining the clinic…",
            CallPhase.IN_CALL: "In the clinic",
            CallPhase.LEAVING: "Leaving…",
            CallPhase.FAILED: "Call failed",
        }[self.phase]
        return f"{text}: {self.reason}" if self.reason else text
