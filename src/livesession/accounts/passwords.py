"""Password rules on top of Django's (length, common list, all digits): no password built on
the person's own email or names (reference AUTH-2, context words), and none longer than 128
characters (ASVS 4 2.1.2)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_LENGTH = 128
MIN_WORD = 3


def _fold(text: str) -> str:
    """Lower case, accents dropped: "Éloïse" and "eloise" are the same word here."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def personal_words(email: str = "", first_name: str = "", last_name: str = "") -> set[str]:
    local = (email or "").split("@", 1)[0]
    words = {local, *re.split(r"[._+\-]", local)}
    for name in (first_name, last_name):
        words |= {name, *re.split(r"[\s'\-]+", name or "")}
    return {_fold(w.strip()) for w in words if len(w.strip()) >= MIN_WORD}


class PersonalInfoValidator:
    """Refuses a password that contains the local part of the email or one of the names.
    Reads ``email``, ``first_name`` and ``last_name`` from the user it is given (an account,
    or any object carrying them at sign-up)."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                ngettext("Use at most %(max)d character for the password.",
                         "Use at most %(max)d characters for the password.", MAX_LENGTH)
                % {"max": MAX_LENGTH},
                code="password_too_long")
        if user is None:
            return
        words = personal_words(str(getattr(user, "email", "") or ""),
                               str(getattr(user, "first_name", "") or ""),
                               str(getattr(user, "last_name", "") or ""))
        folded = _fold(password)
        if any(word in folded for word in words):
            raise ValidationError(
                _("The password contains your name or the start of your email address. "
                  "Choose one that does not."),
                code="password_has_personal_info")

    def get_help_text(self) -> str:
        return _("Your password must not contain your name or your email address.")
