from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "livesession.protection"
    label = "protection"
    verbose_name = "Personal-data protection"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Third-party models (sessions) are declared here; each app of ours declares its
        # own models in its ``personal_data`` module.
        from livesession.protection import declarations  # noqa: F401

        autodiscover_modules("personal_data")
