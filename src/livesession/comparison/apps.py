from django.apps import AppConfig


class ComparisonConfig(AppConfig):
    name = "livesession.comparison"
    label = "comparison"
