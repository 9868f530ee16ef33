"""Background work of registrations: checking and running CSV imports (imports.py).

The ``Import`` row is the ledger, the queue only its doorbell: ``sweep_imports`` rings
again for an import whose doorbell was lost or whose worker died, and discards the files
nobody confirmed within a day.
"""

from __future__ import annotations

import logging

from django.utils import translation
from django.utils.translation import ngettext

from livesession.core import tasks
from livesession.registrations import imports
from livesession.registrations.models import Import
from livesession.registrations.models import ImportStatus as St

log = logging.getLogger(__name__)


@tasks.task()
def analyse_import(import_id: str) -> None:
    imports.analyse(import_id)


@tasks.task()
def run_import(import_id: str) -> None:
    try:
        imports.run(import_id)
    except Exception:
        # A line that breaks the code would break it again at every retry: stop, say so,
        # and destroy the file. What was imported stays, and the report says up to where.
        log.exception("import %s failed", import_id)
        imp = Import.objects.filter(pk=import_id, status=St.RUNNING).first()
        if imp is not None:
            with translation.override(imp.language):
                imports.fail(imp, ngettext(
                    "The import stopped on an unexpected error after %(n)d line. The report "
                    "lists what was done.",
                    "The import stopped on an unexpected error after %(n)d lines. The report "
                    "lists what was done.", imp.processed) % {"n": imp.processed})


@tasks.periodic(minutes="*/5")
def sweep_imports() -> int:
    to_check, to_run = imports.sweep()
    for import_id in to_check:
        analyse_import(import_id)
    for import_id in to_run:
        run_import(import_id)
    return len(to_check) + len(to_run)
