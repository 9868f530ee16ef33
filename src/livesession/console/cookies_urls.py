"""Console route of first-party audience measurement and consent figures (issue 7 §6)."""

from django.urls import URLPattern, path

from livesession.cookies import console_views

urlpatterns: list[URLPattern] = [
    path("audience/", console_views.audience_page, name="audience"),
]
