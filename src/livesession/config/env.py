"""Where the instance keeps its files, and secrets generated on first run.

Secrets are never committed: when ``SECRET_KEY`` or ``LIVESESSION_MASTER_KEY`` is not in
the environment, a random one is written once under ``var/`` (mode 0600) and reused.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]


def var_dir() -> Path:
    path = Path(os.environ.get("LIVESESSION_VAR_DIR", BASE_DIR / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_secret(name: str, make: Callable[[], str]) -> str:
    path = var_dir() / name
    if path.exists():
        return path.read_text().strip()
    value = make()
    # Written whole to a private file, then linked into place: link() fails if the name
    # exists, so two processes starting together never write two different keys, and a
    # reader never sees a half-written (empty) file.
    temp = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            return path.read_text().strip()
    finally:
        temp.unlink(missing_ok=True)
    return value


def secret_key() -> str:
    return os.environ.get("SECRET_KEY") or _file_secret(
        "secret_key", lambda: secrets.token_urlsafe(50)
    )


def master_key() -> bytes:
    """The 256-bit key that wraps every data key of the keystore."""
    raw = os.environ.get("LIVESESSION_MASTER_KEY") or _file_secret(
        "master.key", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    )
    key = base64.urlsafe_b64decode(raw.encode())
    if len(key) != 32:
        raise ValueError(
            "LIVESESSION_MASTER_KEY must be 32 bytes, base64url-encoded "
            "(generate one with: python -c 'import base64,os;"
            "print(base64.urlsafe_b64encode(os.urandom(32)).decode())')"
        )
    return key


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_rate(name: str, default: float) -> float:
    """A non-negative number (a rate per second; 0 = no limit). A bad value stops the start
    with a message naming the variable, not a bare float() error."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number >= 0 or number == float("inf"):
        raise ValueError(f"{name} must be a number of messages per second, 0 or more "
                         f"(0 = no limit), for example {name}=14; got {value!r}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
