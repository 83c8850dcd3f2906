"""Where releases are kept: $LANTERN_HOME/releases/<id>/ (serving.duckdb, its site, its briefing, release.json),
for good. $LANTERN_HOME/serving.duckdb is a copy of the latest, swapped in atomically for the readers."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

RELEASE_FILE = "release.json"
SERVING_FILE = "serving.duckdb"


@dataclass(frozen=True)
class KeptRelease:
    release_id: str
    cutoff: date  # the last month it covers (first day)
    snapshot_at: datetime  # warehouse rows loaded after this are not in it (UTC, naive like raw._loaded_at)
    folder: Path

    @property
    def serving(self) -> Path:
        return self.folder / SERVING_FILE


def releases_dir(home: Path) -> Path:
    return Path(home) / "releases"


def kept_releases(home: Path) -> list[KeptRelease]:
    """Every release kept under home, oldest first. A folder without release.json was never completed."""
    found = []
    folder = releases_dir(home)
    if not folder.exists():
        return found
    for manifest in sorted(folder.glob(f"*/{RELEASE_FILE}")):
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        found.append(KeptRelease(meta["release_id"], date.fromisoformat(meta["cutoff"]),
                                 datetime.fromisoformat(meta["snapshot_at"]), manifest.parent))
    return sorted(found, key=lambda r: r.cutoff)


def promote_release(home: Path, candidate: Path, release_id: str, cutoff: date, snapshot_at: datetime) -> KeptRelease:
    """Keep the audited candidate as release `release_id` and make it the one readers see."""
    folder = releases_dir(home) / release_id
    if (folder / RELEASE_FILE).exists():
        raise FileExistsError(f"release {release_id} already exists: a release is never overwritten")
    folder.mkdir(parents=True, exist_ok=True)
    os.replace(candidate, folder / SERVING_FILE)
    _atomic_copy(folder / SERVING_FILE, Path(home) / SERVING_FILE)
    # written last: a release exists once its manifest does
    manifest = {"release_id": release_id, "cutoff": cutoff.isoformat(), "snapshot_at": snapshot_at.isoformat()}
    (folder / (RELEASE_FILE + ".tmp")).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(folder / (RELEASE_FILE + ".tmp"), folder / RELEASE_FILE)
    return KeptRelease(release_id, cutoff, snapshot_at, folder)


def _atomic_copy(source: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".copying")
    shutil.copyfile(source, partial)
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
