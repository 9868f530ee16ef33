"""Console routes of the comparison (issue 7 §8): pooling switch and cohort overview."""

from django.urls import URLPattern, path

from livesession.comparison import console_views as views

urlpatterns: list[URLPattern] = [
    path("comparison/", views.overview, name="comparison"),
    path("comparison/pooling/", views.pooling, name="comparison-pooling"),
]
