from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "livesession.accounts"
    label = "accounts"
