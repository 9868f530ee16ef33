"""The web server's log configuration: granian's own, with the redaction filter on both of
its handlers.

granian writes its messages and, when the operator turns it on
(``GRANIAN_LOG_ACCESS_ENABLED``), one access line per request with the request's path,
which can hold a personal link or another secret. Those lines come from granian's loggers,
not Django's, so ``settings.LOGGING`` never sees them: ``serve`` hands this configuration
to granian (``--log-config``), which loads it in the main process and in each worker.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FILTER = "livesession.core.logging.RedactPersonalData"


def config() -> dict[str, Any]:
    """granian's default configuration (granian/log.py), each handler filtered."""
    stream = "ext://sys.stdout"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": FILTER}},
        "formatters": {
            "generic": {"()": "logging.Formatter", "fmt": "[%(levelname)s] %(message)s",
                        "datefmt": "[%Y-%m-%d %H:%M:%S %z]"},
            "access": {"()": "logging.Formatter", "fmt": "%(message)s",
                       "datefmt": "[%Y-%m-%d %H:%M:%S %z]"},
        },
        "handlers": {
            "console": {"formatter": "generic", "class": "logging.StreamHandler",
                        "stream": stream, "filters": ["redact"]},
            "access": {"formatter": "access", "class": "logging.StreamHandler",
                       "stream": stream, "filters": ["redact"]},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }


def write(folder: Path) -> Path:
    """The configuration as the JSON file granian reads; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "granian-logging.json"
    path.write_text(json.dumps(config(), indent=1))
    return path
