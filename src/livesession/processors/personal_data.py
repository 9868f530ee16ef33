from django.utils.translation import gettext_lazy as _

from livesession.processors.models import ChangeNotice, Objection, SubProcessor
from livesession.protection.registry import Basis, Controller, Erase, Personal, declare

# The register describes companies (hosting providers), not people.
declare(SubProcessor, not_personal=[
    "id", "legal_entity", "service_kind", "service", "country", "data_categories",
    "mechanism", "adequacy_decision", "dpf_checked_on", "scc_module", "tia_reference",
    "active_from", "active_until", "created_at", "updated_at"])
declare(ChangeNotice, not_personal=["id", "subprocessor", "change", "changes", "sent_at",
                                    "objection_until", "recipients"])
# The member who objected is a platform account (operator as controller, P0.2); erasure
# blanks the link and keeps the organization's objection. The reason is the organization's
# position on a hosting provider: the form asks for no personal data in it.
declare(
    Objection,
    labels={"objected_by": _("who objected")},
    personal={
        "objected_by": Personal(Controller.OPERATOR,
                                _("know who objected to a sub-processor for the organizer"),
                                Basis.LEGITIMATE_INTEREST, _("as long as the contract"),
                                Erase.CLEAR),
    },
    not_personal=["id", "notice", "client", "reason", "objected_at", "withdrawn_at"],
)
