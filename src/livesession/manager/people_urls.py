"""Manager routes for a client's participants as persons (issue 5 §9): find, export, rectify,
restrict, erase."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
