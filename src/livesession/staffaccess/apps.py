from django.apps import AppConfig


class StaffAccessConfig(AppConfig):
    name = "livesession.staffaccess"
    label = "staffaccess"
    verbose_name = "Staff access and MFA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from livesession.staffaccess import personal_data  # noqa: F401 - registers
