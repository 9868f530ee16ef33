"""Benchmark scenarios: each module ``sN_<name>.py`` exposes ``run(ctx) -> list[Result]``
(see ``bench/harness/context.py`` for what ``ctx`` offers, ``bench/README.md``)."""
