"""The closed vocabularies of SPEC §2, shared by models, services and schemas."""

from __future__ import annotations

from enum import StrEnum

# A language code such as fa, ru, ar, en or fa-IR, as every input takes it (the schemas and
# the services check it with this one pattern), and the longest a column holds.
LANGUAGE_CODE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
MAX_LANGUAGE_CODE = 35


class Stage(StrEnum):
    PREPARATION = "preparation"
    ANNOUNCEMENT = "announcement"
    # The text adopted (by a conference, an assembly) before it opens for signature.
    ADOPTION = "adoption"
    SIGNING = "signing"
    RATIFICATION = "ratification"
    ENTRY_INTO_FORCE = "entry_into_force"
    SUSPENSION = "suspension"
    WITHDRAWAL = "withdrawal"
    TERMINATION = "termination"
    # The end of a suspension: of one party's (with a party) or of the agreement's.
    RESUMPTION = "resumption"


# The lifecycle proper, in order; the exits (and the resumption after a suspension) stand
# outside it.
LIFECYCLE = (
    Stage.PREPARATION,
    Stage.ANNOUNCEMENT,
    Stage.ADOPTION,
    Stage.SIGNING,
    Stage.RATIFICATION,
    Stage.ENTRY_INTO_FORCE,
)
EXITS = (Stage.SUSPENSION, Stage.WITHDRAWAL, Stage.TERMINATION)
# Stages a party may have on its own (SPEC §2b): with a party they are that party's.
PARTY_EXITS = (Stage.SUSPENSION, Stage.WITHDRAWAL, Stage.RESUMPTION)


class Step(StrEnum):
    """Steps of one party's domestic ratification chain, in their usual order."""

    SUBMITTED = "submitted"
    COMMITTEE = "committee"
    LOWER_HOUSE = "lower_house"
    UPPER_HOUSE = "upper_house"
    CONSTITUTIONAL_REVIEW = "constitutional_review"
    HEAD_OF_STATE = "head_of_state"
    PROMULGATION = "promulgation"
    NOTIFICATION = "notification"
    # Consent taken back before the party is bound: the latest consent claim decides.
    REVOCATION = "revocation"


STEP_ORDER = tuple(Step)


class ConsentType(StrEnum):
    """How a party's instrument expresses its consent (the notification step only)."""

    RATIFICATION = "ratification"
    ACCESSION = "accession"
    ACCEPTANCE = "acceptance"
    APPROVAL = "approval"
    FORMAL_CONFIRMATION = "formal_confirmation"
    SUCCESSION = "succession"
    DEFINITIVE_SIGNATURE = "definitive_signature"


# The marker the UN's status pages print after the date of each kind of instrument.
CONSENT_MARKERS = {
    ConsentType.RATIFICATION: "",
    ConsentType.ACCESSION: "a",
    ConsentType.ACCEPTANCE: "A",
    ConsentType.APPROVAL: "AA",
    ConsentType.FORMAL_CONFIRMATION: "c",
    ConsentType.SUCCESSION: "d",
    ConsentType.DEFINITIVE_SIGNATURE: "s",
}


class Participation(StrEnum):
    """Where one party stands in the agreement (SPEC §2b), derived from claims only."""

    NOT_SIGNED = "not_signed"
    SIGNED = "signed"
    IN_PROGRESS = "in_progress"
    CONSENTED = "consented"
    BOUND = "bound"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"


class PeriodUnit(StrEnum):
    """The unit of a withdrawal rule's period ("12 months after the notification")."""

    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


class RelationType(StrEnum):
    """How one agreement stands to another (SPEC §2b), stored on the subject: "A supersedes B"
    lives on A. A relation never changes a status by itself."""

    SUPERSEDES = "supersedes"
    AMENDS = "amends"
    PROTOCOL_TO = "protocol_to"
    IMPLEMENTS = "implements"
    EXTENDS = "extends"
    SUSPENDS = "suspends"


# How a relation reads from each end: (said of the subject, said of the target).
RELATION_LABELS = {
    RelationType.SUPERSEDES: ("supersedes", "superseded by"),
    RelationType.AMENDS: ("amends", "amended by"),
    RelationType.PROTOCOL_TO: ("protocol to", "has protocol"),
    RelationType.IMPLEMENTS: ("implements", "implemented by"),
    RelationType.EXTENDS: ("extends", "extended by"),
    RelationType.SUSPENDS: ("suspends", "suspended by"),
}


class RelationRole(StrEnum):
    """Which end of a relation an agreement is, as its list of relations says."""

    SUBJECT = "subject"
    TARGET = "target"


class DeclarationKind(StrEnum):
    """What a party states of its own consent (SPEC §2b), or of another party's statement."""

    RESERVATION = "reservation"
    DECLARATION = "declaration"
    UNDERSTANDING = "understanding"
    # An answer to another party's declaration: `objects_to` names it.
    OBJECTION = "objection"


class MadeAt(StrEnum):
    """When a declaration was made: on signing, or with the instrument of consent."""

    SIGNATURE = "signature"
    CONSENT = "consent"


class EventStatus(StrEnum):
    EXPECTED = "expected"
    REPORTED = "reported"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    RETRACTED = "retracted"


# Claims that count as having happened when the lifecycle is derived.
HAPPENED = (EventStatus.REPORTED, EventStatus.CONFIRMED)


class RatificationState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    RATIFIED = "ratified"
    NOTIFIED = "notified"


class AgreementStatus(StrEnum):
    ACTIVE = "active"
    STALLED = "stalled"
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"


class AgreementKind(StrEnum):
    TREATY = "treaty"
    AGREEMENT = "agreement"
    MEMORANDUM = "memorandum"
    DECLARATION = "declaration"
    PROTOCOL = "protocol"
    ROADMAP = "roadmap"


class PartyKind(StrEnum):
    STATE = "state"
    ORGANISATION = "organisation"


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


class ReminderStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    SNOOZED = "snoozed"
    DISMISSED = "dismissed"


class DigestMode(StrEnum):
    EVERYTHING = "everything"
    WATCHLIST = "watchlist"
    NONE = "none"


def sql_in(column: str, values: type[StrEnum] | tuple[StrEnum, ...]) -> str:
    """A CHECK constraint body allowing exactly these values."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class InboxState(StrEnum):
    """Where a story brought in by a feed (or pasted) stands in the researcher's triage."""

    NEW = "new"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"
    # Filtered out by the matcher (sport, weather): kept in a pile of its own, not deleted.
    NOT_ABOUT_AGREEMENTS = "not_about_agreements"
