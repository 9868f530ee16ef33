"""Console routes of retention (issue 6 §1): forecast, rules, purge runs, legal holds."""

from django.urls import URLPattern, path

from livesession.retention import views

urlpatterns: list[URLPattern] = [
    path("retention/", views.console_overview, name="retention"),
    path("retention/holds/new/", views.console_hold, name="retention-hold"),
    path("retention/holds/<int:hold_id>/lift/", views.console_lift, name="retention-lift"),
]
