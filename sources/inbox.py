"""The one door of the inbox: what is in it, sorted into agency drops, public context files and files
still arriving.

The ingest asset, the context asset and the new-drop sensor all list the inbox through `list_inbox`, so a
file is routed the same way whoever looks. Nothing here opens a file beyond a context file's first line,
and nothing follows a link (a link or directory with a drop's name is an agency drop, so that the ingest
records and refuses it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sources.context.recognise import context_feed_of

UPLOADING_SUFFIXES = (".part", ".tmp", ".partial")


@dataclass(frozen=True)
class InboxListing:
    agency_drops: tuple[Path, ...]  # for sources.ingest (each named <feed>__<agency>__<period>, or refused)
    context_files: tuple[Path, ...]  # public files recognised by their header, for sources.context
    arriving: tuple[Path, ...]  # hidden or partial names: an upload not finished, left alone

    @property
    def ready(self) -> tuple[Path, ...]:
        return tuple(sorted((*self.agency_drops, *self.context_files)))


def is_arriving(path: Path) -> bool:
    """A hidden name or an upload suffix: the sender has not finished writing it."""
    return path.name.startswith(".") or path.suffix in UPLOADING_SUFFIXES


def list_inbox(inbox: Path, only: set[str] | None = None) -> InboxListing:
    """Every entry of `inbox` (or, with `only`, those of these names), sorted by name into the three kinds;
    a missing inbox is an empty one."""
    entries = sorted(inbox.iterdir()) if inbox.is_dir() else []
    if only is not None:
        entries = [p for p in entries if p.name in only]
    drops, context, arriving = [], [], []
    for path in entries:
        if is_arriving(path):
            arriving.append(path)
        elif context_feed_of(path):
            context.append(path)
        else:
            drops.append(path)
    return InboxListing(tuple(drops), tuple(context), tuple(arriving))
