from django.apps import AppConfig


class RegistersConfig(AppConfig):
    """Registers of processing and compliance evidence (issue 6 §3, §7; P3.2, P6.6)."""

    name = "livesession.registers"
    label = "registers"
    verbose_name = "Registers"
