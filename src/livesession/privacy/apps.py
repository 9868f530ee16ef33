from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "livesession.privacy"
    label = "privacy"
