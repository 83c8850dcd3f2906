"""Secrets come from the environment. Only a local demo may fall back to one generated on the spot."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

LINKAGE_SECRET_ENV = "LANTERN_LINKAGE_SECRET"


def linkage_secret(home: Path) -> bytes:
    """The task force's key for re-keying agency linkage keys.

    Without LANTERN_LINKAGE_SECRET a random key is made once and kept beside the local warehouse
    (mode 0600), which is fine for a demo: marts never hold keys, so a lost key only costs linkage of
    already-loaded raw rows to re-keyed ones, and staging is rebuilt from raw on every run.
    """
    value = os.environ.get(LINKAGE_SECRET_ENV)
    if value:
        return value.encode("utf-8")
    key_file = home / "secrets" / "linkage.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.parent.chmod(0o700)
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")
