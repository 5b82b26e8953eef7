"""Parties, reminders, digests, users and tokens."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_dump, validate

from tracker.models.agreement import AgreementLimits
from tracker.models.mixins import MAX_ID
from tracker.models.reminder import ReminderLimits
from tracker.models.user import UserLimits
from tracker.models.vocab import (
    AgreementKind,
    ConsentType,
    DeclarationKind,
    DigestMode,
    MadeAt,
    PartyKind,
    RelationType,
    ReminderStatus,
    Role,
    Stage,
)
from tracker.schemas.common import (
    ANONYMOUS,
    PARTY_CODE,
    DumpSchema,
    InputSchema,
    OutputSchema,
    Person,
    ReaderSchema,
    Text,
    day_field,
    id_field,
    one_of,
)
from tracker.text.extract import MAX_CHARACTERS

WEEK = validate.Regexp(
    r"^[12]\d{3}-W(0[1-9]|[1-4]\d|5[0-3])$",
    error="Not an ISO week such as 2025-W16 (years 1000 to 2999).",
)


class MemberSchema(OutputSchema):
    code = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "English name"})
    since = fields.Date(
        required=True, allow_none=True, metadata={"description": "First day of membership"}
    )
    until = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "Last day of membership; null while a member"},
    )


class PartySchema(OutputSchema):
    code = fields.String(required=True)
    kind = fields.String(required=True, validate=one_of(PartyKind))
    name = fields.String(required=True, metadata={"description": "English name"})
    names = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Language -> name"},
    )
    members = fields.List(
        fields.Nested(MemberSchema),
        required=True,
        metadata={
            "description": "An organisation's member states, past ones too, by the day each "
            "joined (empty for a state and for an organisation without recorded members)"
        },
    )


class PartyQuerySchema(InputSchema):
    kind = fields.String(validate=one_of(PartyKind))
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Code or a name in any language"},
    )
    member_of = fields.String(
        validate=PARTY_CODE,
        metadata={"description": "An organisation's code: only its members today (EAEU, EU)"},
    )


class ReminderInSchema(InputSchema):
    agreement_id = id_field(required=True)
    stage = fields.String(allow_none=True, validate=one_of(Stage))
    party = fields.String(allow_none=True, validate=PARTY_CODE)
    due = day_field(required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=ReminderLimits.REASON))
    assignee = fields.String(
        allow_none=True,
        validate=validate.Length(max=UserLimits.EMAIL),
        metadata={"description": "Email of a user"},
    )
    status = fields.String(validate=one_of(ReminderStatus))
    snoozed_until = day_field(allow_none=True)


class ReminderPatchSchema(ReminderInSchema):
    agreement_id = id_field()
    due = day_field()
    reason = Text(validate=validate.Length(min=1, max=ReminderLimits.REASON))
    closed_note = Text(validate=validate.Length(max=ReminderLimits.CLOSED_NOTE))


class ReminderSchema(ReaderSchema):
    id = fields.Integer(required=True)
    agreement_id = fields.Integer(required=True)
    stage = fields.String(allow_none=True, required=True)
    party = fields.String(attribute="party_code", allow_none=True, required=True)
    due = fields.Date(required=True)
    reason = fields.String(required=True)
    assignee = Person(allow_none=True, required=True, metadata={"description": f"Email{ANONYMOUS}"})
    status = fields.String(required=True)
    snoozed_until = fields.Date(allow_none=True, required=True)
    rule = fields.String(
        allow_none=True, required=True, metadata={"description": "Null when made by a person"}
    )
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)
    closed_note = fields.String(required=True)


class ReminderQuerySchema(InputSchema):
    agreement = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "Agreement id"}
    )
    status = fields.String(validate=one_of(ReminderStatus))
    due_before = day_field()
    assignee = fields.String(
        validate=validate.Length(min=1, max=UserLimits.EMAIL), metadata={"description": "Email"}
    )
    overdue = fields.Boolean()
    mine = fields.Boolean(metadata={"description": "Only reminders assigned to me"})


class DigestLinksSchema(OutputSchema):
    html = fields.String(required=True)
    text = fields.String(required=True)


class DigestSchema(DumpSchema):
    id = fields.Integer(required=True)
    user = fields.String(
        attribute="user.email", required=True, metadata={"description": "Email of the subscriber"}
    )
    week = fields.String(required=True, metadata={"example": "2025-W16"})
    created_at = fields.DateTime(required=True)
    sent_at = fields.DateTime(allow_none=True, required=True)
    sections = fields.Dict(required=True, metadata={"description": "Section name -> list of items"})
    links = fields.Nested(DigestLinksSchema, required=True)

    @post_dump
    def add_links(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """`links` are made, not read: where the digest as sent is, in each format."""
        data["links"] = {kind: f"/api/v1/digests/{data['id']}/{kind}" for kind in ("html", "text")}
        return data


class DigestQuerySchema(InputSchema):
    week = fields.String(validate=WEEK)
    user = fields.String(
        validate=validate.Length(min=1, max=UserLimits.EMAIL),
        metadata={"description": "Email (admins)"},
    )


class UserSchema(DumpSchema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    timezone = fields.String(required=True)
    is_active = fields.Boolean(required=True)
    digest_mode = fields.String(required=True)
    digest_watchlist = fields.Dict(required=True)
    digest_send_empty = fields.Boolean(required=True)
    show_jalali = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


EMAIL = validate.Regexp(r"^[^@\s]+@[^@\s]+$", error="Not an email address.")


class UserInSchema(InputSchema):
    email = Text(required=True, validate=[validate.Length(min=3, max=UserLimits.EMAIL), EMAIL])
    role = fields.String(validate=one_of(Role), load_default="viewer")
    password = fields.String(validate=validate.Length(min=10, max=UserLimits.PASSWORD))
    display_name = Text(validate=validate.Length(max=UserLimits.DISPLAY_NAME), load_default="")
    timezone = fields.String(
        validate=validate.Length(min=1, max=UserLimits.TIMEZONE), load_default="UTC"
    )


class WatchlistSchema(InputSchema):
    agreements = fields.List(id_field())
    parties = fields.List(fields.String(validate=PARTY_CODE))
    topics = fields.List(Text(validate=validate.Length(min=1, max=AgreementLimits.TOPIC)))


class UserPatchSchema(InputSchema):
    display_name = Text(validate=validate.Length(max=UserLimits.DISPLAY_NAME))
    role = fields.String(validate=one_of(Role))
    timezone = fields.String(validate=validate.Length(min=1, max=UserLimits.TIMEZONE))
    is_active = fields.Boolean()
    digest_mode = fields.String(validate=one_of(DigestMode))
    digest_watchlist = fields.Nested(WatchlistSchema)
    password = fields.String(validate=validate.Length(min=10, max=UserLimits.PASSWORD))


class TokenSchema(DumpSchema):
    id = fields.Integer(required=True)
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(
        required=True, metadata={"description": "First characters, to tell tokens apart"}
    )
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True, required=True)
    revoked_at = fields.DateTime(allow_none=True, required=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(
        required=True, metadata={"description": "Shown once; only its hash is kept"}
    )


class TokenInSchema(InputSchema):
    name = Text(validate=validate.Length(max=UserLimits.TOKEN_NAME), load_default="")


class ExtractInSchema(InputSchema):
    text = fields.String(
        required=True,
        validate=validate.Length(
            min=1,
            max=MAX_CHARACTERS,
            error=f"Give 1 to {MAX_CHARACTERS:,} characters: a longer text is not read at once.",
        ),
        metadata={"description": f"At most {MAX_CHARACTERS:,} characters"},
    )
    language = fields.String(
        validate=validate.OneOf(["fa", "ru", "ar", "en"]),
        metadata={"description": "Skip detection: the text's language"},
    )
    published = fields.String(
        validate=validate.Length(max=100),
        metadata={"description": "EDTF or Solar Hijri; year-less dates are read against it"},
    )
    agreement_id = id_field(
        metadata={
            "description": "The agreement the text is read for: a suggested relation's "
            "candidates are the agreements sharing a party with it (without it, with the "
            "states the text names), never itself"
        }
    )


class _Found(OutputSchema):
    text = fields.String(required=True, metadata={"description": "Equals the input's [start:end]"})
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)


class FoundPartySchema(_Found):
    code = fields.String(required=True)


class FoundDateSchema(_Found):
    date = fields.String(required=True, metadata={"description": "EDTF"})


class FoundPrincipleSchema(_Found):
    code = fields.String(required=True)


class FoundEventSchema(_Found):
    stage = fields.String(required=True)
    step = fields.String(required=True, allow_none=True)
    party = fields.String(required=True, allow_none=True)
    body = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, metadata={"enum": ["expected", "reported"]})
    date = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "EDTF: the date of this claim's own clause"},
    )
    consent_type = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "On the notification step, the kind of instrument ("
            + ", ".join(ConsentType)
            + "; ratification when the text names no other); null on every other step and stage"
        },
    )
    confidence = fields.Float(
        required=True,
        validate=validate.Range(min=0, max=1),
        metadata={
            "description": "0..1: how sure the extractor is of this whole suggestion (stage, "
            "step, party, status and date); the review form ticks those at or above "
            "PRETICK_CONFIDENCE (docs/extraction.md)"
        },
    )


class _Quoted(OutputSchema):
    quote = fields.String(required=True, metadata={"description": "Equals the input's [start:end]"})
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    confidence = fields.Float(
        required=True,
        validate=validate.Range(min=0, max=1),
        metadata={"description": "Orders the suggestions; none is ticked in advance"},
    )


class TargetHintSchema(OutputSchema):
    words = fields.String(
        required=True,
        metadata={"description": "The other agreement as the text describes it, normalised"},
    )
    year = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "A year the description names (a Solar Hijri one converted)"},
    )
    kind = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The kind its kind word names: " + ", ".join(AgreementKind)},
    )


class CandidateSchema(OutputSchema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    score = fields.Float(required=True, metadata={"description": "Higher fits better"})


class FoundRelationSchema(_Quoted):
    type = fields.String(required=True, metadata={"enum": [t.value for t in RelationType]})
    status = fields.String(
        required=True,
        metadata={
            "enum": ["expected", "reported"],
            "description": 'expected when the text foretells it ("will replace")',
        },
    )
    target_hint = fields.Nested(TargetHintSchema, required=True)
    candidates = fields.List(
        fields.Nested(CandidateSchema),
        required=True,
        metadata={"description": "Agreements the other end may be, best first (at most 5)"},
    )


class FoundDeclarationSchema(_Quoted):
    kind = fields.String(required=True, metadata={"enum": [k.value for k in DeclarationKind]})
    party = fields.String(
        required=True, allow_none=True, metadata={"description": "The party named making it"}
    )
    objects_to_party = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Of an objection: the party whose declaration it answers"},
    )
    made_at = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "When the text says it was made: " + " or ".join(MadeAt)},
    )


class ExtractOutSchema(OutputSchema):
    language = fields.String(required=True, allow_none=True)
    parties = fields.List(fields.Nested(FoundPartySchema), required=True)
    events = fields.List(fields.Nested(FoundEventSchema), required=True)
    dates = fields.List(fields.Nested(FoundDateSchema), required=True)
    principles = fields.List(fields.Nested(FoundPrincipleSchema), required=True)
    relations = fields.List(
        fields.Nested(FoundRelationSchema),
        required=True,
        metadata={"description": "Phrases stating how the agreement reported stands to another"},
    )
    declarations = fields.List(
        fields.Nested(FoundDeclarationSchema),
        required=True,
        metadata={"description": "Reservations, declarations, understandings and objections"},
    )


class SearchQuerySchema(InputSchema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Words to find, in any spelling (all must be present)"},
    )
    type = fields.String(
        validate=validate.OneOf(["agreement", "article", "declaration"]),
        metadata={"description": "Only agreements, only articles or only parties' declarations"},
    )
    hidden = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Include the articles of stories dismissed in the inbox or filtered "
            "out as not about agreements (left out by default)"
        },
    )


class SearchHitSchema(OutputSchema):
    type = fields.String(required=True, metadata={"enum": ["agreement", "article", "declaration"]})
    id = fields.Integer(required=True)
    agreement_id = fields.Integer(
        metadata={"description": "A declaration's: the agreement it is made to (its page)"}
    )
    title = fields.String(required=True)
    score = fields.Float(required=True, metadata={"description": "Higher is better"})
    snippet = fields.String(required=True, metadata={"description": "From the original text"})
    highlights = fields.List(
        fields.List(fields.Integer(), validate=validate.Length(equal=2)),
        required=True,
        metadata={"description": "[start, end) of each match within the snippet"},
    )


class MePatchSchema(InputSchema):
    """What a user may change of their own account."""

    display_name = Text(validate=validate.Length(max=UserLimits.DISPLAY_NAME))
    timezone = fields.String(
        validate=validate.Length(min=1, max=UserLimits.TIMEZONE),
        metadata={"example": "Asia/Tehran"},
    )
    show_jalali = fields.Boolean()
    digest_mode = fields.String(
        validate=one_of(DigestMode), metadata={"description": "everything, watchlist or none"}
    )
    digest_watchlist = fields.Nested(WatchlistSchema)
    digest_send_empty = fields.Boolean(
        metadata={"description": "Send a short digest when nothing moved"}
    )


class AccountChangeSchema(UserPatchSchema):
    """Every field a change of account takes (services.accounts.users.update_user): what an
    admin may change of anyone's (UserPatchSchema) and a user of their own (MePatchSchema)."""

    show_jalali = fields.Boolean()
    digest_send_empty = fields.Boolean()
