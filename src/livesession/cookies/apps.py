from django.apps import AppConfig


class CookiesConfig(AppConfig):
    name = "livesession.cookies"
    label = "cookies"
