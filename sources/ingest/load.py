"""Ingest drop files into the warehouse: every row loaded into raw.<feed> or quarantined with its reason.

Files are taken in batches (bounded by bytes); each batch is one transaction (batch_transaction.py), so a
crash leaves the warehouse as it was before the batch and the next run simply processes those files again.
A file bigger than CHUNK_BYTES is a batch of its own and is read, validated and inserted piece by piece
(pieces.py), one commit per piece, so memory stays bounded however big one drop is (DuckDB holds an open
transaction's inserts in memory). Such a file is listed in raw.files_in_progress until its manifest row is
written in the last commit; staging ignores its rows until then, and a run that died half-way has them
deleted by the next ingest (unfinished_files.py), so the file is processed again from the start.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from sources.ingest.batch_transaction import land_batch
from sources.ingest.fingerprints import pending_files
from sources.ingest.inbox_entries import entry_size
from sources.ingest.outcomes import FileOutcome
from sources.ingest.pieces import CHUNK_BYTES
from sources.ingest.row_split import WAREHOUSE_FAULTS
from sources.ingest.unfinished_files import discard_unfinished_files
from sources.ingest.validator import ValidationContext

BATCH_BYTES = 256 * 1024 * 1024


def ingest_files(con: duckdb.DuckDBPyConnection, paths: list[Path], context: ValidationContext,
                 agency_feeds: dict[str, set[str]], run_id: str | None = None,
                 chunk_bytes: int = CHUNK_BYTES, scratch_dir: Path | None = None) -> list[FileOutcome]:
    """Ingest these agency drops (sources.inbox.list_inbox sorts public context files out beforehand).

    Files over `chunk_bytes` are split into pieces in a scratch folder (default: the system's temporary
    folder) and ingested piece by piece, a commit per piece (see the module docstring).
    """
    discard_unfinished_files(con)
    outcomes: list[FileOutcome] = []
    batch: list[tuple[Path, str]] = []
    batch_bytes = 0

    def run(files: list[tuple[Path, str]]) -> None:
        try:
            outcomes.extend(land_batch(con, files, context, agency_feeds, run_id, chunk_bytes, scratch_dir))
        except WAREHOUSE_FAULTS:  # the warehouse itself failed: no file is to blame, stop the run
            raise
        except Exception as error:  # something in one file broke the batch (rolled back): find it alone
            if len(files) > 1:
                for one in files:
                    run([one])
                return
            path = files[0][0]
            cause = f"{path.name} could not be ingested: {type(error).__name__}: {' '.join(str(error).split())[:300]}"
            outcomes.extend(land_batch(con, files, context, agency_feeds, run_id, chunk_bytes, scratch_dir,
                                       refusal=("ingest_failed", cause)))

    for path, file_hash in pending_files(con, sorted(paths)):
        size = entry_size(path)
        if size > chunk_bytes:  # a big file alone: it is streamed, and its transaction holds nothing else
            if batch:
                run(batch)
                batch, batch_bytes = [], 0
            run([(path, file_hash)])
            continue
        batch.append((path, file_hash))
        batch_bytes += size
        if batch_bytes >= BATCH_BYTES:
            run(batch)
            batch, batch_bytes = [], 0
    if batch:
        run(batch)
    return outcomes
