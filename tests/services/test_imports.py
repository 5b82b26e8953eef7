"""Lines of an import prepared by another process: the same, in the same order, as here."""

from __future__ import annotations

import json

from tracker.services.evidence import imports


def test_lines_prepared_elsewhere_come_back_in_order_as_prepared_here(monkeypatch):
    """Chunks of three lines, four ahead: some prepared by the worker, some by this process
    while it waits (the first ones, while the worker starts); numbers, refusals, blank lines
    and the byte order mark of the first line as when all is read here."""
    monkeypatch.setattr(imports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(imports, "CHUNK", 3)
    monkeypatch.setattr(imports, "AHEAD", 4)
    lines = ['\ufeff{"text": "The first line, after a byte order mark."}'.encode()]
    for n in range(40):
        lines.append(
            json.dumps(
                {
                    "text": f"Report {n} on the ratification of the treaty by parliament.",
                    "url": f"https://p.example/{n % 30}",
                    "published": "2025-04-21" if n % 7 else "2025-13-45",
                }
            ).encode()
        )
        if n % 9 == 0:
            lines += [b"", b"not JSON", b'{"text": "not UTF-8: \xff"}', b'["a list"]']

    there = list(imports.prepared_lines(lines, workers=1))

    assert there == imports.prepare_chunk(lines, 1)
    assert [n for n, _, _ in there] == sorted({n for n, _, _ in there})
    assert len(there) == len(lines) - 5  # the blank lines are not lines to import
