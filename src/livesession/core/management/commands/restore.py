"""Restore the main database (and, if given, the keystore) from backups, migrate forward,
then replay the erasure journal before anything serves again (issue 5 §6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from livesession.core import runlock
from livesession.protection import backup


class Command(BaseCommand):
    help = ("Restore from backups made by 'livesession backup', then erase again everyone "
            "in the erasure journal. Stop the server and the worker first.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--main", type=Path, required=True,
                            help="a main database backup (backups/main/...)")
        parser.add_argument("--keystore", type=Path, default=None,
                            help="a keystore backup (backups/keystore/...), only if the "
                                 "keystore itself was lost")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            lock = runlock.hold_exclusive()
        except runlock.Busy as exc:
            raise CommandError("a server or worker is running on this instance "
                               "('livesession serve' / 'livesession worker'): stop it, then "
                               "restore.") from exc
        try:
            done = backup.restore(options["main"].resolve(),
                                  options["keystore"].resolve() if options["keystore"] else None)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(f"restore refused: {exc}") from exc
        finally:
            runlock.release(lock)
        self.stdout.write(f"restored: {', '.join(done.kinds)}; erasure journal replayed: "
                          f"{done.journal_entries} entries, {done.subjects_purged} subjects "
                          "erased again")
