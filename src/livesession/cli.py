"""The ``livesession`` command: run, serve, worker, migrate, demo, createoperator, token, check,
backup, restore, audit.

Each sub-command is a Django management command of ours; this entry point only sets the
settings module so the command works from any directory.
"""

from __future__ import annotations

import os
import sys

COMMANDS = {
    "run": "run", "serve": "serve", "worker": "worker", "migrate": "migrate_all", "demo": "demo",
    "createoperator": "createoperator", "createclient": "createclient", "token": "token",
    "check": "healthcheck", "backup": "backup", "restore": "restore",
    "audit": "audit",
}

USAGE = """usage: livesession COMMAND [options]

commands:
  run              migrate, load the demo, serve with a worker; one Ctrl-C stops all
  serve            serve the web application with granian (production WSGI server)
  worker           run the background worker (outbox delivery, periodic jobs)
  migrate          create or update both databases (main and keystore)
  demo             load the demo data once and print its credentials
  createoperator   create an operator staff account
  createclient     create a client with its first owner
  token create     create an API token for a client
  check            check configuration, databases, keystore and worker
  backup           back up the main database and the keystore (separately), prune old ones
  restore          restore backups, then replay the erasure journal
  audit verify     check the audit trail's hash chain (names the first broken entry)

Run 'livesession COMMAND --help' for a command's options.
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return
    name = args.pop(0)
    if name not in COMMANDS and name != "manage":
        sys.stderr.write(f"livesession: unknown command '{name}'.\n\n{USAGE}")
        raise SystemExit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livesession.config.settings")
    from django.core.management import execute_from_command_line

    if name == "manage":  # escape hatch for engineers: livesession manage <django command>
        execute_from_command_line(["livesession", *args])
        return
    execute_from_command_line(["livesession", COMMANDS[name], *args])


if __name__ == "__main__":
    main()
