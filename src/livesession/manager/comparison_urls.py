from django.urls import path  # noqa: F401 - routes are added by the feature

urlpatterns: list = []
