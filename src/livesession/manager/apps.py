from django.apps import AppConfig


class ManagerConfig(AppConfig):
    name = "livesession.manager"
    label = "manager"
