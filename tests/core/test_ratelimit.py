"""Rate limits that hold across processes, and the proof-of-work store (issue 3 §8).

Counts live in the database by default (``core.RateCounter``, one atomic upsert) and in
Redis with ``REDIS_URL``. The slow tests start two real processes hitting the same bucket
at the same time: together they are allowed exactly the limit, on both stores. Redis tests
use ``redis://127.0.0.1:6379/13``; they are skipped when no Redis answers, except under CI
(``CI`` set), where they fail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from livesession.core import clock, ratelimit
from livesession.core import pow as proof_of_work
from livesession.core.jobs import prune_rate_counters
from livesession.core.models import RateCounter

# A Redis database per parallel test worker (gw0: 10, gw1: 9…), apart from the ones the
# suite's cache uses (test_settings.py): each test empties its counters.
REDIS_TEST_URL = "redis://127.0.0.1:6379/{}".format(
    10 - int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")))
CLI = str(Path(sys.executable).with_name("livesession"))
MOMENT = dt.datetime(2030, 5, 6, 10, 0, 5, tzinfo=dt.UTC)  # 5 s into a minute window


def _request(ip: str = "203.0.113.7", **meta: str) -> Any:
    return RequestFactory().post("/", REMOTE_ADDR=ip, **meta)


def _redis_or_skip() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required under CI at {REDIS_TEST_URL}: {exc}")
        pytest.skip(f"no Redis at {REDIS_TEST_URL} ({exc})")
    return client


def _clear_redis(client: Any) -> None:
    for key in client.scan_iter(f"{ratelimit.REDIS_PREFIX}*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _fresh_counts(settings: Any) -> None:
    """With REDIS_URL (CI), counts outlive a test's transaction: start each test at zero."""
    if settings.REDIS_URL:
        import redis

        _clear_redis(redis.Redis.from_url(settings.REDIS_URL))


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """Each test below runs on the embedded default (database) and on Redis."""
    if request.param == "redis":
        client = _redis_or_skip()
        _clear_redis(client)
        settings.REDIS_URL = REDIS_TEST_URL
        yield "redis"
        _clear_redis(client)
    else:
        settings.REDIS_URL = ""
        yield "database"


# --- The client's address ---------------------------------------------------------------

