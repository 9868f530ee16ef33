"""Manager routes of the client's processor record and compliance evidence (issue 6 §3,
§7)."""

from django.urls import URLPattern, path

from livesession.registers import views

urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/register/", views.manager_record, name="register"),
    path("<slug:client_slug>/register/export/", views.manager_export,
         name="register-export"),
    path("<slug:client_slug>/compliance/", views.manager_compliance, name="compliance"),
    path("<slug:client_slug>/compliance/evidence.zip", views.manager_compliance_export,
         name="compliance-export"),
]
