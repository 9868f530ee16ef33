"""Manager routes for issue 4 (access); added to manager/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
