"""Secrets come from the environment. Only a local demo may fall back to one generated on the spot."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

LINKAGE_SECRET_ENV = "LANTERN_LINKAGE_SECRET"  # nosec B105: the variable's name, not a secret
# The agencies' shared key of the agency key tool (`lantern tokens`, docs/linkage.md). The task force hands it to
# reporting agencies and needs none itself: comparing tokens takes no key, and not holding it keeps the task force
# from testing guessed names against the tokens.
TOKEN_SECRET_ENV = "LANTERN_TOKEN_SECRET"  # nosec B105: the variable's name, not a secret


def linkage_secret(home: Path) -> bytes:
    """The task force's key for re-keying agency linkage keys.

    Without LANTERN_LINKAGE_SECRET a random key is made once and kept beside the local warehouse
    (mode 0600), which is fine for a demo: marts never hold keys, so a lost key only costs linkage of
    already-loaded raw rows to re-keyed ones, and staging is rebuilt from raw on every run.
    """
    value = os.environ.get(LINKAGE_SECRET_ENV)
    if value:
        return value.encode("utf-8")
    return _local_secret(home / "secrets" / "linkage.key")


def token_secret(home: Path | None) -> bytes:
    """The agencies' shared token key: LANTERN_TOKEN_SECRET; a local demo (home given) falls back to one made
    once under data/secrets/, which its synthetic agencies share. The agency tool gives no home: an agency
    must be handed the shared key, a made-up one would link nothing."""
    value = os.environ.get(TOKEN_SECRET_ENV)
    if value:
        return value.encode("utf-8")
    if home is None:
        raise RuntimeError(f"{TOKEN_SECRET_ENV} is not set: the agency key tool needs the key the task force "
                           "shares with reporting agencies")
    return _local_secret(home / "secrets" / "token.key")


def _local_secret(key_file: Path) -> bytes:
    """A random key made once beside the local warehouse (mode 0600)."""
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.parent.chmod(0o700)
        # made complete and private aside, then swapped in: a killed run never leaves an empty key behind
        partial = key_file.with_name(f"{key_file.name}.{os.getpid()}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
        os.replace(partial, key_file)
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")
