"""URL patterns of this part of the Manager (included by manager/urls.py): an event's
registrants, their actions, import and export (issue 3 point 11)."""

from django.urls import URLPattern, path

from livesession.manager import registrants as views

_BASE = "<slug:client_slug>/events/<uuid:event_id>/registrants/"
_ONE = _BASE + "<uuid:registration_id>/"
_IMPORT = _BASE + "import/<uuid:import_id>/"

urlpatterns: list[URLPattern] = [
    path(_BASE, views.registrant_list, name="registrants"),
    path(_BASE + "new/", views.registrant_add, name="registrant-add"),
    path(_BASE + "export.csv", views.export_csv, name="registrants-export-csv"),
    path(_BASE + "export.xlsx", views.export_xlsx, name="registrants-export-xlsx"),
    path(_BASE + "import/", views.import_upload, name="registrants-import"),
    path(_IMPORT, views.import_detail, name="registrants-import-detail"),
    path(_IMPORT + "confirm/", views.import_confirm, name="registrants-import-confirm"),
    path(_IMPORT + "discard/", views.import_discard, name="registrants-import-discard"),
    path(_IMPORT + "status.json", views.import_status, name="registrants-import-status"),
    path(_IMPORT + "report.csv", views.import_report, name="registrants-import-report"),
    path(_ONE, views.registrant_detail, name="registrant"),
    path(_ONE + "edit/", views.registrant_edit, name="registrant-edit"),
    path(_ONE + "cancel/", views.registrant_cancel, name="registrant-cancel"),
    path(_ONE + "approve/", views.registrant_approve, name="registrant-approve"),
    path(_ONE + "deny/", views.registrant_deny, name="registrant-deny"),
]
