"""This tree against an older commit under the same concurrent load, side by side in one run.

    python -m bench.versus [--database-url URL] [--commit 848f5c4] [--seconds 20]
                           [--connections 16] [--agreements 10000] [--rounds 3] [--warmup 5]
                           [--list-cache-size N]

PostgreSQL only: the URL given (or TRACKER_BENCH_DATABASE_URL) names the server and, by its
database name, the two databases used beside it, `<name>_old` and `<name>_new`; each is created
when missing and emptied first. The older commit is checked out into a temporary git worktree,
removed at the end. Each version builds the benchmark dataset (bench.dataset: the same seed, so
the same agreements, parties, topics and events) in its own database and makes a viewer with an
API token, each with its own code: a subprocess run from its own tree, so each schema, each
lifecycle cache and each token is that version's. Row counts and digests of both are printed
side by side: the synthetic agreements, parties and events should match; the seed's own agreements
(loaded first, so the synthetic ids start after them) may differ between versions.

Both versions are then served at once by gunicorn with 4 sync workers (bench.load), each from
its own tree, on two ports, and driven in turn by the same mixed API load (bench.load's mix:
the first page, a filtered page, an agreement's detail, with ids valid in both datasets) from
`connections` clients for `seconds` each: for `rounds` rounds, the old then the new, the new then
the old, and so on, so that whatever else the machine is doing falls on both alike, after an
uncounted warm-up of `warmup` seconds on each (every worker's connections and caches). Each turn
is bench.load's measurement: requests sent back to back on fresh connections, every answer but
200 and every failed connection an error. Prints each turn as it ends (with the machine's load
average), a Markdown table per version (each round, then all rounds together) and the verdict:
the new version's requests per second over the old one's against the target of 2x, with no
errors on either. This tree runs with its own defaults, its cache of list pages included
(tracker.api.page_cache: a list asked again is answered from the bytes built the first time,
which the mix's first page and filtered pages are); `--list-cache-size 0` runs it without.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bench.dataset import database_beside
from bench.load import APP_ENV, HEAD, ROOT, ROW, api_mix, free_port, gunicorn, load, serve

TARGET = 2.0
TABLES = ["party", "agreement", "agreement_party", "agreement_topic", "stage_event"]
# The builder's agreements, told from the seed's by their summary; their ids follow the seed's
# (which differ between versions), so the digests leave the ids out.
SYNTHETIC = "SELECT id FROM agreement WHERE summary LIKE 'Synthetic agreement %'"
DIGESTS = {
    "agreement": "SELECT md5(string_agg(concat_ws('|', kind, entry_into_force_days, created_at, "
    f"updated_at), ',' ORDER BY id)) FROM agreement WHERE id IN ({SYNTHETIC})",
    "agreement_party": "SELECT md5(string_agg(concat_ws('|', party_code, position), ',' "
    f"ORDER BY agreement_id, position)) FROM agreement_party WHERE agreement_id IN ({SYNTHETIC})",
    "stage_event": "SELECT md5(string_agg(concat_ws('|', stage, step, party_code, \"date\"), ',' "
    f"ORDER BY agreement_id, id)) FROM stage_event WHERE agreement_id IN ({SYNTHETIC})",
}
# Run by each version from its own tree: its own builder on its own (emptied) database, then a
# viewer and a token through its own services. The last line printed is the JSON result.
PREPARE = """
import json, sys
from bench.dataset import build, fresh_database
from bench.load import viewer_token
with fresh_database(sys.argv[1]) as (url, engine):
    made = build(engine, agreements=int(sys.argv[2]))
made["token"] = viewer_token(sys.argv[1])
print(json.dumps(made))
"""


@dataclass
class Version:
    name: str
    label: str
    tree: Path
    url: str
    port: int = field(default_factory=free_port)
    token: str = ""
    rounds: list[dict[str, float]] = field(default_factory=list)

    extra: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.tree), "TRACKER_DATABASE_URL": self.url} | self.extra


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


@contextmanager
def checkout(commit: str) -> Iterator[Path]:
    """A temporary worktree of `commit`, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="versus-"))
    tree = folder / "tree"
    _git("worktree", "add", "--detach", str(tree), commit)
    try:
        yield tree
    finally:
        _git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(folder, ignore_errors=True)


