from django.urls import path  # noqa: F401 - routes are added by the feature

app_name = "cookies"

urlpatterns: list = []
