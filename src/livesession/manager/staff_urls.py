"""Manager routes of issue 6 §6: the client's view of operator staff accesses, and the
account's second factor with the client's requirement (included by manager/urls.py)."""

from django.urls import URLPattern, path

from livesession.staffaccess import manager_views as views

urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/staff-accesses/", views.staff_accesses, name="staff-accesses"),
    path("<slug:client_slug>/mfa/", views.mfa_page, name="mfa"),
    path("<slug:client_slug>/mfa/requirement/", views.mfa_requirement,
         name="mfa-requirement"),
]
