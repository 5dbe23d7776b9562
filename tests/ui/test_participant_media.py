"""Remote participants' camera and mute state on tiles and in the list, and per-person volume."""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from echo_desktop.media.convert import display_pixels
from echo_desktop.session import events as ev
from echo_desktop.session.models import Participant, Role, VideoFrame
from echo_desktop.session.ports import SELF_VIEW
from echo_desktop.ui import style
from echo_desktop.ui.participant_list import ParticipantList
from echo_desktop.ui.participant_volume import HINT_TEXT
from echo_desktop.ui.video_tile import CAMERA_OFF_TEXT, WAITING_TEXT, VideoTile
from tests.fakes import FakeEngine
from tests.ui.conftest import Harness
from tests.ui.helpers import center_color, count_color, join


def update(h: Harness, participant: Participant, **changes: object) -> Participant:
    changed = dataclasses.replace(participant, **changes)  # type: ignore[arg-type]
    h.engine.remotes[changed.feed_id] = changed
    h.engine.emit(ev.ParticipantUpdated(changed))
    return changed


def test_camera_off_participant_shows_the_placeholder(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    grid = harness.window.call_view.grid
    bea = harness.engine.add_remote("Bea Okafor", Role.FACILITATOR)
    qtbot.waitUntil(lambda: (t := grid.tile_for(bea.feed_id)) is not None and t.has_frame, timeout=3000)
    tile = grid.tile_for(bea.feed_id)
    assert tile is not None
    assert center_color(tile) == QColor(*FakeEngine.color_of(bea.feed_id))

    bea = update(harness, bea, camera_on=False)
    qtbot.waitUntil(lambda: not tile.camera_on, timeout=3000)
    assert not tile.has_frame, "the last frame is dropped, not frozen on screen"
    assert tile.placeholder_text == CAMERA_OFF_TEXT != WAITING_TEXT
    assert tile.accessibleDescription() == CAMERA_OFF_TEXT
    # The grid keeps polling (the self-view asks for three more frames); frames the engine still
    # holds for Bea are ignored.
    polls = harness.engine.frame_requests[SELF_VIEW]
    qtbot.waitUntil(lambda: harness.engine.frame_requests[SELF_VIEW] >= polls + 3, timeout=3000)
    assert not tile.has_frame
    assert center_color(tile) != QColor(*FakeEngine.color_of(bea.feed_id))
    assert count_color(tile, style.role_color(Role.FACILITATOR)) > 100, "the initials circle"
    entry = harness.window.call_view.participant_list.rich_entries()[1]
    assert entry.name == "Bea Okafor" and entry.camera_on is False

    update(harness, bea, camera_on=True)
    qtbot.waitUntil(lambda: tile.has_frame, timeout=3000)


def test_muted_participant_has_a_sign_on_the_tile_and_in_the_list(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    grid = harness.window.call_view.grid
    listing = harness.window.call_view.participant_list
    carl = harness.engine.add_remote("Carl Mendes", Role.SPOKE)
    qtbot.waitUntil(lambda: (t := grid.tile_for(carl.feed_id)) is not None and t.has_frame, timeout=3000)
    tile = grid.tile_for(carl.feed_id)
    assert tile is not None
    before = count_color(tile, style.DANGER)

    update(harness, carl, muted=True)
    qtbot.waitUntil(lambda: tile.muted, timeout=3000)
    assert tile.caption == "Carl Mendes · Spoke · Muted"
    assert tile.accessibleName() == "Carl Mendes, Spoke, muted"
    assert count_color(tile, style.DANGER) > before + 50, "a red muted sign on the caption"
    entry = listing.rich_entries()[1]
    assert entry.muted and entry.camera_on
    item = listing.item(1)
    assert "muted" in item.data(Qt.ItemDataRole.AccessibleTextRole)
    assert "muted" in item.toolTip()
    assert count_color(listing, style.DANGER) > 30, "a red muted sign in the list"
    assert tile.has_frame, "muting does not touch the video"


def test_volume_slider_reaches_the_engine(harness: Harness, qtbot: QtBot) -> None:
    join(harness, qtbot)
    call = harness.window.call_view
    panel = call.volume_panel
    assert panel.hint_label.text() == HINT_TEXT and not panel.slider.isVisibleTo(call)
    bea = harness.engine.add_remote("Bea Okafor", Role.FACILITATOR)
    carl = harness.engine.add_remote("Carl Mendes", Role.SPOKE)
    qtbot.waitUntil(lambda: call.participant_list.count() == 3, timeout=3000)

    call.participant_list.setFocus()
    call.participant_list.setCurrentRow(0)
    assert panel.feed_id is None, "no volume for yourself"
    qtbot.keyClick(call.participant_list, Qt.Key.Key_Down)
    assert panel.feed_id == bea.feed_id
    assert panel.slider.isVisibleTo(call) and panel.slider.value() == 100
    assert panel.slider.accessibleName() == "Volume of Bea Okafor"
    assert (panel.slider.minimum(), panel.slider.maximum()) == (0, 200)

    panel.slider.setValue(50)
    assert harness.engine.volumes[bea.feed_id] == 0.5
    assert panel.value_label.text() == "50 %"
    assert "volume 50 %" in call.participant_list.item(1).toolTip()
    panel.slider.setFocus()
    qtbot.keyClick(panel.slider, Qt.Key.Key_Right)
    assert harness.engine.volumes[bea.feed_id] == 0.55

    # Someone else's update does not move the selection, and the volume is remembered.
    update(harness, carl, muted=True)
    qtbot.waitUntil(lambda: call.participant_list.rich_entries()[2].muted, timeout=3000)
    assert call.participant_list.selected_feed == bea.feed_id and panel.slider.value() == 55

    call.participant_list.select_feed(carl.feed_id)
    assert panel.feed_id == carl.feed_id and panel.slider.value() == 100
    panel.slider.setValue(200)
    assert harness.engine.volumes[carl.feed_id] == 2.0
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    assert harness.engine.volumes[carl.feed_id] == 1.0

    call.participant_list.select_feed(bea.feed_id)
    assert panel.slider.value() == 55

    harness.engine.remove_remote(bea.feed_id)
    qtbot.waitUntil(lambda: panel.feed_id is None, timeout=3000)
    assert panel.hint_label.isVisibleTo(call)


def test_tile_media_state_on_its_own(qtbot: QtBot) -> None:
    pixels = np.zeros((120, 160, 3), dtype=np.uint8)
    pixels[:, :] = (200, 30, 40)
    pixels = display_pixels(pixels, "rgb")
    seq = iter(range(1, 1000))
    tile = VideoTile(3, "Dana Whitehorse", Role.SPOKE, lambda: VideoFrame(pixels, next(seq)))
    qtbot.addWidget(tile)
    tile.resize(400, 300)
    tile.show()
    qtbot.waitExposed(tile)
    assert tile.refresh() and tile.has_frame
    tile.set_media_state(camera_on=False, muted=True)
    assert not tile.refresh(), "frames are ignored while the camera is off"
    assert tile.placeholder_text == CAMERA_OFF_TEXT
    assert tile.accessibleName() == "Dana Whitehorse, Spoke, muted"
    tile.set_camera_off_text("Your camera is off")
    assert tile.accessibleDescription() == "Your camera is off"
    tile.set_media_state(camera_on=True, muted=False)
    assert tile.refresh() and tile.accessibleDescription() == "Live video"
    assert tile.caption == "Dana Whitehorse · Spoke"


def test_list_keeps_selection_and_describes_state(qtbot: QtBot) -> None:
    listing = ParticipantList()
    qtbot.addWidget(listing)
    me = Participant(1, "Dr. Ana Ruiz", Role.HUB, is_self=True, muted=True)
    bea = Participant(2, "Bea Okafor", Role.FACILITATOR, camera_on=False)
    carl = Participant(3, "Carl Mendes", Role.SPOKE)
    seen: list[int | None] = []
    listing.selected_participant_changed.connect(seen.append)
    listing.set_participants(me, [bea, carl])
    assert listing.select_feed(3)
    listing.set_participants(me, [bea, dataclasses.replace(carl, muted=True)], {3: 150})
    assert listing.selected_feed == 3 and seen == [3]
    assert (
        listing.item(2).data(Qt.ItemDataRole.AccessibleTextRole) == "Carl Mendes, Spoke, muted, volume 150 %"
    )
    assert listing.item(1).data(Qt.ItemDataRole.AccessibleTextRole) == "Bea Okafor, Facilitator, camera off"
    assert (
        listing.item(0).data(Qt.ItemDataRole.AccessibleTextRole)
        == "Dr. Ana Ruiz (you), Hub specialist, muted"
    )
    listing.set_participants(me, [bea])
    assert listing.selected_feed is None and seen == [3, None]
