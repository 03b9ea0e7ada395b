"""docs/benchmarks.md is written by several benchmarks, each owning one "## " section."""

from __future__ import annotations

import re
from pathlib import Path


def write_section(path: Path, section: str) -> None:
    """Put ``section`` (text starting with its "## " heading) in the file: in place of the section
    with the same heading, or at the end. The other sections are kept as they are."""
    heading = section.split("\n", 1)[0].strip()
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    parts = re.split(r"(?m)^(?=## )", current)
    for i, part in enumerate(parts):
        if part.split("\n", 1)[0].strip() == heading:
            parts[i] = section.rstrip() + "\n\n"
            break
    else:
        parts.append(("\n" if current and not current.endswith("\n\n") else "") + section.rstrip() + "\n")
    path.write_text("".join(parts).rstrip() + "\n", encoding="utf-8")
