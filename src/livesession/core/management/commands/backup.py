"""Back up the main database and, separately, the keystore; then prune old copies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from livesession.protection import backup


class Command(BaseCommand):
    help = ("Back up the main database and the keystore, each to its own folder with a "
            "manifest, then delete the copies older than their retention (docs/backup.md).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dest", type=Path, default=None,
                            help="backup folder (default: BACKUP_DIR, var/backups)")
        parser.add_argument("--prune", action="store_true",
                            help="only delete the copies older than their retention")

    def handle(self, *args: Any, **options: Any) -> None:
        dest = (options["dest"] or backup.default_dir()).resolve()
        if settings.KEYSTORE_BACKUP_RETENTION_DAYS > settings.BACKUP_RETENTION_DAYS:
            self.stderr.write("warning: KEYSTORE_BACKUP_RETENTION_DAYS is longer than "
                              "BACKUP_RETENTION_DAYS; erased people's keys outlive the "
                              "main backups (docs/backup.md).")
        try:
            if not options["prune"]:
                for written in backup.take(dest):
                    self.stdout.write(f"{written.kind}: {written.path} "
                                      f"(sha256 {written.manifest['sha256']})")
            deleted = backup.prune(dest)
        except (backup.BackupError, OSError) as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        self.stdout.write(f"pruned main backups older than {backup.retention_days('main')} "
                          f"days: {deleted['main']}; pruned keystore backups older than "
                          f"{backup.retention_days('keystore')} days: {deleted['keystore']}")
