"""Run one function inside Django, in a subprocess with a backend's environment.

    python -m bench.harness.task package.module:function '{"kwarg": 1}'

The bench process itself never sets up Django (it benchmarks two backends in one run, and
Django is configured once per process); scenarios seed and check data through
``ctx.django("bench.scenarios.s1_join:seed", n=1000)``, which runs this. The function's
return value (JSON-serialisable) is printed on the last line after ``RESULT_PREFIX``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

RESULT_PREFIX = "BENCH-RESULT "


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    sys.path[:0] = [str(root), str(root / "src")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livesession.config.settings")
    import django

    django.setup()
    target, raw = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "{}"
    module_name, _, name = target.partition(":")
    function = getattr(importlib.import_module(module_name), name)
    value = function(**json.loads(raw))
    sys.stdout.write("\n" + RESULT_PREFIX + json.dumps(value, default=str) + "\n")


if __name__ == "__main__":
    main()
