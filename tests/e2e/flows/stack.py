"""The real product for the browser suite: the ``livesession`` CLI (migrate, demo, serve with
granian, worker) on SQLite in a throwaway folder, started once for the whole suite.

The same stack as ``tests/e2e/test_browser.py`` (whose helpers it reuses), started once per
pytest session instead of once per module: the flows share it, each in its own browser
context, and each makes its own people (addresses), so they do not step on each other.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.test_browser import MIN_FILL_SECONDS, Stack, _free_port, serving

# Every flow connects from 127.0.0.1, so the per-connection limits on mail-sending forms
# (a safeguard against mail bombing) would stop the suite, not an attacker; the per-address
# limits keep their defaults.
PER_CONNECTION_LIMITS = {"RATE_LIMIT_SIGNUP": "200", "RATE_LIMIT_PASSWORD_RESET": "200",
                         "RATE_LIMIT_LINK_RESEND": "200",
                         # sign-in attempts per minute and address: a dozen people sign in
                         # from this one address within a minute
                         "RATE_LIMIT_LOGIN": "200"}


@contextmanager
def running_stack(var: Path, shots: Path) -> Iterator[Stack]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "KEYSTORE_DATABASE_URL", "REDIS_URL", "EMAIL_HOST",
                        "LIVESESSION_TESTING", "LIVESESSION_TASKS_IMMEDIATE"}}
    # pytest-django put the test settings in the environment; the product runs on its own.
    env |= {"DJANGO_SETTINGS_MODULE": "livesession.config.settings", "LIVESESSION_VAR_DIR":
            str(var), "SITE_URL": base, "PYTHONUNBUFFERED": "1",
            # The robot check stays on, shorter than a person's typing: flows wait it out.
            "REGISTRATION_MIN_FILL_SECONDS": str(MIN_FILL_SECONDS), **PER_CONNECTION_LIMITS,
            # The server's access log on, as an operator may turn it on: every path of the
            # run is written, so the log scan sees what a token would leave there.
            "GRANIAN_LOG_ACCESS_ENABLED": "1"}
    made = Stack(base=base, var=var, env=env, event_url="", credentials={}, shots=shots)
    # Generous: on a loaded 2-core machine, migrating two fresh databases can take minutes.
    made.run("migrate", "--verbosity", "0", timeout=600)
    printed = made.run("demo", timeout=300)
    found = re.search(r"(http://127\.0\.0\.1:\d+/e/[0-9a-f-]+/)", printed)
    assert found, f"the demo command printed no event URL:\n{printed}"
    made.event_url = found.group(1)
    made.credentials = json.loads((var / "demo-credentials.txt").read_text())

    with serving(base, port, env, var):
        yield made


def shell(stack: Stack, code: str) -> dict[str, str]:
    """Run Python in the product's Django shell against the stack's databases; the lines it
    prints as ``NAME=value`` come back as a dict."""
    printed = stack.run("manage", "shell", "-c", code, timeout=120)
    return dict(re.findall(r"^([A-Z_]+)=(.*)$", printed, re.MULTILINE))
