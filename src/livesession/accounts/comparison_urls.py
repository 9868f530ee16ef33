"""Personal-space route of the anonymized comparison with participants of the same category
(issue 7 §8, P2.2); mounted under /me/."""

from django.urls import URLPattern, path

from livesession.comparison import views

urlpatterns: list[URLPattern] = [
    path("comparison/", views.personal, name="comparison"),
]
