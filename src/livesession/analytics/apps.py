from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "livesession.analytics"
    label = "analytics"
