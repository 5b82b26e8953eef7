"""Lines of an import prepared by another process: the same, in the same order, as here."""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor

from tracker.services.evidence import imports


def _lines() -> list[bytes]:
    """Forty articles (some with a bad date, some URLs twice) after a byte order mark, with
    now and then a blank line, a line that is not JSON, one not UTF-8 and one not an object."""
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
    return lines


def test_lines_prepared_elsewhere_come_back_in_order_as_prepared_here(monkeypatch):
    """Chunks of three lines, four ahead: some prepared by the worker, some by this process
    while it waits (the first ones, while the worker starts); numbers, refusals, blank lines
    and the byte order mark of the first line as when all is read here."""
    monkeypatch.setattr(imports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(imports, "CHUNK", 3)
    monkeypatch.setattr(imports, "AHEAD", 4)
    lines = _lines()

    there = list(imports.prepared_lines(lines, workers=1))

    assert there == imports.prepare_chunk(lines, 1)
    assert [n for n, _, _ in there] == sorted({n for n, _, _ in there})
    assert len(there) == len(lines) - 5  # the blank lines are not lines to import


def test_lines_are_prepared_here_when_the_worker_dies(monkeypatch):
    """A worker killed midway (here by its first task) breaks its pool: what it had not
    sent back is prepared by the writer, and the import goes on with the same lines."""

    class Dying(ProcessPoolExecutor):
        killed = False

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            if not self.killed:
                self.killed = True
                return super().submit(os._exit, 1)
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(imports, "PARALLEL_FROM", 0)
    monkeypatch.setattr(imports, "CHUNK", 3)
    monkeypatch.setattr(imports, "ProcessPoolExecutor", Dying)
    lines = _lines()

    assert list(imports.prepared_lines(lines, workers=1)) == imports.prepare_chunk(lines, 1)
