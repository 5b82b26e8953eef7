"""Every representation the API builds itself (tracker.api.present) has exactly the fields its
schema documents, nested shapes included: checked here on fixed data, every run, rather than
left to schemathesis's samples. So does every one marshmallow makes from a model, which would
silently leave out a field whose attribute the model no longer has."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import select

from tests import factories
from tracker.api import present
from tracker.models import AuditEntry, Digest, Principle
from tracker.schemas.agreements import (
    AgreementSchema,
    AgreementSummarySchema,
    AuditEntrySchema,
    DeletedAgreementSchema,
)
from tracker.schemas.articles import ArticleSchema, ArticleSummarySchema, DeletedArticleSchema
from tracker.schemas.common import ReaderSchema
from tracker.schemas.declarations import DeclarationSchema
from tracker.schemas.events import EventSchema
from tracker.schemas.misc import DigestSchema, ReminderSchema
from tracker.schemas.participants import ParticipantSchema
from tracker.schemas.principles import PrincipleSchema, StatementSchema
from tracker.schemas.relations import RelationSchema
from tracker.services.accounts.users import create_user
from tracker.services.agreements import commands, listing, queries, reading
from tracker.services.claims import declarations, principles, relations
from tracker.services.reminders.manual import create_reminder


def _nested(field: fields.Field) -> Schema | None:
    if isinstance(field, fields.Nested):
        return field.schema
    if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
        return field.inner.schema
    return None


def assert_shape(data: Any, schema: Schema, where: str) -> None:
    """The keys of `data` are the schema's fields, and so on down every nested value: every
    required field (all of an output schema's are), and of the others (one shape of a rule,
    SPEC §2b) no key the schema does not have."""
    items = data if isinstance(data, list) else [data]
    assert items, f"{where}: nothing to compare"
    required = {name for name, field in schema.fields.items() if field.required}
    for item in items:
        assert required <= set(item) <= set(schema.fields), (
            f"{where}: {sorted(item)} against {sorted(schema.fields)}"
        )
        for name, field in schema.fields.items():
            inner = _nested(field)
            if inner is not None and item.get(name):
                assert_shape(item[name], inner, f"{where}.{name}")


def test_each_representation_has_exactly_the_fields_of_its_schema(session):
    admin = create_user(session, "admin@example.org", role="admin", display_name="Admin")
    article = factories.article(session, text="Moscow and Tehran signed the treaty on 17 January.")
    cited = factories.article(session, text="A later report.", cites=article.id)
    agreement = factories.agreement(
        session, entry_into_force_rule={"days_after_last_notification": 30}
    )
    event = factories.event(
        session,
        agreement.id,
        "signing",
        "2025-01-17",
        actor=admin,
        evidence=[{"article_id": article.id, "quote": "signed the treaty"}],
    )
    code = session.scalars(select(Principle.code)).first()
    statement = principles.state_principle(
        session,
        agreement.id,
        {"principle": code, "article_id": article.id, "quote": "Moscow and Tehran"},
        actor=admin,
    )
    reminder = create_reminder(
        session,
        {
            "agreement_id": agreement.id,
            "due": "2030-01-01",
            "reason": "Check",
            "assignee": admin.email,
        },
        actor=admin,
    )
    reservation = declarations.record_declaration(
        session,
        agreement.id,
        {
            "party": "IRN",
            "kind": "reservation",
            "text": "A reservation.",
            "evidence": [{"article_id": article.id, "quote": "signed the treaty"}],
        },
        actor=admin,
    )
    declarations.record_declaration(
        session, agreement.id, {"party": "RUS", "kind": "objection", "objects_to": reservation.id}
    )
    digest = Digest(user_id=admin.id, week="2025-W16", sections={"moved": []}, html="", text="")
    session.add(digest)
    session.flush()
    gone = factories.agreement(session, title="Gone")
    commands.delete_agreement(session, gone.id, actor=admin)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.user_id == admin.id)).first()
    rows, _ = listing.search(session, listing.AgreementFilters())
    related = relations.record_relation(
        session,
        agreement.id,
        {
            "type": "supersedes",
            "target_id": factories.agreement(session, title="Older").id,
            "evidence": [{"article_id": article.id, "quote": "signed the treaty"}],
        },
        actor=admin,
    )

    shapes = [
        (present.agreement_summary(rows[0]), AgreementSummarySchema(), "agreement_summary"),
        (
            present.agreement(reading.detail(session, agreement.id)),
            AgreementSchema(),
            "agreement",
        ),
        (present.event(event), EventSchema(), "event"),
        (present.statement(statement), StatementSchema(), "statement"),
        (
            [present.declaration(d) for d in declarations.list_declarations(session, agreement.id)],
            DeclarationSchema(),
            "declaration",
        ),
        (present.article_summary(article), ArticleSummarySchema(), "article_summary"),
        (present.article(article), ArticleSchema(), "article"),
        (present.deleted_article(cited, None), DeletedArticleSchema(), "deleted_article"),
        (
            [present.participant(p) for p in reading.participants(session, agreement.id)],
            ParticipantSchema(),
            "participant",
        ),
    ]
    made = [
        (PrincipleSchema(), session.get(Principle, code), "principle"),
        (ReminderSchema(), reminder, "reminder"),
        (DigestSchema(), digest, "digest"),
        (RelationSchema(), relations.view(related, related.target_id), "relation"),
        (AuditEntrySchema(), entry, "audit_entry"),
        (DeletedAgreementSchema(), queries.deleted_agreements(session)[0], "deleted"),
    ]
    for schema, obj, name in made:
        if isinstance(schema, ReaderSchema):
            shapes.append((schema.make(obj), schema, name))
            shapes.append((type(schema)(public=True).make(obj), schema, f"{name} (public)"))
        else:
            shapes.append((schema.dump(obj), schema, name))
    for data, schema, name in shapes:
        assert_shape(data, schema, name)
