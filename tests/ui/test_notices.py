"""The schedule's notices: each new one told once, kept until dismissed or read on a screen."""

from __future__ import annotations

from echo_desktop.ui.schedule.notices import NoticeBoard

DAMAGED = "The saved schedule was damaged; it was set aside and fetched again."
ZONE = "Dermatology feed: an unknown time zone was read as UTC."


def test_a_notice_is_new_once_even_after_it_is_dismissed() -> None:
    board = NoticeBoard()
    assert board.add([DAMAGED, DAMAGED])
    assert board.waiting == (DAMAGED,)
    assert not board.add([DAMAGED])  # every refresh repeats it: not news
    board.clear()
    assert not board.add([DAMAGED])
    assert not board.waiting


def test_acknowledging_drops_only_the_notices_that_were_shown() -> None:
    board = NoticeBoard()
    board.add([DAMAGED])
    board.mark_shown()
    board.add([DAMAGED, ZONE])  # the second came while the user was in a call
    board.acknowledge()
    assert board.waiting == (ZONE,)
    board.acknowledge()  # not shown yet: it stays
    assert board.waiting == (ZONE,)
