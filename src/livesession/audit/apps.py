from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "livesession.audit"
    label = "audit"
