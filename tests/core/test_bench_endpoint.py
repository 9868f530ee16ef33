"""/bench/noop, the benchmarks' baseline (issue 9): served only with BENCH_ENDPOINTS on.

Off (the default, and in tests) the route is not mounted at all; the view also refuses on
its own. On, it is a plain 200 behind the whole middleware stack; this test mounts the
view in a URLconf of its own (the project's URLconf is read once, with the setting off).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import NoReverseMatch, include, path, reverse

from livesession.core import bench_urls

pytestmark = pytest.mark.django_db

# The view mounted first, then the project's URLs (the pages' templates name them).
urlpatterns = [path("bench/noop", bench_urls.noop, name="bench-noop"),
               path("", include("livesession.config.urls"))]


def test_bench_noop_is_not_served_by_default() -> None:
    """Off by default: no route, and /bench/noop answers 404 like any unknown URL."""
    assert settings.BENCH_ENDPOINTS is False
    with pytest.raises(NoReverseMatch):
        reverse("bench:noop")
    assert Client().get("/bench/noop").status_code == 404


@override_settings(ROOT_URLCONF=__name__)
def test_bench_noop_view_refuses_while_the_setting_is_off() -> None:
    assert Client().get("/bench/noop").status_code == 404


@override_settings(ROOT_URLCONF=__name__, BENCH_ENDPOINTS=True)
def test_bench_noop_answers_ok_when_on_without_session_or_query(
        django_assert_num_queries: object) -> None:
    """On: a plain 200 behind the whole middleware stack, no session cookie, no query."""
    client = Client()
    with django_assert_num_queries(0):  # type: ignore[operator]
        response = client.get("/bench/noop")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "sessionid" not in response.cookies
    assert client.post("/bench/noop").status_code == 405
