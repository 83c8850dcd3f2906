"""Public context files (national hotline state statistics, FBI CDE human trafficking): recognised by
header, validated and quarantined like the agency feeds, loaded to raw.context_<feed>."""

from sources.context.contracts import CONTEXT_FEEDS, ContextContract, context_contracts, context_raw_table, load_context_contract
from sources.context.recognise import context_feed_of, is_context_file

__all__ = [
    "CONTEXT_FEEDS", "ContextContract", "context_contracts", "context_feed_of", "context_raw_table",
    "is_context_file", "load_context_contract",
]
