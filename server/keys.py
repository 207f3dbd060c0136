"""The secret that seals pending questions (`request_state`), kept in the data directory."""

import os
import secrets
from pathlib import Path

from postmortem_actions.store.errors import ConfigError

KEY_BYTES = 32


def state_key(path: Path) -> bytes:
    """The key at `path`, created (mode 0600) on first use; the same key after every restart.

    Raises:
        ConfigError: the key cannot be created or read, or is not a key.
    """
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written whole under a private name, then linked into place: a server and a CLI starting at
            # once both end up with the one key that won, never a half-written file.
            draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        key = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot create or read the question key {path}: {exc.strerror}") from exc
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{path} is not a {KEY_BYTES}-byte key; remove it to have a new one made")
    return key
