"""Load the seed data (vocabularies, parties, aliases, organisations' members and the example
cases) from `seed/`.

Idempotent: a second run changes nothing. Reference data (parties, aliases, principles) is
brought in line with the files; a case is loaded once, identified by its `ref`, and never
touched again, so a researcher's later edits to it are kept.

A case's `relations` name the agreement at their other end by its case's `ref`: `target`
(this case's agreement is the subject: "this supersedes that") or `subject` ("that
supersedes this"). They are recorded once every case is loaded, and like the rest of a case
only when its case is created, so a relation removed by a researcher is not brought back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Agreement, Party, PartyAlias, PartyMembership, Principle
from tracker.models.vocab import PartyKind
from tracker.services import transactional
from tracker.services.agreements.commands import create_agreement
from tracker.services.claims.events import record_event
from tracker.services.claims.parties import all_states
from tracker.services.claims.principles import state_principle
from tracker.services.claims.relations import record_relation
from tracker.services.evidence.articles import add_article
from tracker.text.normalise import normalise

DEFAULT_SEED_DIR = Path(__file__).resolve().parents[3] / "seed"


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, what: str) -> None:
        target = self.created if bucket == "created" else self.updated
        target[what] = target.get(what, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "Seed data already loaded: nothing changed."
        parts = [f"created {n} {what}" for what, n in sorted(self.created.items())]
        parts += [f"updated {n} {what}" for what, n in sorted(self.updated.items())]
        return "Seed loaded: " + ", ".join(parts) + "."


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _upsert_party(session: Session, report: SeedReport, code: str, kind: str, names: dict) -> None:
    party = session.get(Party, code)
    if party is None:
        session.add(Party(code=code, kind=kind, names=names))
        report.count("created", "parties")
    elif party.kind != kind or party.names != names:
        party.kind, party.names = kind, names
        report.count("updated", "parties")


def _load_parties(session: Session, seed_dir: Path, report: SeedReport) -> None:
    for code, names in all_states():
        _upsert_party(session, report, code, PartyKind.STATE.value, names)
    for org in _read(seed_dir / "organisations.json")["organisations"]:
        _upsert_party(session, report, org["code"], PartyKind.ORGANISATION.value, org["names"])
    session.flush()

    existing = {(a.language, a.normalised): a for a in session.scalars(select(PartyAlias))}
    in_file: dict[tuple[str, str], str] = {}
    for code, by_language in _read(seed_dir / "aliases.json")["aliases"].items():
        for language, aliases in by_language.items():
            for alias in aliases:
                key = (language, normalise(alias))
                if key in in_file:
                    raise ValueError(
                        f"aliases.json: {alias!r} ({code}) and {in_file[key]!r} are the same "
                        "alias once normalised; keep one"
                    )
                in_file[key] = f"{alias} ({code})"
                row = existing.get(key)
                if row is None:
                    row = PartyAlias(
                        party_code=code, language=language, alias=alias, normalised=key[1]
                    )
                    session.add(row)
                    existing[key] = row
                    report.count("created", "aliases")
                elif (row.party_code, row.alias) != (code, alias):
                    row.party_code, row.alias = code, alias
                    report.count("updated", "aliases")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _load_memberships(session: Session, seed_dir: Path, report: SeedReport) -> None:
    """Each organisation's members as the file lists them (`since`, `until`: ISO days or
    absent). An organisation listed with `members` is brought in line with the file: a
    membership no longer listed is removed, a changed `until` updated."""
    for org in _read(seed_dir / "organisations.json")["organisations"]:
        if "members" not in org:
            continue
        rows = session.scalars(
            select(PartyMembership).where(PartyMembership.organisation_code == org["code"])
        )
        existing = {(m.member_code, m.since): m for m in rows}
        for item in org["members"]:
            key = (item["code"], _day(item.get("since")))
            until = _day(item.get("until"))
            row = existing.pop(key, None)
            if row is None:
                session.add(
                    PartyMembership(
                        organisation_code=org["code"],
                        member_code=key[0],
                        since=key[1],
                        until=until,
                    )
                )
                report.count("created", "memberships")
            elif row.until != until:
                row.until = until
                report.count("updated", "memberships")
        for row in existing.values():
            session.delete(row)
            report.count("updated", "memberships")
    session.flush()


def _load_principles(session: Session, seed_dir: Path, report: SeedReport) -> None:
    for item in _read(seed_dir / "principles.json")["principles"]:
        principle = session.get(Principle, item["code"])
        if principle is None:
            session.add(Principle(**item))
            report.count("created", "principles")
        elif (principle.labels, principle.description) != (item["labels"], item["description"]):
            principle.labels, principle.description = item["labels"], item["description"]
            report.count("updated", "principles")
    session.flush()


def _load_case(
    session: Session, seed_dir: Path, path: Path, report: SeedReport
) -> list[tuple[int, dict]]:
    """Load the case unless it is there; its relations, with their quotes' article ids, to be
    recorded once every case is loaded."""
    case = _read(path)
    if session.scalar(select(Agreement.id).where(Agreement.ref == case["ref"])) is not None:
        return []
    agreement = create_agreement(session, case["agreement"], ref=case["ref"])
    report.count("created", "agreements")

    articles: dict[str, int] = {}
    for item in case.get("articles", []):
        data = {k: v for k, v in item.items() if k not in {"key", "text_file", "cites"}}
        if "text_file" in item:
            data["text"] = (seed_dir / item["text_file"]).read_text(encoding="utf-8")
        if "cites" in item:
            data["cites"] = articles[item["cites"]]
        articles[item["key"]] = add_article(session, data).id
        report.count("created", "articles")

    def evidence(items: list[dict]) -> list[dict]:
        return [{"article_id": articles[i["article"]], "quote": i["quote"]} for i in items]

    for item in case.get("events", []):
        record_event(session, agreement.id, item | {"evidence": evidence(item.get("evidence", []))})
        report.count("created", "events")
    for item in case.get("statements", []):
        data = {k: v for k, v in item.items() if k != "article"}
        if "article" in item:
            data["article_id"] = articles[item["article"]]
        state_principle(session, agreement.id, data)
        report.count("created", "principle statements")
    return [
        (agreement.id, item | {"evidence": evidence(item.get("evidence", []))})
        for item in case.get("relations", [])
    ]


def _load_relations(session: Session, pending: list[tuple[int, dict]], report: SeedReport) -> None:
    for agreement_id, item in pending:
        other_ref = item.get("target") or item.get("subject")
        other = session.scalar(select(Agreement.id).where(Agreement.ref == other_ref))
        if other is None:
            continue  # its case is not in this seed
        subject, target = (agreement_id, other) if "target" in item else (other, agreement_id)
        data = {k: v for k, v in item.items() if k not in {"target", "subject"}}
        record_relation(session, subject, data | {"target_id": target})
        report.count("created", "relations")


@transactional
def load_seed(session: Session, seed_dir: Path = DEFAULT_SEED_DIR) -> SeedReport:
    """Load everything under `seed_dir` in one transaction; report what changed."""
    report = SeedReport()
    _load_parties(session, seed_dir, report)
    _load_memberships(session, seed_dir, report)
    _load_principles(session, seed_dir, report)
    pending: list[tuple[int, dict]] = []
    for path in sorted((seed_dir / "cases").glob("*.json")):
        pending += _load_case(session, seed_dir, path, report)
    _load_relations(session, pending, report)
    return report
