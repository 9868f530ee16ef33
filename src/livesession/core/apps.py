from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "livesession.core"
    label = "core"
    verbose_name = "Core"
