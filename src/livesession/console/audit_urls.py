"""Console routes of the audit trail and the sub-processor register (issue 6 §4, §5)."""

from django.urls import URLPattern, path

from livesession.audit import views as audit_views
from livesession.processors import console_views as processors

urlpatterns: list[URLPattern] = [
    path("audit/", audit_views.trail, name="audit"),
    path("audit/verify/", audit_views.verify_now, name="audit-verify"),
    path("subprocessors/", processors.register, name="subprocessors"),
    path("subprocessors/new/", processors.create, name="subprocessor-new"),
    path("subprocessors/<int:subprocessor_id>/", processors.edit, name="subprocessor"),
    path("subprocessors/objections/", processors.objections, name="subprocessor-objections"),
]
