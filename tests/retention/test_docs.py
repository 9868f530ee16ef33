"""docs/retention.md's table, and the README's, are the seeded rules (D-01: one source of
truth)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from livesession.retention.categories import markdown_table

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "retention.md"


@pytest.mark.no_db
@pytest.mark.parametrize("doc", [DOC, ROOT / "README.md"], ids=["docs", "readme"])
def test_d_01_the_doc_table_is_generated_from_the_rules(doc: Path) -> None:
    text = doc.read_text()
    found = re.search(r"<!-- retention-table:start -->\n(.*?)\n<!-- retention-table:end -->",
                      text, re.S)
    assert found is not None
    assert found.group(1) == markdown_table()
