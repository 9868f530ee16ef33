from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "livesession.portal"
    label = "portal"
