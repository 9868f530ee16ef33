"""Manager routes for the client's request desk and deadlines dashboard (issue 5 §8, §9)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
