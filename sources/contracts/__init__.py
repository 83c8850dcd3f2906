"""Declarative data contracts: one YAML file per feed, plus the code lists they refer to."""

from sources.contracts.model import (
    FEEDS,
    Column,
    Contract,
    all_contracts,
    code_lists,
    forbidden_name_parts,
    load_contract,
)

__all__ = ["FEEDS", "Column", "Contract", "all_contracts", "code_lists", "forbidden_name_parts", "load_contract"]
