"""Log filter that keeps personal data out of logs (P6.5).

Django's request logger writes the path of a failing request; a personal link's path holds
its token, so tokens are masked before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

_TOKEN_PATH = re.compile(r"/j/[^/\s?]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def redact(text: str) -> str:
    return _EMAIL.sub("<email>", _TOKEN_PATH.sub("/j/<token>", text))


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True
