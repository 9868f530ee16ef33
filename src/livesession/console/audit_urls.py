"""Console routes of the audit trail and the sub-processor register (issue 6 §4, §5)."""

from django.urls import URLPattern, path

from livesession.audit import views as audit_views

urlpatterns: list[URLPattern] = [
    path("audit/", audit_views.trail, name="audit"),
    path("audit/verify/", audit_views.verify_now, name="audit-verify"),
]
