"""Every setting the code reads from the environment is documented in .env.example."""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATTERN = re.compile(r"""env(?:\.(?:str|bool|int|float|list|db_url|json))?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


@pytest.mark.smoke
def test_every_environment_variable_is_documented():
    documented = {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line
    }
    read = set()
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [
            d for d in dirs if not d.startswith(".") and d not in {"tests", "var", "node_modules", "staticfiles"}
        ]
        for name in files:
            if name.endswith(".py"):
                read |= set(PATTERN.findall((Path(folder) / name).read_text()))
    assert read, "found no env reads; the pattern is broken"
    assert sorted(read - documented) == []
