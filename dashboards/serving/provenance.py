"""Which code built a serving database: the run manifest's code version."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@cache
def code_version() -> str:
    """`<version>+<commit>` (PEP 440 local version; `.dirty` when the checkout has uncommitted changes),
    or the package version alone where there is no git checkout (an installed wheel)."""
    try:
        package = version("lantern")
    except PackageNotFoundError:
        package = "0"
    commit = _git("rev-parse", "--short=12", "HEAD")
    if not commit:
        return package
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return f"{package}+{commit}{'.dirty' if dirty else ''}"


def _git(*args: str) -> str:
    git = shutil.which("git")  # a full path: no lookup of a bare name at run time
    if git is None:
        return ""
    try:
        done = subprocess.run([git, "-C", str(REPO_ROOT), *args], capture_output=True, text=True, timeout=10,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
