from django.apps import AppConfig


class ContractsConfig(AppConfig):
    """The contract lifecycle of a client: active, terminated (read-only space, return
    package), destroyed with a certificate (issue 6 §2; P4.4, P6.9, P6.10)."""

    name = "livesession.contracts"
    label = "contracts"
    verbose_name = "Contracts"

    def ready(self) -> None:
        # The Manager's tenancy lookup asks this app whether a write may go through
        # (core stays independent of contracts: it only keeps a list of guards).
        from livesession.contracts import guard
        from livesession.core import tenancy

        tenancy.register_write_guard(guard.refuse_manager_write)
