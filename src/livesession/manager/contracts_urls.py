"""Manager routes of the contract lifecycle and the return package (issue 6 §2)."""

from django.urls import URLPattern, path

from livesession.contracts import manager_views as views

urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/contract/", views.contract, name="contract"),
    path("<slug:client_slug>/contract/package/", views.request_package,
         name="contract-package"),
    path("<slug:client_slug>/contract/package/<uuid:package_id>/download/", views.download,
         name="contract-package-download"),
]
