from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "livesession.console"
    label = "console"
