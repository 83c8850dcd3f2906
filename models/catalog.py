"""Find the SQL models and what each one reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

MODELS_DIR = Path(__file__).parent
QUERIES_DIR = MODELS_DIR / "queries"  # the outputs' queries of published and warehouse tables, by reader
WAREHOUSE_LAYERS = ("staging", "intermediate", "marts")  # built inside the warehouse, in this order
_READS = re.compile(r"\b(raw|reference|staging|intermediate|marts)\.([a-z_][a-z0-9_]*)\b")


@dataclass(frozen=True)
class ModelSpec:
    layer: str
    name: str
    path: Path
    values: tuple[tuple[str, str], ...] = ()  # a template's {{name}} -> value (models/serving/templates/)

    @property
    def table(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def sql(self) -> str:
        text = self.path.read_text(encoding="utf-8")
        for name, value in self.values:
            text = text.replace("{{" + name + "}}", value)
        return text

    @property
    def description(self) -> str:
        """The model's leading SQL comment."""
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line.removeprefix("--").strip())
        return " ".join(lines)

    @property
    def reads(self) -> list[str]:
        """Tables this model selects from, as `schema.table`, in first-seen order."""
        without_comments = re.sub(r"--[^\n]*", "", self.sql)
        found = [f"{schema}.{table}" for schema, table in _READS.findall(without_comments)]
        return [t for i, t in enumerate(found) if t not in found[:i] and t != self.table]


def discover_models() -> list[ModelSpec]:
    """Warehouse models (staging, intermediate, marts), sorted by layer then name."""
    return [
        ModelSpec(layer, path.stem, path)
        for layer in WAREHOUSE_LAYERS
        for path in sorted((MODELS_DIR / layer).glob("*.sql"))
    ]


def serving_models() -> dict[str, tuple[ModelSpec, dict]]:
    """Published tables: the SQL that builds each, and its disclosure spec."""
    specs = yaml.safe_load((MODELS_DIR / "serving" / "published_tables.yaml").read_text(encoding="utf-8"))
    found = {path.stem: (path, ()) for path in sorted((MODELS_DIR / "serving").glob("*.sql"))}
    for name, spec in specs.items():
        if "template" in spec:  # one SQL file shared by several tables, each filling in its own values
            values = dict(spec["template"])
            found[name] = (MODELS_DIR / "serving" / "templates" / f"{values.pop('file')}.sql", tuple(values.items()))
    if set(specs) != set(found):
        raise ValueError(
            f"models/serving: published_tables.yaml and the .sql files disagree: {sorted(set(specs) ^ set(found))}"
        )
    return {name: (ModelSpec("serving", name, *found[name]), specs[name]) for name in sorted(found)}


def query_sql(area: str, name: str, **identifiers: str) -> str:
    """The SQL of models/<area>/<name>.sql (e.g. queries/status, checks), its {placeholders} filled with our own
    identifiers (table, column and schema names; a value from a drop is always bound as a parameter)."""
    text = (MODELS_DIR / area / f"{name}.sql").read_text(encoding="utf-8")
    return text.format(**identifiers) if identifiers else text


def macros_sql() -> str:
    return (MODELS_DIR / "macros.sql").read_text(encoding="utf-8")