def prepare(version: Version, agreements: int) -> dict[str, int]:
    """Build the dataset and make the token with the version's own code; what was made."""
    done = subprocess.run(
        [sys.executable, "-c", PREPARE, version.url, str(agreements)],
        cwd=version.tree,
        env=os.environ | {"PYTHONPATH": str(version.tree)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(
            f"{version.label}: building the dataset failed (exit {done.returncode}):\n"
            f"{done.stderr.strip()[-3000:]}"
        )
    made = json.loads(done.stdout.strip().splitlines()[-1])
    version.token = made.pop("token")
    return made


def describe(url: str) -> dict[str, int | str]:
    """Row counts, digests and the highest agreement id of a version's database."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found: dict[str, int | str] = {
                f"{table} rows": connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in TABLES
            }
            found["synthetic agreements"] = connection.scalar(
                text(f"SELECT count(*) FROM ({SYNTHETIC}) AS synthetic")
            )
            found |= {
                f"{table} digest, synthetic": connection.scalar(text(sql))[:12]
                for table, sql in DIGESTS.items()
            }
            found["highest agreement id"] = connection.scalar(text("SELECT max(id) FROM agreement"))
    finally:
        engine.dispose()
    return found


def total(rounds: list[dict[str, float]]) -> dict[str, float]:
    """All rounds together: requests over the time they took, the worst latency, the errors."""
    requests = sum(r["requests"] for r in rounds)
    elapsed = sum(r["requests"] / r["rps"] for r in rounds)
    return {
        "requests": requests,
        "rps": requests / elapsed,
        "max": max(r["max"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
    }


def table(version: Version, first: list[bool]) -> list[str]:
    """Markdown: each round of a version, then all rounds (percentiles are per round only)."""
    lines = list(HEAD)
    for number, (figures, led) in enumerate(zip(version.rounds, first, strict=True), 1):
        order = "first" if led else "second"
        lines.append(ROW.format(label=f"{version.label}, round {number} ({order})", **figures))
    whole = total(version.rounds)
    lines.append(
        f"| {version.label}, all {len(version.rounds)} rounds | {whole['requests']:,} "
        f"| {whole['rps']:.0f} | – | – | – | {whole['max']:.0f} | {whole['errors']} |"
    )
    return lines


def verdict(old: Version, new: Version) -> list[str]:
    ratio = total(new.rounds)["rps"] / total(old.rounds)["rps"]
    each = ", ".join(
        f"{n['rps'] / o['rps']:.2f}×" for o, n in zip(old.rounds, new.rounds, strict=True)
    )
    errors = total(old.rounds)["errors"] + total(new.rounds)["errors"]
    fast = ratio >= TARGET
    return [
        f"- Throughput: {total(new.rounds)['rps']:.0f} ÷ {total(old.rounds)['rps']:.0f} req/s "
        f"= **{ratio:.2f}×** (per round: {each}); target ≥ {TARGET:.0f}×: "
        f"{'met' if fast else 'NOT met'}",
        f"- Errors: {total(old.rounds)['errors']} on {old.label}, "
        f"{total(new.rounds)['errors']} on {new.label}; target 0: "
        f"{'met' if not errors else 'NOT met'}",
        f"- Verdict: {'met' if fast and not errors else 'NOT met'}",
    ]


def compare(
    database_url: str,
    *,
    commit: str = "848f5c4",
    seconds: float = 20,
    connections: int = 16,
    agreements: int = 10_000,
    rounds: int = 3,
    warmup: float = 5,
    list_cache_size: int | None = None,
) -> list[str]:
    """Run the comparison (see the module's text) on the PostgreSQL server of `database_url`;
    Markdown: the two datasets side by side, each version's rounds, and the verdict. Each
    turn's figure is printed as it ends."""
    commit = _git("rev-parse", "--short", f"{commit}^{{commit}}")
    head = _git("rev-parse", "--short", "HEAD") + ("+" if _git("status", "--porcelain") else "")
    lines: list[str] = []
    with checkout(commit) as tree:
        old = Version("old", commit, tree, database_beside(database_url, "old"))
        new = Version("new", head, ROOT, database_beside(database_url, "new"))
        if list_cache_size is not None:  # the older commit has no such setting
            new.extra["TRACKER_LIST_CACHE_SIZE"] = str(list_cache_size)
            new.label += f" (list cache {list_cache_size})"
        for version in (old, new):
            made = prepare(version, agreements)
            print(f"{version.label} ({version.name}): {made}", flush=True)
        found = {version.name: describe(version.url) for version in (old, new)}
        lines += [f"| dataset | {old.label} | {new.label} |", "|---|---|---|"]
        for key in found["old"]:
            same = "" if found["old"][key] == found["new"][key] else " (differs)"
            lines.append(f"| {key}{same} | {found['old'][key]} | {found['new'][key]} |")
        top = min(int(found[name]["highest agreement id"]) for name in ("old", "new"))
        mix = api_mix(top)
        firsts: dict[str, list[bool]] = {"old": [], "new": []}
        with ExitStack() as stack:
            for version in (old, new):
                stack.enter_context(
                    serve(
                        gunicorn(version.url, version.port, 4),
                        version.port,
                        APP_ENV | version.env(),
                        cwd=version.tree,
                    )
                )
            print(
                f"{rounds} rounds of {seconds:.0f} s per version, "
                f"{connections} connections, gunicorn with 4 workers each",
                flush=True,
            )
            for version in (old, new):
                load(
                    version.port, mix, connections=connections, seconds=warmup, token=version.token
                )
            for number in range(rounds):
                order = (old, new) if number % 2 == 0 else (new, old)
                for place, version in enumerate(order):
                    figures = load(
                        version.port,
                        mix,
                        connections=connections,
                        seconds=seconds,
                        token=version.token,
                    )
                    version.rounds.append(figures)
                    firsts[version.name].append(place == 0)
                    print(
                        f"round {number + 1}, {version.label}: {figures['rps']:.0f} req/s, "
                        f"{figures['errors']} errors; load average {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
    for version in (old, new):
        lines += ["", f"#### {version.name}: {version.label}", ""]
        lines += table(version, firsts[version.name])
    return lines + ["", *verdict(old, new)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TRACKER_BENCH_DATABASE_URL"),
        help="PostgreSQL URL; <name>_old and <name>_new beside it are used (emptied first)",
    )
    parser.add_argument("--commit", default="848f5c4", help="the older version (default 848f5c4)")
    parser.add_argument("--seconds", type=float, default=20, help="per version and round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=5, help="uncounted seconds per version")
    parser.add_argument(
        "--list-cache-size",
        type=int,
        help="TRACKER_LIST_CACHE_SIZE for this tree (default: its own default; 0: no cache)",
    )
    args = parser.parse_args()
    if not args.database_url or make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("a PostgreSQL --database-url (or TRACKER_BENCH_DATABASE_URL) is needed")
    lines = compare(
        args.database_url,
        commit=args.commit,
        seconds=args.seconds,
        connections=args.connections,
        agreements=args.agreements,
        rounds=args.rounds,
        warmup=args.warmup,
        list_cache_size=args.list_cache_size,
    )
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
