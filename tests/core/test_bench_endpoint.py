"""/bench/noop, the benchmarks' baseline (issue 9): served only with BENCH_ENDPOINTS on."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_bench_noop_is_404_by_default() -> None:
    """Off by default (settings): a production server does not serve the bench endpoint."""
    from django.conf import settings

    assert settings.BENCH_ENDPOINTS is False
    response = Client().get(reverse("bench:noop"))
    assert response.status_code == 404


@override_settings(BENCH_ENDPOINTS=True)
def test_bench_noop_answers_ok_when_on_without_session_or_query(
        django_assert_num_queries: object) -> None:
    """On: a plain 200 behind the whole middleware stack, no session cookie, no query."""
    client = Client()
    with django_assert_num_queries(0):  # type: ignore[operator]
        response = client.get(reverse("bench:noop"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "sessionid" not in response.cookies
    assert client.post(reverse("bench:noop")).status_code == 405
