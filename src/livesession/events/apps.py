from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "livesession.events"
    label = "events"
