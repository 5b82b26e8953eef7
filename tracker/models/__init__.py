"""All models, imported here so that Base.metadata knows every table."""

from tracker.models.agreement import (
    Agreement,
    AgreementParticipation,
    AgreementParty,
    AgreementState,
    AgreementTopic,
)
from tracker.models.audit import AuditEntry
from tracker.models.digest import Digest
from tracker.models.event import StageEvent
from tracker.models.evidence import ArticleBand, EvidenceArticle, EvidenceLink
from tracker.models.inbox import InboxItem, NewsFeed, NewsFeedEntry
from tracker.models.party import Party, PartyAlias, PartyMembership
from tracker.models.principle import Principle, PrincipleStatement
from tracker.models.relation import AgreementRelation, Declaration
from tracker.models.reminder import Reminder
from tracker.models.user import ApiToken, LoginAttempt, User

__all__ = [
    "Agreement",
    "AgreementParticipation",
    "AgreementParty",
    "AgreementRelation",
    "AgreementState",
    "AgreementTopic",
    "ApiToken",
    "ArticleBand",
    "AuditEntry",
    "Declaration",
    "Digest",
    "EvidenceArticle",
    "EvidenceLink",
    "InboxItem",
    "LoginAttempt",
    "NewsFeed",
    "NewsFeedEntry",
    "Party",
    "PartyAlias",
    "PartyMembership",
    "Principle",
    "PrincipleStatement",
    "Reminder",
    "StageEvent",
    "User",
]
