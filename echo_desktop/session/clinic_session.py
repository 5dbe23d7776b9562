"""The clinic session: call phases, participants, and the hand-off to the UI.

The session runs on its owner's event loop (the Qt loop through qasync, or plain asyncio in the
probe). Engine coroutines run wherever the injected runner sends them (a WorkerLoop in the app);
engine events arrive from any thread and are re-played on the owner loop, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from echo_desktop.session import events as ev
from echo_desktop.session.device_notices import device_notice
from echo_desktop.session.errors import EchoError
from echo_desktop.session.models import (
    FeedStats,
    JoinRequest,
    LocalMediaState,
    Participant,
    VideoFrame,
)
from echo_desktop.session.phases import CallPhase, CallState
from echo_desktop.session.ports import ConferenceEngine
from echo_desktop.session.task_failures import report_failure

logger = logging.getLogger(__name__)

T = TypeVar("T")
Runner = Callable[[Coroutine[Any, Any, T]], Awaitable[T]]
StateListener = Callable[[CallState], None]
ParticipantsListener = Callable[[list[Participant]], None]
NoticeListener = Callable[[str], None]
LocalMediaListener = Callable[[LocalMediaState], None]
Unsubscribe = Callable[[], None]


async def _run_here(coro: Coroutine[Any, Any, T]) -> T:
    return await coro


class ClinicSession:
    """Joins and leaves a clinic, and keeps the call's observable state."""

    def __init__(self, engine: ConferenceEngine, runner: Runner[Any] | None = None) -> None:
        self._engine = engine
        self._run: Runner[Any] = runner or _run_here
        self._state = CallState()
        self._participants: dict[int, Participant] = {}
        self._self: Participant | None = None
        self._owner_loop: asyncio.AbstractEventLoop | None = None
        self._state_listeners: list[StateListener] = []
        self._participant_listeners: list[ParticipantsListener] = []
        self._notice_listeners: list[NoticeListener] = []
        self._local_media_listeners: list[LocalMediaListener] = []
        self._local_media = LocalMediaState()
        self._background: set[asyncio.Future[Any]] = set()
        engine.set_listener(self._on_engine_event)

    # --- observation -------------------------------------------------------------------------

    @property
    def state(self) -> CallState:
        return self._state

    @property
    def me(self) -> Participant | None:
        return self._self

    @property
    def participants(self) -> list[Participant]:
        """Remote participants, in the order they joined."""
        return list(self._participants.values())

    def subscribe(
        self,
        *,
        state: StateListener | None = None,
        participants: ParticipantsListener | None = None,
        notice: NoticeListener | None = None,
        local_media: LocalMediaListener | None = None,
    ) -> Unsubscribe:
        """Call these listeners on the owner loop as the call changes; returns how to stop.

        The returned function removes exactly the listeners given here, and may be called more
        than once.
        """
        added: list[tuple[list[Any], Any]] = [
            (registry, listener)
            for registry, listener in (
                (self._state_listeners, state),
                (self._participant_listeners, participants),
                (self._notice_listeners, notice),
                (self._local_media_listeners, local_media),
            )
            if listener is not None
        ]
        for registry, listener in added:
            registry.append(listener)

        def unsubscribe() -> None:
            for registry, listener in added:
                with contextlib.suppress(ValueError):
                    registry.remove(listener)
            added.clear()

        return unsubscribe

    @property
    def local_media(self) -> LocalMediaState:
        """Our camera and microphone state, as the engine last reported it."""
        return self._local_media

    def latest_frame(self, feed_id: int) -> VideoFrame | None:
        return self._engine.latest_frame(feed_id)

    def stats(self) -> list[FeedStats]:
        return self._engine.stats()

    # --- commands ----------------------------------------------------------------------------

    async def join(self, request: JoinRequest) -> None:
        """Join the room; on failure the phase becomes FAILED with the reason, and it raises."""
        self._owner_loop = asyncio.get_running_loop()
        self._participants.clear()
        self._set_state(self._state.to(CallPhase.JOINING))
        try:
            self._self = await self._run(self._engine.join(request))
        except EchoError as exc:
            await self._cleanup_after_failure()
            self._self = None
            self._set_state(self._state.to(CallPhase.FAILED, exc.user_message))
            raise
        except Exception as exc:
            logger.exception("Join failed unexpectedly")
            await self._cleanup_after_failure()
            self._set_state(self._state.to(CallPhase.FAILED, f"Unexpected error: {exc}"))
            raise EchoError(str(exc)) from exc
        if self._state.phase is CallPhase.JOINING:
            self._set_state(self._state.to(CallPhase.IN_CALL))

    async def leave(self) -> None:
        """Leave cleanly: unpublish, hang up, detach and destroy the server session."""
        if self._state.phase in (CallPhase.IDLE, CallPhase.LEAVING):
            return
        if self._state.phase is CallPhase.FAILED:
            await self._cleanup_after_failure()
            self._set_state(self._state.to(CallPhase.IDLE))
            return
        self._set_state(self._state.to(CallPhase.LEAVING))
        self._cancel_background()
        try:
            await self._run(self._engine.leave())
        except Exception:
            logger.warning("Leave did not complete cleanly", exc_info=True)
        self._self = None
        self._participants.clear()
        self._notify_participants()
        self._set_state(self._state.to(CallPhase.IDLE))

    # --- media controls ----------------------------------------------------------------------

    @property
    def _media_controls_allowed(self) -> bool:
        return self._state.phase is CallPhase.IN_CALL

    async def set_muted(self, muted: bool) -> None:
        """Mute or unmute our microphone; everyone sees the muted sign."""
        if self._media_controls_allowed:
            await self._run(self._engine.set_microphone_muted(muted))

    async def toggle_muted(self) -> None:
        await self.set_muted(not self._local_media.muted)

    async def set_camera_enabled(self, enabled: bool) -> None:
        """Turn our camera on or off; when off the camera is released and nothing is sent."""
        if self._media_controls_allowed:
            await self._run(self._engine.set_camera_enabled(enabled))

    async def toggle_camera(self) -> None:
        await self.set_camera_enabled(not self._local_media.camera_on)

    async def switch_camera(self, device: str) -> None:
        if self._media_controls_allowed:
            await self._run(self._engine.switch_camera(device))

    async def switch_microphone(self, device: str) -> None:
        if self._media_controls_allowed:
            await self._run(self._engine.switch_microphone(device))

    def set_view_size(self, feed_id: int, width: int, height: int) -> None:
        """Tell the engine how big a feed is drawn, so it scales frames before the GUI gets them."""
        self._engine.set_view_size(feed_id, width, height)

    def set_participant_volume(self, feed_id: int, gain: float) -> None:
        """Playback volume of one participant (0.0 mutes them for us only; 1.0 is normal)."""
        self._engine.set_participant_volume(feed_id, gain)

    async def _cleanup_after_failure(self) -> None:
        self._cancel_background()
        try:
            await self._run(self._engine.leave())
        except Exception:
            logger.debug("Cleanup after a failed join raised", exc_info=True)

    # --- engine events -----------------------------------------------------------------------

    def _on_engine_event(self, event: ev.EngineEvent) -> None:
        loop = self._owner_loop
        if loop is None or loop.is_closed():
            return
        # The owner loop may close between the check and the call.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._apply, event)

    def _apply(self, event: ev.EngineEvent) -> None:
        if isinstance(event, ev.ParticipantJoined):
            self._participants[event.participant.feed_id] = event.participant
            self._notify_participants()
        elif isinstance(event, ev.ParticipantUpdated):
            if event.participant.feed_id in self._participants:
                self._participants[event.participant.feed_id] = event.participant
                self._notify_participants()
        elif isinstance(event, ev.LocalMediaChanged):
            self._local_media = event.state
            for media_listener in list(self._local_media_listeners):
                media_listener(event.state)
        elif isinstance(event, ev.ParticipantLeft):
            if self._participants.pop(event.feed_id, None) is not None:
                self._notify_participants()
        elif isinstance(event, ev.DeviceUnavailable):
            self._on_device_unavailable(event)
        elif isinstance(event, ev.EngineFailed):
            if self._state.phase in (CallPhase.JOINING, CallPhase.IN_CALL):
                # FAILED first, so observers see the emptied list as part of the ended call.
                self._set_state(self._state.to(CallPhase.FAILED, event.error.user_message))
                self._cancel_background()
                self._self = None
                self._participants.clear()
                self._notify_participants()
        elif isinstance(event, ev.Notice):
            self._notify(event.message)

    def _on_device_unavailable(self, event: ev.DeviceUnavailable) -> None:
        """The device policy: the call goes on with what is left, and the user is told why."""
        if self._state.phase not in (CallPhase.JOINING, CallPhase.IN_CALL):
            return  # the call is ending or over: nothing to keep going, nobody to tell
        if not event.stopped:
            self._notify(device_notice(event))
            return
        release = asyncio.ensure_future(self._release_then_tell(event))
        self._background.add(release)
        release.add_done_callback(self._background.discard)
        release.add_done_callback(report_failure("Releasing a failed device"))

    async def _release_then_tell(self, event: ev.DeviceUnavailable) -> None:
        """Stop using the device (the others see the camera or microphone go), then say so."""
        try:
            await self._run(self._engine.release_device(event.kind))
        except EchoError as exc:  # the call ended meanwhile: there is nothing left to release
            logger.info("The failed %s was not released: %s", event.kind.value, exc)
            return
        if self._state.phase in (CallPhase.JOINING, CallPhase.IN_CALL):
            self._notify(device_notice(event))

    def _cancel_background(self) -> None:
        for task in list(self._background):
            task.cancel()

    def _notify(self, message: str) -> None:
        for notice_listener in list(self._notice_listeners):
            notice_listener(message)

    def _set_state(self, state: CallState) -> None:
        self._state = state
        logger.info("Call phase: %s", state.status_text)
        for listener in list(self._state_listeners):
            listener(state)

    def _notify_participants(self) -> None:
        snapshot = self.participants
        for listener in list(self._participant_listeners):
            listener(snapshot)
