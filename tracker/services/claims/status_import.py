"""The UN Treaty Collection's status table, as a researcher copies it, read into claims.

The table is a header line, then one line per participant: Participant | Signature |
Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d) (more columns are
ignored). Tab-separated (copied from the page) or CSV. Its parts:

- **Participant**: the UN's name, footnote numbers glued on or not ("Germany4", "Denmark5,6").
  "Iran (Islamic Republic of)" is read as "Islamic Republic of Iran" and as "Iran, Islamic
  Republic of"; any name, alias or code the app knows is read as well.
- **Dates**: "20 Sep 2023", "20-Sep-2023" or "20 September 2023". A two-digit year
  ("20-Sep-23") is refused: 1923 and 2023 are both possible in the UN's tables.
- **Marker** after the instrument's date, spaced or not ("3 Apr 2019 a"): a accession,
  A acceptance, AA approval, c formal confirmation, d succession, s definitive signature;
  none: ratification. Letters are case-sensitive (a is not A).

Each readable row is recorded as claims: the party's signing and its instrument (the
notification step with its consent_type), each quoting its row of the stored table.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import Agreement, EvidenceArticle, StageEvent, User
from tracker.models.vocab import CONSENT_MARKERS, ConsentType, Stage, Step
from tracker.services import transactional
from tracker.services.agreements import commands
from tracker.services.agreements.queries import get_agreement
from tracker.services.claims.events import record_event
from tracker.services.claims.parties import party_index
from tracker.services.errors import InvalidInput, NotFound
from tracker.services.evidence.articles import add_article
from tracker.services.infra.fetching import clean_text
from tracker.text.normalise import normalise

OUTLET = "UN Treaty Collection"
MARKERS: dict[str, str] = {marker: str(kind) for kind, marker in CONSENT_MARKERS.items()}

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_DATE = re.compile(
    r"^(?P<day>\d{1,2})[\s-]+(?P<month>[A-Za-z]+)\.?[\s-]+(?P<year>\d+)\s*(?P<marker>[A-Za-z]*)$"
)
_FOOTNOTES = re.compile(r"\s*\d+(?:\s*,\s*\d+)*\s*$")
# The UN's names that no name or alias of the party reads as (pycountry's differ).
UN_NAMES = {
    "holy see": "VAT",
    "democratic republic of the congo": "COD",
    "micronesia (federated states of)": "FSM",
}
_BRACKETED = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<rest>[^()]+)\)$")


class RowError(ValueError):
    """Why one row could not be read."""


@dataclass(frozen=True)
class StatusRow:
    """One readable row: the party, its signature and its instrument (dates ISO)."""

    line: int
    text: str
    party: str
    signed: str | None
    consented: str | None
    consent_type: str | None


@dataclass(frozen=True)
class Unread:
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class StatusImport:
    """What an import did: claims recorded, parties they were for, parties added to the
    agreement, the article that is their evidence, and each row not read with its reason."""

    article_id: int | None = None
    claims: int = 0
    participants: int = 0
    parties_added: list[str] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"Recorded {self.claims} claim{'s' if self.claims != 1 else ''} for "
            f"{self.participants} participant{'s' if self.participants != 1 else ''}"
        )
        if self.unread:
            rows = "row" if len(self.unread) == 1 else "rows"
            text += f"; {len(self.unread)} {rows} not read: " + "; ".join(
                str(u) for u in self.unread
            )
        return text + "."


def parse_date(text: str, *, markers: bool) -> tuple[str, str | None]:
    """An ISO date and the kind of instrument its marker names (None when markers=False)."""
    match = _DATE.match(text.strip())
    if match is None:
        raise RowError(f"‘{text.strip()}’ is not a date like 20 Sep 2023")
    month = _MONTHS.get(match["month"].casefold())
    if month is None:
        raise RowError(f"‘{text.strip()}’: ‘{match['month']}’ is not a month")
    if len(match["year"]) != 4:
        raise RowError(
            f"‘{text.strip()}’: give the year in full (a two-digit year could be 19.. or 20..)"
        )
    try:
        day = date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        raise RowError(f"‘{text.strip()}’ is not a day of the calendar") from None
    marker = match["marker"]
    if marker and (not markers or marker not in MARKERS):
        raise RowError(
            f"‘{marker}’ after the date is not a marker the UN uses (a, A, AA, c, d, s)"
            if markers
            else f"‘{marker}’ after a signature's date is not read (a date alone)"
        )
    consent = MARKERS[marker] if markers else None
    return day.isoformat(), consent


def party_names(name: str) -> list[str]:
    """The ways of reading a UN participant's name, most literal first, footnotes off."""
    name = _FOOTNOTES.sub("", name.strip()).strip()
    forms = [name]
    if match := _BRACKETED.match(name):
        base, rest = match["name"].strip(), match["rest"].strip()
        forms += [f"{rest} {base}", f"{base}, {rest}", base]
    return forms


def _rows(text: str) -> list[tuple[int, str, list[str]]]:
    """(line number, line, cells) of each non-blank line, the header included."""
    lines = text.splitlines()
    tabbed = any("\t" in line for line in lines)
    out = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells = line.split("\t") if tabbed else next(csv.reader([line]), [])
        out.append((number, line, [c.strip() for c in cells]))
    return out


