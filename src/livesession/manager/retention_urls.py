"""Manager routes of retention (issue 6 §1): the client's forecast, rules and periods."""

from django.urls import URLPattern, path

from livesession.retention import views

urlpatterns: list[URLPattern] = [
    path("<slug:client_slug>/retention/", views.manager_overview, name="retention"),
    path("<slug:client_slug>/retention/period/", views.manager_period,
         name="retention-period"),
]
