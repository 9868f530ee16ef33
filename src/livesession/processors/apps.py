from django.apps import AppConfig


class ProcessorsConfig(AppConfig):
    """The register of sub-processors: hosting only (P2.4, P6.11)."""

    name = "livesession.processors"
    label = "processors"
