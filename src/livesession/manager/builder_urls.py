"""URL patterns of this part of the Manager (included by manager/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
