from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "livesession.registrations"
    label = "registrations"