def parse_table(session: Session, text: str) -> tuple[list[StatusRow], list[Unread]]:
    """The readable rows and the unread ones (line number and why) of a pasted table."""
    rows = _rows(text)
    if not rows:
        return [], []
    index = party_index(session)
    readable: list[StatusRow] = []
    unread: list[Unread] = []
    for position, (number, line, cells) in enumerate(rows):
        try:
            name = cells[0] if cells else ""
            if not name:
                raise RowError("no participant")
            code = UN_NAMES.get(party_names(name)[0].casefold())
            code = code if code in index.codes else None
            for form in party_names(name):
                if code is not None:
                    break
                found = index.lookup(form)
                if len(found) == 1:
                    code = found.pop()
            if code is None:
                raise RowError(f"‘{name}’ is not a participant we know")
            signature = cells[1] if len(cells) > 1 else ""
            instrument = cells[2] if len(cells) > 2 else ""
            signed = parse_date(signature, markers=False)[0] if signature else None
            consented, consent_type = (
                parse_date(instrument, markers=True) if instrument else (None, None)
            )
            if signed is None and consented is None:
                raise RowError("neither a signature nor an instrument date")
        except RowError as exc:
            if position > 0:  # the first line is the header, unless it reads as a row
                unread.append(Unread(number, line, str(exc)))
            continue
        readable.append(StatusRow(number, line, code, signed, consented, consent_type))
    return readable, unread


def _article(
    session: Session, agreement: Agreement, text: str, actor: User | None
) -> EvidenceArticle:
    """The stored table with this text (the same table imported before), or a new one."""
    content_hash = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
    existing = session.scalar(
        select(EvidenceArticle)
        .where(
            EvidenceArticle.content_hash == content_hash,
            EvidenceArticle.outlet == OUTLET,
            EvidenceArticle.deleted_at.is_(None),
        )
        .order_by(EvidenceArticle.id)
        .limit(1)
    )
    if existing is not None:
        return existing
    ref = agreement.ref or agreement.title
    return add_article(
        session,
        {"outlet": OUTLET, "title": f"Status of {ref}"[:1000], "text": text, "language": "en"},
        actor=actor,
    )


def _claims(row: StatusRow) -> list[dict[str, str | None]]:
    claims: list[dict[str, str | None]] = []
    if row.signed:
        claims.append({"stage": Stage.SIGNING.value, "step": None, "date": row.signed})
    if row.consented:
        claims.append(
            {
                "stage": Stage.RATIFICATION.value,
                "step": Step.NOTIFICATION.value,
                "date": row.consented,
                "consent_type": row.consent_type or ConsentType.RATIFICATION.value,
            }
        )
    return claims


@transactional
def import_status(
    session: Session, agreement_id: int, text: str, *, actor: User | None = None
) -> StatusImport:
    """Record the claims of each readable row; report each row not read with its reason.

    One transaction. Idempotent: the same table is the same article, and a claim with the
    same stage, step, party and date as one the agreement has is not recorded again.
    Raise InvalidInput (422) on `text`, writing nothing, when no row is readable.
    """
    agreement = get_agreement(session, agreement_id)
    # as the article will hold it: control characters off, every line break a newline
    # (lines numbered as pasted, blank ones before the header counted)
    text = clean_text(text or "")
    rows, unread = parse_table(session, text)
    text = text.strip()
    result = StatusImport(unread=unread)
    if not rows:
        reason = "; ".join(str(u) for u in unread) if unread else "no rows under the header"
        raise InvalidInput({"text": [f"no row could be read ({reason})"]})
    new_parties = list(dict.fromkeys(r.party for r in rows if r.party not in agreement.party_codes))
    if new_parties:
        commands.update_agreement(
            session, agreement.id, {"parties": [*agreement.party_codes, *new_parties]}, actor=actor
        )
        result.parties_added = new_parties
    article = _article(session, agreement, text, actor)
    result.article_id = article.id
    have = {
        (e.stage, e.step, e.party_code, e.date)
        for e in session.scalars(
            select(StageEvent).where(
                StageEvent.agreement_id == agreement.id, StageEvent.deleted_at.is_(None)
            )
        )
    }
    touched: set[str] = set()
    for row in rows:
        for claim in _claims(row):
            key = (claim["stage"], claim["step"], row.party, claim["date"])
            if key in have:
                continue
            record_event(
                session,
                agreement.id,
                {
                    **{k: v for k, v in claim.items() if v is not None},
                    "party": row.party,
                    "evidence": [{"article_id": article.id, "quote": row.text.strip()}],
                },
                actor=actor,
            )
            have.add(key)
            result.claims += 1
            touched.add(row.party)
    result.participants = len(touched)
    return result


def find_agreement(session: Session, ref: str) -> Agreement:
    """The agreement by its ref, or by its id given as a number; NotFound."""
    agreement = session.scalar(
        select(Agreement).where(Agreement.ref == ref, Agreement.deleted_at.is_(None))
    )
    if agreement is None and ref.isdigit():
        return get_agreement(session, int(ref))
    if agreement is None:
        raise NotFound(f"no agreement has the ref {ref}")
    return agreement
