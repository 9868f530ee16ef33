"""Console routes of the register of processing (issue 6 §3): the whole register, each
client's processor record, and their exports (?format=json, csv or html)."""

from django.urls import URLPattern, path

from livesession.registers import views

urlpatterns: list[URLPattern] = [
    path("registers/", views.console_register, name="registers"),
    path("registers/export/", views.console_export, name="registers-export"),
    path("registers/clients/<int:client_id>/", views.console_client, name="registers-client"),
    path("registers/clients/<int:client_id>/export/", views.console_client_export,
         name="registers-client-export"),
]
