"""Registry declarations of organizer analytics (issue 7 §7).

Both models hold data derived from one registration, for the organizer's statistics (its
legitimate interest; people may object, R-11): they are erased with the registration (the
rows CASCADE, and erasure deletes them by their registration's subject) and kept as long.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from livesession.analytics.models import EventRollup, RegistrationFacts, RegistrationSource
from livesession.protection.registry import Basis, Controller, Erase, Export, Personal, declare

_STATS = _("the organizer's statistics of its events (sources, breakdowns)")
_KEEP = _("as long as the registration it comes from")  # P4.4, with the registration


def _p(label: str | Promise = "", export: Export = Export.VALUE) -> Personal:
    return Personal(Controller.CLIENT, _STATS, Basis.LEGITIMATE_INTEREST, _KEEP,
                    Erase.DELETE_ROW, export, label=label)


declare(RegistrationSource, personal={
    "registration": _p(export=Export.OMIT),
    "referrer_host": _p(_("site that linked to the registration form")),
    "utm_source": _p(_("campaign source of the registration link")),
    "utm_medium": _p(_("campaign medium of the registration link")),
    "utm_campaign": _p(_("campaign name of the registration link")),
}, not_personal=["client", "event"], subject_path="registration__subject")

declare(RegistrationFacts, labels={
    "computed_at": _("date computed"),
    "registration_updated_at": _("date the registration last changed"),
    "withheld": _("left out of the statistics"),
}, personal={
    "registration": _p(export=Export.OMIT),
    "job_function": _p(_("job function, normalized for statistics")),
    "city": _p(_("city, normalized for statistics")),
    "department": _p(_("department of the postal code")),
    "withheld": _p(export=Export.OMIT),
    "registration_updated_at": _p(export=Export.OMIT),
    "computed_at": _p(export=Export.OMIT),
}, not_personal=["client", "event"], subject_path="registration__subject")

# Counts per event (issue 9, S4): no field names or describes a person.
declare(EventRollup, not_personal=["event", "client", "dirty", "built_at", "cutoff", "windows",
                                   "zone", "counts"])
