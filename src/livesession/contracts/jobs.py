"""Background jobs of the contract lifecycle (issue 6 §2)."""

from livesession.core import tasks


@tasks.task()
def build_return_package(package_id: str) -> None:
    from livesession.contracts.package import build

    build(package_id)


@tasks.periodic(minutes="41", hours="3")
def daily_destruction() -> None:
    """03:41 UTC, after the retention purge: clients whose return period is over."""
    from livesession.contracts.destruction import destroy_due

    destroy_due()


@tasks.periodic(minutes="23")
def hourly_package_expiry() -> None:
    from livesession.contracts.services import expire_packages

    expire_packages()
