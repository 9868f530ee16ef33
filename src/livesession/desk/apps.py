from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "livesession.desk"
    label = "desk"
