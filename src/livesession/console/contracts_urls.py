"""Console routes of the contract lifecycle (issue 6 §2)."""

from django.urls import URLPattern, path

from livesession.contracts import console_views as views

urlpatterns: list[URLPattern] = [
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/<int:client_id>/", views.contract, name="contract"),
    path("contracts/certificates/<uuid:certificate_id>/", views.certificate,
         name="contract-certificate"),
]