def test_the_address_is_remote_addr_and_a_forged_forwarded_header_is_ignored(
        settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    request = _request("198.51.100.4", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert ratelimit.client_ip(request) == "198.51.100.4"


def test_with_declared_proxies_the_address_is_what_the_first_proxy_saw(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The client wrote "6.6.6.6" itself; our one proxy appended the real address.
    request = _request("10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    assert ratelimit.client_ip(request) == "198.51.100.9"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 2}
    request = _request("10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9, 10.0.0.2")
    assert ratelimit.client_ip(request) == "198.51.100.9"
    assert ratelimit.client_ip(_request("10.0.0.1")) == "10.0.0.1"  # no header: REMOTE_ADDR


def test_one_ipv6_subscriber_network_counts_as_one_address() -> None:
    first = ratelimit.address_key(_request("2001:db8:1:2::10"))
    assert first == ratelimit.address_key(_request("2001:db8:1:2:ffff::1"))
    assert first != ratelimit.address_key(_request("2001:db8:1:3::10"))


def test_keys_hold_a_keyed_hash_never_the_address(settings: Any) -> None:
    settings.REDIS_URL = ""
    ratelimit.hit("login", _request("203.0.113.77"))
    keys = list(RateCounter.objects.values_list("bucket_key", flat=True))
    assert len(keys) == 1 and keys[0].startswith("login:")
    assert "203.0.113.77" not in keys[0] and "203-0-113-77" not in keys[0]
    # Keyed (HMAC with a key derived from the master key), not a bare SHA-256.
    import hashlib

    assert hashlib.sha256(b"203.0.113.77").hexdigest()[:20] not in keys[0]


# --- Counting, on both stores -----------------------------------------------------------

def test_the_limit_is_exact_then_the_next_window_starts_again(store: str,
                                                              settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (3, 60)}
    with clock.freeze(MOMENT):
        results = [ratelimit.hit("login", _request()) for _ in range(5)]
        verdict = ratelimit.check("login", _request())
    assert results == [False, False, False, True, True]
    assert verdict.limited and verdict.bucket == "login" and verdict.retry_after == 55
    # Another address has its own count.
    with clock.freeze(MOMENT):
        assert not ratelimit.hit("login", _request("198.51.100.1"))
    with clock.freeze(MOMENT + dt.timedelta(seconds=60)):
        assert not ratelimit.hit("login", _request())


def test_scope_and_buckets_are_counted_apart(store: str, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (1, 60), "login": (1, 60)}
    with clock.freeze(MOMENT):
        assert not ratelimit.hit("register", _request())
        assert not ratelimit.hit("login", _request())
        assert not ratelimit.hit("register", _request(), scope="other")
        assert ratelimit.hit("register", _request())


def test_registration_counts_per_address_then_per_event(store: str, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (2, 60),
                            "register_event": (3, 60)}
    with clock.freeze(MOMENT):
        a = [bool(ratelimit.registration(_request("198.51.100.1"), "event-1"))
             for _ in range(3)]
        # The third attempt of that address was refused per address: not counted against
        # the event, which still has one place for another address.
        b = [bool(ratelimit.registration(_request("198.51.100.2"), "event-1"))
             for _ in range(2)]
        other_event = ratelimit.registration(_request("198.51.100.3"), "event-2")
        refused = ratelimit.registration(_request("198.51.100.4"), "event-1")
    assert a == [False, False, True]
    assert b == [False, True]
    assert not other_event
    assert refused.bucket == "register_event" and refused.retry_after == 55


def test_a_used_proof_of_work_challenge_is_remembered_until_it_expires(store: str) -> None:
    with clock.freeze(MOMENT):
        issued = int(MOMENT.timestamp())
        assert ratelimit.first_use("pow:abc", issued, issued + 3600)
        assert not ratelimit.first_use("pow:abc", issued, issued + 3600)
        assert ratelimit.first_use("pow:def", issued, issued + 3600)


def test_the_periodic_job_prunes_windows_that_are_over(settings: Any) -> None:
    settings.REDIS_URL = ""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (5, 60)}
    with clock.freeze(MOMENT):
        ratelimit.hit("login", _request("198.51.100.1"))
    with clock.freeze(MOMENT + dt.timedelta(seconds=50)):  # same window, ends at :00
        ratelimit.hit("login", _request("198.51.100.2"))
    with clock.freeze(MOMENT + dt.timedelta(seconds=61)):
        prune_rate_counters.call_local()
        assert RateCounter.objects.count() == 0
        ratelimit.hit("login", _request("198.51.100.3"))
        prune_rate_counters.call_local()
    assert RateCounter.objects.count() == 1


def test_a_store_that_does_not_answer_fails_closed(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    import redis

    with pytest.raises(redis.RedisError):
        ratelimit.hit("login", _request())


# --- Proof of work: the server side -----------------------------------------------------

@pytest.fixture
def pow_on(settings: Any) -> int:
    settings.REGISTRATION_POW_DIFFICULTY = 8
    return 8


def test_pow_a_right_solution_passes_once(store: str, pow_on: int) -> None:
    challenge = proof_of_work.issue()
    assert challenge.difficulty == 8
    solution = proof_of_work.solve(challenge.value, challenge.difficulty)
    assert proof_of_work.verify(challenge.value, solution) is None
    assert proof_of_work.verify(challenge.value, solution) == "reused"


def test_pow_wrong_forged_expired_and_missing_fail(pow_on: int, settings: Any) -> None:
    settings.REDIS_URL = ""
    with clock.freeze(MOMENT):
        challenge = proof_of_work.issue()
    solution = int(proof_of_work.solve(challenge.value, 8))
    wrong = next(str(n) for n in range(solution + 1, solution + 10_000)
                 if not proof_of_work.solves(challenge.value, str(n), 8))
    with clock.freeze(MOMENT + dt.timedelta(minutes=5)):
        assert proof_of_work.verify(challenge.value, wrong) == "wrong"
        assert proof_of_work.verify(challenge.value, "") == "missing"
        assert proof_of_work.verify("", str(solution)) == "missing"
        assert proof_of_work.verify(challenge.value, "12a") == "invalid"
        # Asking for fewer zero bits than signed: the signature no longer matches.
        forged = challenge.value.replace(".8:", ".1:")
        assert proof_of_work.verify(forged, "0") == "invalid"
    with clock.freeze(MOMENT + dt.timedelta(seconds=proof_of_work.LIFETIME)):
        assert proof_of_work.verify(challenge.value, str(solution)) == "expired"
    # Raised since the challenge was issued: the old, easier challenge is refused.
    settings.REGISTRATION_POW_DIFFICULTY = 12
    with clock.freeze(MOMENT + dt.timedelta(minutes=5)):
        assert proof_of_work.verify(challenge.value, str(solution)) == "invalid"


def test_pow_zero_bits_check_is_exact() -> None:
    assert proof_of_work.leading_zero_bits(bytes([0, 0x0F]) + bytes(30), 12)
    assert not proof_of_work.leading_zero_bits(bytes([0, 0x1F]) + bytes(30), 12)
    assert proof_of_work.leading_zero_bits(bytes([0x80]) + bytes(31), 0)
    assert not proof_of_work.leading_zero_bits(bytes([0x80]) + bytes(31), 1)


# --- Across real processes --------------------------------------------------------------

HITTER = textwrap.dedent("""
    import json, os, pathlib, time
    from django.test import RequestFactory
    from livesession.core.ratelimit import hit
    barrier = pathlib.Path(os.environ["BARRIER"])
    (barrier / f"ready-{os.getpid()}").touch()
    while not (barrier / "go").exists():
        time.sleep(0.005)
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.50")
    allowed = sum(0 if hit("register", request) else 1 for _ in range(int(os.environ["HITS"])))
    print("RESULT " + json.dumps({"allowed": allowed}))
""")


def _two_processes_hit_together(tmp_path: Path, extra_env: dict[str, str], limit: int,
                                hits: int) -> list[int]:
    var = tmp_path / "var"
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "KEYSTORE_DATABASE_URL", "REDIS_URL",
                        "LIVESESSION_TESTING", "LIVESESSION_TASKS_IMMEDIATE"}}
    env |= {"DJANGO_SETTINGS_MODULE": "livesession.config.settings",
            "LIVESESSION_VAR_DIR": str(var), "RATE_LIMIT_REGISTER": str(limit),
            "BARRIER": str(barrier), "HITS": str(hits), **extra_env}
    subprocess.run([CLI, "migrate", "--verbosity", "0"], env=env, check=True, timeout=180)
    procs = [subprocess.Popen([CLI, "manage", "shell", "-c", HITTER], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while len(list(barrier.glob("ready-*"))) < 2:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                pytest.fail("the hitting processes did not start: "
                            + " | ".join(p.communicate()[1][-2000:] for p in procs))
            time.sleep(0.01)
        # Both must count in the same one-minute window: start early in one.
        if time.time() % 60 > 40:
            time.sleep(60 - time.time() % 60 + 0.2)
        (barrier / "go").touch()
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    allowed = []
    for (out, err), proc in zip(outputs, procs, strict=True):
        assert proc.returncode == 0, err[-3000:]
        line = next(row for row in out.splitlines() if row.startswith("RESULT "))
        allowed.append(json.loads(line.removeprefix("RESULT "))["allowed"])
    return allowed


@pytest.mark.slow
def test_the_database_limit_holds_across_two_processes(tmp_path: Path) -> None:
    """The embedded default: two processes on one SQLite file allow the limit, no more."""
    allowed = _two_processes_hit_together(tmp_path, {}, limit=60, hits=150)
    # One limiter per process would have allowed 120 (60 each).
    assert sum(allowed) == 60, allowed


@pytest.mark.slow
def test_the_redis_limit_holds_across_two_processes(tmp_path: Path) -> None:
    client = _redis_or_skip()
    try:
        allowed = _two_processes_hit_together(tmp_path, {"REDIS_URL": REDIS_TEST_URL},
                                              limit=60, hits=150)
    finally:
        _clear_redis(client)
    # One limiter per process would have allowed 120 (60 each).
    assert sum(allowed) == 60, allowed
