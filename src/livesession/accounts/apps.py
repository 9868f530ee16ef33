from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "livesession.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Every sign-in joins the account's session list (P1.5).
        from livesession.accounts import signals  # noqa: F401
