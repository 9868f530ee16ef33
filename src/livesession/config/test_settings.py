"""Settings for the test suite: the real settings, with a throwaway var/ and tasks run in
process right after commit (the outbox rows stay the ledger either way)."""

import os
import tempfile

os.environ["LIVESESSION_TESTING"] = "1"
# A throwaway var/ for the run, and under it one per pytest-xdist worker: the controller
# process imports these settings first and its workers inherit its environment, so without
# the worker's own folder every worker shared one var/ (mail copies named by outbox id, the
# erasure journal…), and one worker's erasure removed another's mail files of the same id.
_RUN_VAR = os.environ.setdefault("LIVESESSION_TEST_RUN_VAR",
                                 os.environ.get("LIVESESSION_VAR_DIR")
                                 or tempfile.mkdtemp(prefix="livesession-test-"))
os.environ["LIVESESSION_VAR_DIR"] = os.path.join(
    _RUN_VAR, os.environ.get("PYTEST_XDIST_WORKER", "") or "main")

from livesession.config.settings import *  # noqa: E402, F403  (after the environment above; test settings extend them)

# Argon2 at full cost makes a suite of sign-ins slow; MD5 is for tests only, never shipped.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
RATE_LIMITS = {"register": (1000, 60), "login": (1000, 60)}
# Tests post the page form without rendering it first; tests/portal/test_bots.py turns
# the fill-time check back on with the ``settings`` fixture.
REGISTRATION_MIN_FILL_SECONDS = 0.0
REGISTRATION_POW_DIFFICULTY = 0
# Every other bucket of the shipped settings (sign-up, password reset…) wide open too; a
# test of a limit sets its own with the ``settings`` fixture.
from livesession.config import settings as _shipped  # noqa: E402

RATE_LIMITS = {**dict.fromkeys(_shipped.RATE_LIMITS, (1000, 60)), **RATE_LIMITS}

# Parallel runs (pytest-xdist, ``make test``): each worker has its own var/ (above) and
# test databases (pytest-django suffixes their names). With Redis, each worker gets a
# database of its own, counting down from the one given (tests clear the cache, which
# empties a whole Redis database).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and _shipped.REDIS_URL:
    _base, _, _db = _shipped.REDIS_URL.rpartition("/")
    REDIS_URL = f"{_base}/{int(_db or 0) - int(_WORKER.removeprefix('gw'))}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
