from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "livesession.access"
    label = "access"
