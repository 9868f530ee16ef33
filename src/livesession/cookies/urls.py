from django.urls import URLPattern, path

from livesession.cookies import views

app_name = "cookies"

urlpatterns: list[URLPattern] = [
    path("cookies/", views.settings_page, name="settings"),
    path("cookies/consent/", views.consent_view, name="consent"),
]
