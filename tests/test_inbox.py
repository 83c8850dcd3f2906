"""The inbox's one door: agency drops, public context files and files still arriving, told apart the same
way for the ingest, the context load and the new-drop sensor."""

from __future__ import annotations

import os

from sources.context import load_context_contract
from sources.inbox import list_inbox


def test_every_entry_is_sorted_into_exactly_one_kind(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    header = ",".join(load_context_contract("fbi_cde_human_trafficking").header)
    (inbox / "downloaded from the FBI.csv").write_text(header + "\n", encoding="utf-8")
    (inbox / "hotline_signals__HL-STATE__2026-05.csv").write_text("signal_id\n1\n", encoding="utf-8")
    (inbox / "hotline_signals__HL-STATE__2026-06.csv.part").write_text("signal_id\n", encoding="utf-8")
    (inbox / ".hotline_signals__HL-STATE__2026-07.csv").write_text("signal_id\n", encoding="utf-8")
    (inbox / "notes.txt").write_text("not a drop", encoding="utf-8")  # the ingest refuses it, by name
    os.symlink(tmp_path / "elsewhere.csv", inbox / "referrals__LE-KCPD__2026-05.csv")  # never followed

    listing = list_inbox(inbox)
    assert [p.name for p in listing.context_files] == ["downloaded from the FBI.csv"]
    assert [p.name for p in listing.agency_drops] == [
        "hotline_signals__HL-STATE__2026-05.csv", "notes.txt", "referrals__LE-KCPD__2026-05.csv"]
    assert sorted(p.name for p in listing.arriving) == [
        ".hotline_signals__HL-STATE__2026-07.csv", "hotline_signals__HL-STATE__2026-06.csv.part"]
    assert [p.name for p in listing.ready] == sorted(p.name for p in (*listing.agency_drops, *listing.context_files))
    assert [p.name for p in list_inbox(inbox, only={"notes.txt"}).agency_drops] == ["notes.txt"]


def test_a_missing_inbox_is_empty(tmp_path):
    assert list_inbox(tmp_path / "nowhere").ready == ()
