"""The case store: drafts that survive a kill, the outbox's moves in one transaction, a discard that
leaves no text behind, and a damaged file set aside with a notice."""

from __future__ import annotations

import os
import stat
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from echo_desktop.cases.findings import Dismissal, PhiKind
from echo_desktop.cases.model import Case, CaseStatus, SessionSlot
from echo_desktop.storage.case_store import CaseStore, StoredCase
from tests.killed_writer import killed_after_a_few

NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
HUB = "https://hub.example.org"
SECRET = "Jacinta Velasquez-Orozco"  # stands for PHI that must not linger once discarded


def _case(client_id: str = "c-1", **values: str) -> Case:
    return Case(client_id, 7, values or {"question": "How to treat HCV in pregnancy?"})


def test_drafts_outbox_and_known_cases_move_as_one(tmp_path: Path) -> None:
    path = tmp_path / "data" / "case.db"
    store = CaseStore.open(path)
    assert store.notices == ()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    dismissal = Dismissal("hpi", PhiKind.NAME, "Graves", "a disease")
    draft = Case("c-1", 7, {"question": "Q?", "hpi": "Graves disease"}, dismissals=(dismissal,))
    store.save_draft(HUB, draft, NOW)
    store.save_draft(HUB, Case("c-1", 7, {"question": "Q2?"}, dismissals=(dismissal,)), NOW)
    assert store.draft("c-1") == StoredCase(HUB, Case("c-1", 7, {"question": "Q2?"}, dismissals=(dismissal,)))

    store.queue(HUB, Case("c-1", 7, {"question": "Q2?"}), NOW)
    assert store.draft("c-1") is None
    assert [(s.service, s.case.status, s.case.values) for s in store.outbox()] == [
        (HUB, CaseStatus.QUEUED, {"question": "Q2?"})
    ]
    # A refusal takes it back to a draft with the hub's words and the text kept, rebased if stale.
    store.refused("c-1", "The hub found a name in History.", NOW, base_version=3)
    assert store.outbox() == []
    back = store.draft("c-1")
    assert back is not None and back.refusal == "The hub found a name in History."
    assert back.case.values == {"question": "Q2?"} and back.case.version == 3
    assert back.case.status is CaseStatus.DRAFT

    store.queue(HUB, back.case, NOW)
    slot = SessionSlot("uid-1@echo", datetime(2026, 10, 22, 15, tzinfo=UTC))
    hub_copy = Case("c-1", 7, {"question": "Q2?"}, CaseStatus.APPROVED, 4, session=slot, updated_at=NOW)
    store.sent(HUB, hub_copy, NOW)
    assert store.outbox() == [] and store.draft("c-1") is None
    assert [s.case for s in store.known()] == [hub_copy]
    store.close()
    # All of it is on disk.
    again = CaseStore.open(path)
    assert [s.case for s in again.known()] == [hub_copy]
    again.replace_known(HUB, [], NOW)
    assert again.known() == []
    again.close()


def test_a_discarded_draft_leaves_no_text_in_the_files(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    store = CaseStore.open(path)
    store.save_draft(HUB, _case("keep", question="Kept case"), NOW)
    for n in range(20):  # typing: many versions of the page, in the WAL
        store.save_draft(HUB, _case("gone", hpi=f"{SECRET} visit {n}"), NOW)
    assert any(SECRET.encode() in p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    store.discard_draft("gone")
    assert store.draft("gone") is None
    for file in tmp_path.iterdir():
        assert SECRET.encode() not in file.read_bytes(), file.name
    store.close()
    for file in tmp_path.iterdir():
        assert SECRET.encode() not in file.read_bytes(), file.name
    kept = CaseStore.open(path).draft("keep")
    assert kept is not None and kept.case.values == {"question": "Kept case"}


def test_a_damaged_store_is_moved_aside_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    store = CaseStore.open(path, now=lambda: NOW)
    aside = tmp_path / "case.db.damaged-20261001T120000Z"
    assert aside.exists()
    (notice,) = store.notices
    assert str(aside) in notice and "drafts" in notice
    store.save_draft(HUB, _case(), NOW)  # the new store works
    assert store.draft("c-1") is not None
    store.close()
    assert CaseStore.open(path).notices == ()


def test_a_row_this_version_cannot_read_is_damage_too(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    store = CaseStore.open(path)
    store.save_draft(HUB, _case(), NOW)
    store._db.execute("UPDATE drafts SET body = '{\"client_id\": 5}'")
    store.close()
    reopened = CaseStore.open(path, now=lambda: NOW)
    assert len(reopened.notices) == 1 and reopened.draft("c-1") is None


_TYPIST = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from echo_desktop.cases.model import Case
    from echo_desktop.storage.case_store import CaseStore, StoredCase

    store = CaseStore.open(Path(sys.argv[1]))
    n = int(sys.argv[2])
    text = ""
    while True:
        n += 1
        text = f"keystroke {n} " + "x" * (n % 400)
        store.save_draft("https://hub", Case("typed", 1, {"hpi": text}), datetime.now(UTC))
        print(n, flush=True)
    """
)


def test_a_draft_survives_killing_the_writer_mid_typing(tmp_path: Path) -> None:
    path = tmp_path / "case.db"
    committed = 0
    for _round in range(8):
        printed = killed_after_a_few(_TYPIST, str(path), str(committed), writes=5)
        store = CaseStore.open(path)
        assert store.notices == ()
        draft = store.draft("typed")
        assert draft is not None
        last = int(draft.case.values["hpi"].split()[1])
        # Every save it reported is there; at most one more (committed, not yet printed).
        assert printed[-1] <= last <= printed[-1] + 1
        assert draft.case.values["hpi"] == f"keystroke {last} " + "x" * (last % 400)
        store.close()
        committed = last
