from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "livesession.messaging"
    label = "messaging"
