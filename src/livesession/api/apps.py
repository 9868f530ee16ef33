from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "livesession.api"
    label = "api"
