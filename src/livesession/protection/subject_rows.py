"""Which rows of which model are about one person: the path from a model to the subject.

Export (issue 5 §1) and other rights tools read the registry (what each field is) and ask
this module which rows concern the person. The path is found by introspection, so a new
model is covered as soon as it points at the person in one of these ways:

- it is the account itself (``accounts.User``);
- a foreign key to ``protection.Subject`` (the person at one controller);
- a foreign key to ``registrations.Registration`` (a registration of the person);
- a foreign key to the account (``user``, ``account``, ``created_by``, ...);
- a pseudonymous text reference (the audit trail's ``actor`` and ``target``, "account:12").

Only foreign keys declared personal in the registry count: a foreign key declared
not personal is not a link to the person. ``tests/protection/test_subject_rows.py`` fails
when a model with exportable personal fields has no path.

This module is the one path finder: erasure (``protection/erasure.py``) asks it too, for
the lookup from a row to its subject id (``subject_lookup``: the declaration's
``subject_path``, else a ``subject`` foreign key) and from a foreign key to the subject of
the row it points to (``fk_subject_lookup``). Export follows those same declared paths,
so what erasure removes and what the copy shows are found the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import ForeignKey, Q

from livesession.protection.models import Subject
from livesession.protection.registry import UNLINKED, Export, ModelDeclaration, all_declarations

SUBJECT_MODEL = "protection.Subject"
REGISTRATION_MODEL = "registrations.Registration"


@dataclass(frozen=True)
class Person:
    """One person as the platform knows them: the account, its (operator) subject, the
    registrations the account holds and the subjects at each client those belong to.

    A client's participant seen from that client's Manager (``person_at_client``) has no
    account (``user_id`` None): only that client's subject and its registrations."""

    user_id: int | None
    subject_ids: frozenset[uuid.UUID]
    registration_ids: frozenset[Any]
    client_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def pseudonyms(self) -> frozenset[str]:
        """The ids the audit trail uses for this person (never names or addresses)."""
        account = {f"account:{self.user_id}"} if self.user_id is not None else set()
        return frozenset(account
                         | {f"subject:{sid}" for sid in self.subject_ids}
                         | {f"registration:{rid}" for rid in self.registration_ids})


def person_of(user: Any) -> Person:
    """The person behind a signed-in account. The registrations are those the account holds
    (``AccountLink``: made while signed in or claimed after the address was verified); the
    person at each of those clients is the registration's subject, and every registration of
    that subject is theirs."""
    from livesession.accounts.models import AccountLink
    from livesession.registrations.models import Registration

    linked = AccountLink.objects.filter(account=user).values_list("registration__subject_id",
                                                                  flat=True)
    client_subjects = set(linked)
    registrations = Registration.objects.filter(subject_id__in=client_subjects)
    return Person(
        user_id=user.pk,
        subject_ids=frozenset({user.subject_id} | client_subjects),
        registration_ids=frozenset(registrations.values_list("pk", flat=True)),
        client_ids=frozenset(registrations.values_list("client_id", flat=True)),
    )


def person_at_client(subject: Any) -> Person:
    """The person behind one client's subject, as that client (the controller) knows them:
    the subject and its registrations at that client, never the platform account (the
    operator's) nor what other clients hold (issue 5 §9, P6.3)."""
    from livesession.registrations.models import Registration

    registrations = Registration.objects.filter(subject_id=subject.pk,
                                                client_id=subject.client_id)
    return Person(
        user_id=None,
        subject_ids=frozenset({subject.pk}),
        registration_ids=frozenset(registrations.values_list("pk", flat=True)),
        client_ids=frozenset({subject.client_id}) if subject.client_id else frozenset(),
    )


# Models whose link to the person is a pseudonymous text, not a foreign key.
TextPath = Callable[[Person], Q]
TEXT_PATHS: dict[str, TextPath] = {
    "audit.AuditEntry": lambda p: Q(actor__in=p.pseudonyms) | Q(target__in=p.pseudonyms),
}


def _target_label(f: models.Field[Any, Any]) -> str:
    remote = f.remote_field.model  # type: ignore[union-attr]
    return remote if isinstance(remote, str) else remote._meta.label


