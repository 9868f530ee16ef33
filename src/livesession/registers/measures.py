"""The security measures of the register (GDPR art. 30(1)(g), 30(2)(d), 32; P3.3), read from
the settings and the code in force, never written by hand.

Each measure says what it is, where the fact comes from (``source``) and whether it is in
force on this installation (``in_force``): a measure that depends on configuration (TLS,
separate keystore database, MFA for staff) is reported as it is configured, so the register
does not promise what the deployment does not do.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _keystore_separate() -> bool:
    main, keys = settings.DATABASES["default"], settings.DATABASES.get("keystore", {})
    return bool(keys) and (main.get("NAME"), main.get("HOST")) != (keys.get("NAME"),
                                                                   keys.get("HOST"))


def _mfa_for_staff() -> bool:
    """Staff MFA exists once the accounts app carries its TOTP module (issue 6 §6)."""
    return find_spec("livesession.accounts.mfa") is not None


def _measure(key: str, label: str, detail: str, source: str, in_force: bool = True,
             ) -> dict[str, Any]:
    return {"id": key, "label": label, "detail": detail, "source": source,
            "in_force": bool(in_force)}


def security_measures() -> list[dict[str, Any]]:
    """The measures in force, in the active language."""
    https = settings.SITE_URL.startswith("https://")
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1] if settings.PASSWORD_HASHERS else ""
    limits = ", ".join(f"{name} {count}/{window}s"
                       for name, (count, window) in sorted(settings.RATE_LIMITS.items()))
    out = [
        _measure("encryption_at_rest",
                 _("Encryption at rest with one key per person"),
                 _("Identifiers and free-text answers are encrypted with AES-256-GCM under a "
                   "key of their own per person and controller; erasing a person destroys "
                   "the key, which makes every copy unreadable, backups included."),
                 "protection/crypto.py"),
        _measure("keystore_separation",
                 _("Keys kept apart from the data"),
                 ngettext("The person keys are wrapped by a master key and stored in a separate "
                          "keystore database, backed up separately and for a shorter time "
                          "(%(days)s day).",
                          "The person keys are wrapped by a master key and stored in a separate "
                          "keystore database, backed up separately and for a shorter time "
                          "(%(days)s days).", settings.KEYSTORE_BACKUP_RETENTION_DAYS)
                 % {"days": settings.KEYSTORE_BACKUP_RETENTION_DAYS},
                 "DATABASES['keystore'], KEYSTORE_BACKUP_RETENTION_DAYS",
                 _keystore_separate()),
        _measure("blind_index",
                 _("Lookups without the address in clear"),
                 _("Email addresses are found through a keyed hash (HMAC-SHA256), never "
                   "stored in clear; access links and API tokens are stored as hashes."),
                 "protection/crypto.py"),
        _measure("tls",
                 _("Encrypted connections (TLS)"),
                 _("The site is served over HTTPS and its cookies are sent only over "
                   "encrypted connections."),
                 "SITE_URL, SECURE_COOKIES", https and settings.SECURE_COOKIES),
        _measure("passwords",
                 _("Password hashing"),
                 _("Passwords are hashed with %(hasher)s; weak and personal passwords are "
                   "refused; an account locks after repeated wrong passwords.")
                 % {"hasher": hasher}, "PASSWORD_HASHERS, AUTH_PASSWORD_VALIDATORS"),
        _measure("mfa_staff",
                 _("Two-factor authentication for operator staff"),
                 _("Operator staff sign in with a password and a one-time code (TOTP); a "
                   "client may require it of its members."),
                 "accounts/mfa.py", _mfa_for_staff()),
        _measure("sessions",
                 _("Short sessions"),
                 ngettext("Sessions end after %(minutes)s minute of inactivity and when the "
                          "browser closes; a person sees and ends their sessions.",
                          "Sessions end after %(minutes)s minutes of inactivity and when the "
                          "browser closes; a person sees and ends their sessions.",
                          settings.SESSION_COOKIE_AGE // 60)
                 % {"minutes": settings.SESSION_COOKIE_AGE // 60},
                 "SESSION_COOKIE_AGE, SESSION_EXPIRE_AT_BROWSER_CLOSE",
                 settings.SESSION_EXPIRE_AT_BROWSER_CLOSE),
        _measure("rate_limits",
                 _("Rate limits against robots and guessing"),
                 _("Limits per connection and per address: %(limits)s.") % {"limits": limits},
                 "RATE_LIMITS"),
        _measure("tenancy",
                 _("Access restricted by organization and role"),
                 _("Each client sees only its own data (another client's is answered as "
                   "not existing); roles bound what each member may do; every URL is "
                   "checked by an automated test."),
                 "core/tenancy.py"),
        _measure("staff_confidentiality",
                 _("Staff bound to confidentiality"),
                 _("Operator staff acknowledge the confidentiality rules before any access; "
                   "the console shows no participant data."),
                 "accounts.User.confidentiality_ack_at"),
    ]
    if apps.is_installed("livesession.staffaccess"):
        out.append(_measure(
            "staff_access",
            _("Justified, time-limited staff access"),
            _("Reaching a client's personal data needs a stated reason, lasts a limited time "
              "and every read is logged and shown to the client."),
            "livesession.staffaccess"))
    out += [
        _measure("audit_chain",
                 _("Tamper-evident audit trail"),
                 _("Every change to personal data, export, deletion run and configuration "
                   "change is written to an append-only, hash-chained trail holding "
                   "pseudonymous ids only; its verification names the first broken entry."),
                 "audit/services.py"),
        _measure("backups",
                 _("Backups"),
                 " ".join([
                     ngettext("The database is backed up and kept %(days)s day.",
                              "The database is backed up and kept %(days)s days.",
                              settings.BACKUP_RETENTION_DAYS)
                     % {"days": settings.BACKUP_RETENTION_DAYS},
                     ngettext("The keystore is backed up to a separate folder and kept "
                              "%(days)s day.",
                              "The keystore is backed up to a separate folder and kept "
                              "%(days)s days.", settings.KEYSTORE_BACKUP_RETENTION_DAYS)
                     % {"days": settings.KEYSTORE_BACKUP_RETENTION_DAYS},
                     _("A restore replays the erasure journal so that nobody erased comes "
                       "back.")]),
                 "BACKUP_DIR, BACKUP_RETENTION_DAYS"),
        _measure("retention",
                 _("Retention enforced by code"),
                 _("Retention rules are data, applied every day by a purge job that logs "
                   "counts per category; legal holds suspend deletion for a named reason."),
                 "livesession.retention", apps.is_installed("livesession.retention")),
        _measure("logs",
                 _("No personal data in logs"),
                 _("Application logs go through a filter that removes addresses and tokens; "
                   "rate-limit keys hold a hash of the network address."),
                 "LOGGING"),
        _measure("headers",
                 _("Browser protections"),
                 _("Pages forbid framing, content sniffing and cross-site referrers; every "
                   "form is protected against cross-site request forgery."),
                 "X_FRAME_OPTIONS, SECURE_CONTENT_TYPE_NOSNIFF, CSRF"),
    ]
    for number, text in enumerate(settings.SECURITY_MEASURES_EXTRA, start=1):
        out.append(_measure(f"extra_{number}", text, "", "SECURITY_MEASURES_EXTRA"))
    return out
