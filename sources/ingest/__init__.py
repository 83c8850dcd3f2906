"""Read agency drops, check every row against its feed's contract, and load or quarantine it.

The interface the pipeline and the benchmarks use; the modules behind it are free to change.
"""

from sources.ingest.agency_reports import write_agency_reports
from sources.ingest.fingerprints import pending_files
from sources.ingest.load import ingest_files
from sources.ingest.outcomes import FileOutcome
from sources.ingest.registry import agency_feeds, validation_context
from sources.ingest.validator import ValidationContext
from sources.ingest.warehouse_tables import ensure_raw_schema

__all__ = ["FileOutcome", "ValidationContext", "agency_feeds", "ensure_raw_schema", "ingest_files",
           "pending_files", "validation_context", "write_agency_reports"]
