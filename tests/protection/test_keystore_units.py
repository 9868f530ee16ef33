"""The keystore's unit of work (P6.8 keys, issue 9 S2): a unit opened inside another shares
its cache, so a registration composing its mail reads the person's key once; a key
destroyed inside the unit is never served from it; the cache ends with the outermost unit;
a subject created just now gets its key without a lookup first."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from livesession.protection import crypto, keystore
from livesession.protection.services import subject_for_email


def _keystore_queries() -> CaptureQueriesContext:
    return CaptureQueriesContext(connections["keystore"])


@pytest.mark.django_db(databases="__all__")
def test_p6_8_nested_units_read_a_key_once_and_never_serve_a_destroyed_one() -> None:
    subject = subject_for_email("unit@example.org", None)
    with _keystore_queries() as seen, keystore.unit_of_work():
        first = keystore.get_key(subject.id)
        with keystore.unit_of_work():
            assert keystore.get_key(subject.id) == first
        assert keystore.get_key(subject.id) == first
    assert len([q for q in seen.captured_queries if "SELECT" in q["sql"]]) == 1
    with keystore.unit_of_work():
        keystore.get_key(subject.id)
        with keystore.unit_of_work():
            keystore.destroy_key(subject.id)
        with pytest.raises(crypto.KeyDestroyed):
            keystore.get_key(subject.id)
    assert keystore._cache.get() is None


@pytest.mark.django_db(databases="__all__")
def test_p6_8_a_new_subject_gets_its_key_without_a_lookup() -> None:
    with _keystore_queries() as seen:
        subject = subject_for_email("fresh@example.org", None)
    statements = [q["sql"] for q in seen.captured_queries]
    assert not any(s.startswith("SELECT") for s in statements), statements
    assert any("INSERT" in s for s in statements)
    with _keystore_queries() as again:
        assert subject_for_email("fresh@example.org", None).pk == subject.pk
    # The subject existed: its key is looked for, found, and none is made.
    assert [s["sql"].split()[0] for s in again.captured_queries] == ["SELECT"]


@pytest.mark.django_db(databases="__all__")
def test_p6_8_an_inner_unit_keeps_its_own_keys_to_itself() -> None:
    """An export's chunk inside a long unit (an import run) drops the keys it read when it
    ends: the outer unit does not grow with every chunk."""
    first = subject_for_email("outer@example.org", None)
    second = subject_for_email("inner@example.org", None)
    with keystore.unit_of_work():
        keystore.get_key(first.id)
        with keystore.unit_of_work():
            keystore.get_key(second.id)
            assert second.id in keystore._cache.get()  # type: ignore[operator]
        outer = keystore._cache.get()
        assert outer is not None and first.id in outer and second.id not in outer