def _link_fields(model: type[models.Model], decl: ModelDeclaration) -> dict[str, list[str]]:
    """Declared-personal foreign keys of ``model``, by kind of target."""
    kinds: dict[str, list[str]] = {"subject": [], "registration": [], "user": []}
    for f in model._meta.concrete_fields:
        if not f.is_relation or f.name not in decl.personal:
            continue
        target = _target_label(f)
        if target == SUBJECT_MODEL:
            kinds["subject"].append(f.name)
        elif target == REGISTRATION_MODEL:
            kinds["registration"].append(f.name)
        elif target == settings.AUTH_USER_MODEL:
            kinds["user"].append(f.name)
    return kinds


def path_q(model: type[models.Model], person: Person) -> Q | None:
    """The filter selecting ``person``'s rows of ``model``, or None when there is no path."""
    label = model._meta.label
    if label == settings.AUTH_USER_MODEL:
        return Q(pk=person.user_id) if person.user_id is not None else Q(pk__in=[])
    if label in TEXT_PATHS:
        return TEXT_PATHS[label](person)
    decl = all_declarations().get(label)
    if decl is None:
        return None
    if label == REGISTRATION_MODEL:
        return Q(pk__in=person.registration_ids)
    kinds = _link_fields(model, decl)
    q: Q | None = None
    for name in kinds["subject"]:
        q = _or(q, Q(**{f"{name}__in": person.subject_ids}))
    declared = subject_lookup(model, decl) if decl.subject_path else None
    if declared is not None and declared not in kinds["subject"]:
        # The path erasure follows (``registration__subject``, ``user__subject``…).
        q = _or(q, Q(**{f"{declared}__in": person.subject_ids}))
    for name in kinds["registration"]:
        q = _or(q, Q(**{f"{name}__in": person.registration_ids}))
    for name in kinds["user"]:
        # No account (a client's participant): ``created_by = NULL`` must not match.
        user_q = Q(**{name: person.user_id}) if person.user_id is not None else Q(pk__in=[])
        q = _or(q, user_q)
    return q


def fk_subject_lookup(model: type[models.Model], name: str) -> str | None:
    """The lookup from foreign key ``name`` to the subject id of the row it points to
    (``subject`` itself, or ``<name>__subject``); None when that row has no subject."""
    field_obj = model._meta.get_field(name)
    if not isinstance(field_obj, ForeignKey):
        return None
    target = field_obj.related_model
    if target is Subject:
        return name
    try:
        inner = target._meta.get_field("subject")
    except Exception:
        return None
    if isinstance(inner, ForeignKey) or inner.one_to_one:
        return f"{name}__subject"
    return None


def subject_lookup(model: type[models.Model], decl: ModelDeclaration) -> str | None:
    """The ORM lookup from a row of ``model`` to its subject id: the declaration's
    ``subject_path``, the Subject's own ``pk``, or a ``subject`` foreign key; None when
    there is none (or the declaration says ``UNLINKED``)."""
    if decl.subject_path == UNLINKED:
        return None
    if decl.subject_path:
        return decl.subject_path
    if model is Subject:
        return "pk"
    try:
        own = model._meta.get_field("subject")
    except Exception:
        return None
    return "subject" if getattr(own, "related_model", None) is Subject else None


def _or(left: Q | None, right: Q) -> Q:
    return right if left is None else left | right


def has_path(model: type[models.Model]) -> bool:
    probe = Person(user_id=0, subject_ids=frozenset(), registration_ids=frozenset())
    return path_q(model, probe) is not None


def exportable_fields(decl: ModelDeclaration) -> list[str]:
    return sorted(name for name, item in decl.personal.items() if item.export == Export.VALUE)


def models_with_exportable_data() -> list[type[models.Model]]:
    """Every declared model with at least one personal field exported as its value."""
    found = []
    for label, decl in sorted(all_declarations().items()):
        if exportable_fields(decl):
            found.append(apps.get_model(label))
    return found


def rows_of(model: type[models.Model], person: Person) -> models.QuerySet[Any]:
    """``person``'s rows of ``model`` (none when the model has no path)."""
    q = path_q(model, person)
    manager = model._default_manager
    if q is None:
        return manager.none()
    return manager.filter(q).order_by("pk")
