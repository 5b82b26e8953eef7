"""The HTML forms (Flask-WTF: every one carries a CSRF token). They read what the browser
sends (a number, a day) and no more: the services load it through the API's schemas, so the
shape of input (lengths, choices, ranges, dates) is checked once, with the API's messages, and
every per-field error is put back beside its field. Only what is typed here alone and is no
field of the API (parties and topics as text, sign-in, search) keeps a limit of its own."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from tracker.models.user import UserLimits
from tracker.models.vocab import (
    AgreementKind,
    ConsentType,
    DeclarationKind,
    DigestMode,
    EventStatus,
    MadeAt,
    PeriodUnit,
    RelationType,
    Stage,
    Step,
)

DATE_HINT = (
    "EDTF: 2025-01-17, 2025-01, 2025-06~, 2024-07-21?, 2025-05/2025-06 — or Solar Hijri: 1403/10/28"
)


def options(pairs) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def _choices(values, blank: str | None = None) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    out = [("", blank)] if blank is not None else []
    return options(out + [(v.value, v.value.replace("_", " ").capitalize()) for v in values])


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=UserLimits.EMAIL)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=UserLimits.PASSWORD)]
    )
    remember = BooleanField("Keep me signed in on this computer")


class AgreementForm(FlaskForm):
    title = StringField("Title (English)")
    title_fa = StringField("Title in Persian")
    title_ru = StringField("Title in Russian")
    title_ar = StringField("Title in Arabic")
    kind = SelectField("Kind", choices=_choices(AgreementKind), validate_choice=False)
    parties = StringField(
        "Parties",
        validators=[Optional(), Length(max=1000)],
        description="Names or codes, separated by commas: Russia, North Korea, ایران, "
        "Россия, IRN, EU",
        render_kw={"list": "party-names", "autocomplete": "off", "dir": "auto", "data-several": ""},
    )
    topics = StringField(
        "Topics",
        validators=[Optional(), Length(max=500)],
        description="Separated by commas: defence, trade",
    )
    summary = TextAreaField("Summary")
    bilateral = SelectField(
        "Bilateral or multilateral",
        choices=options(
            [
                ("", "As the party count says (two: bilateral)"),
                ("yes", "Bilateral (an organisation and its members with one state, too)"),
                ("no", "Multilateral"),
            ]
        ),
        validate_choice=False,
    )
    entry_into_force_days = IntegerField(
        "Enters into force … days after the last notification",
        validators=[Optional()],
        description="The bilateral rule. Leave empty when the treaty has no such rule",
    )
    instruments_required = IntegerField(
        "… or once this many instruments are in",
        validators=[Optional()],
        description="The multilateral rule: K instruments of ratification, acceptance, "
        "approval or accession",
    )
    days_after_instrument = IntegerField(
        "… this many days after that instrument", validators=[Optional()]
    )
    days_after_own_instrument = IntegerField(
        "… and for a later party, this many days after its own",
        validators=[Optional()],
        description="Never before the entry into force; empty: the same days as above",
    )
    withdrawal_period = IntegerField(
        "A withdrawal takes effect …", validators=[Optional()], description="Empty: no rule"
    )
    withdrawal_unit = SelectField(
        "… after its notification, in",
        choices=_choices(PeriodUnit),
        default=PeriodUnit.MONTHS.value,
        validate_choice=False,
    )
    depositary = StringField(
        "Depositary",
        description="The party or organisation keeping the instruments: UN, AU, Russia …",
        render_kw={"list": "party-names", "autocomplete": "off", "dir": "auto"},
    )
    signature_opens = StringField("Opened for signature", description=DATE_HINT)
    signature_closes = StringField("Closed for signature", description=DATE_HINT)
    duration_years = IntegerField("Duration in years", validators=[Optional()])
    # The version the researcher edited: a change made meanwhile is not overwritten.
    version = HiddenField()


RATIFIED_HINT = (
    "A party counts as in progress after submitted, committee, lower house, upper house or "
    "constitutional review; as ratified after head of state or promulgation, or a "
    "ratification with no step; as notified after notification."
)
STEP_HINT = "Only for ratification. " + RATIFIED_HINT


class DeclarationForm(FlaskForm):
    party = SelectField("Party", choices=[], validate_choice=False)
    kind = SelectField(
        "Kind",
        choices=_choices(DeclarationKind, "— choose a kind —"),
        validate_choice=False,
    )
    made_at = SelectField(
        "Made at",
        choices=_choices(MadeAt, "— not known —"),
        default="",
        description="On signing, or with the instrument of consent",
        validate_choice=False,
    )
    date = StringField("Date", description=DATE_HINT)
    text = TextAreaField(
        "Text", description="As the party worded it, in any language (not needed for an objection)"
    )
    language = StringField("Language of the text", description="fa, ru, ar, en …")
    objects_to = SelectField(
        "Objects to",
        choices=[],
        description="For an objection: the other party's declaration it answers",
        validate_choice=False,
    )
    withdrawn_on = StringField("Withdrawn on", description="Empty while it stands. " + DATE_HINT)
    article_id = SelectField(
        "Evidence article", choices=[], description="The report it rests on", validate_choice=False
    )
    quote = TextAreaField(
        "Quote", description="Exactly as in the article (spelling variants are fine)"
    )
    note = TextAreaField("Note")
    version = HiddenField()


class EventForm(FlaskForm):
    stage = SelectField(
        "Stage", choices=_choices(Stage, "— choose a stage —"), validate_choice=False
    )
    step = SelectField(
        "Ratification step",
        choices=_choices(Step, "— none —"),
        default="",  # a script disables it for other stages: then it is not sent at all
        description=STEP_HINT,
        validate_choice=False,
    )
    party = SelectField(
        "Party",
        choices=[],
        description="The party whose step it is (for a ratification)",
        validate_choice=False,
    )
    body = StringField("Body", description="State Duma, Guardian Council …")
    place = StringField("Place")
    date = StringField("Date", description=DATE_HINT)
    status = SelectField(
        "Status",
        choices=_choices(EventStatus),
        default=EventStatus.REPORTED.value,
        validate_choice=False,
    )
    consent_type = SelectField(
        "Kind of instrument",
        choices=_choices(ConsentType),
        default=ConsentType.RATIFICATION.value,
        description="Only for the notification step: ratification, accession (a), acceptance "
        "(A), approval (AA) …",
        validate_choice=False,
    )
    note = TextAreaField("Note")
    article_id = SelectField(
        "Evidence article",
        choices=[],
        description="The report this claim rests on",
        validate_choice=False,
    )
    quote = TextAreaField(
        "Quote", description="Exactly as in the article (spelling variants are fine)"
    )
    without_evidence = BooleanField(
        "Record without evidence",
        description="Tick only when no article backs this claim yet: the page will flag it",
    )
    # The version the researcher edited (edit form only): a change made meanwhile is kept.
    version = HiddenField()


class SuggestedEventForm(Form):
    """One suggested stage event on the review page, as the researcher edits it."""

    accept = BooleanField("Record this event")
    index = HiddenField()
    stage = SelectField("Stage", choices=_choices(Stage), validate_choice=False)
    step = SelectField(
        "Step",
        choices=_choices(Step, "— none —"),
        validate_choice=False,
        description="Only for ratification",
    )
    consent_type = SelectField(
        "Kind of instrument",
        choices=_choices(ConsentType, "— none —"),
        validate_choice=False,
        description="Only for the notification step (accession, acceptance, approval …)",
    )
    party = SelectField("Party", choices=[], validate_choice=False)
    body = StringField("Body")
    date = StringField(
        "Date", description="EDTF (2025-01-17, 2025-06~) or Solar Hijri (1403/10/28)"
    )
    status = SelectField("Status", choices=_choices(EventStatus), validate_choice=False)


# How the type select reads: "This agreement supersedes …".
RELATION_WORDS = {
    RelationType.SUPERSEDES: "supersedes …",
    RelationType.AMENDS: "amends …",
    RelationType.PROTOCOL_TO: "is a protocol to …",
    RelationType.IMPLEMENTS: "implements …",
    RelationType.EXTENDS: "extends …",
    RelationType.SUSPENDS: "suspends …",
}


class SuggestedRelationForm(Form):
    """One suggested relation to another agreement on the review page: this agreement is
    its subject; the other is one of the agreements the extractor found it may name."""

    accept = BooleanField("Record this relation")
    index = HiddenField()
    type = SelectField(
        "This agreement",
        choices=options([(t.value, RELATION_WORDS[t]) for t in RelationType]),
        validate_choice=False,
    )
    target_id = SelectField("The other agreement", choices=[], validate_choice=False)
    date = StringField("Date", description=DATE_HINT)


class SuggestedDeclarationForm(Form):
    """One suggested reservation, declaration, understanding or objection on the review page."""

    accept = BooleanField("Record this declaration")
    index = HiddenField()
    kind = SelectField("Kind", choices=_choices(DeclarationKind), validate_choice=False)
    party = SelectField("Party", choices=[], validate_choice=False)
    made_at = SelectField(
        "Made at", choices=_choices(MadeAt, "— not known —"), validate_choice=False
    )
    objects_to = SelectField(
        "Objects to",
        choices=[],
        description="For an objection: the other party's declaration it answers",
        validate_choice=False,
    )
    date = StringField("Date", description=DATE_HINT)
    text = TextAreaField(
        "Text", description="Empty: the sentence quoted above; or the party's own words"
    )


class EvidenceForm(FlaskForm):
    url = StringField("URL", description="Alone, it is fetched")
    text = TextAreaField("Text", description="Paste the article's text …")
    html = TextAreaField("HTML", description="… or its page's HTML")
    title = StringField("Title")
    outlet = StringField("Outlet")
    language = SelectField(
        "Language",
        choices=options(
            [
                ("", "— detect —"),
                ("fa", "Persian"),
                ("ru", "Russian"),
                ("ar", "Arabic"),
                ("en", "English"),
            ]
        ),
        validate_choice=False,
    )
    published = StringField("Published", description=DATE_HINT)
    cites = SelectField("Quotes another report", choices=[])


class AcceptForm(FlaskForm):
    """The suggestions a researcher keeps: parties and principles by code, and each suggested
    event as an editable row (its `accept` box says whether it is recorded)."""

    parties = SelectMultipleField("Parties", choices=[], validate_choice=False)
    events = FieldList(FormField(SuggestedEventForm))
    principles = SelectMultipleField("Principles", choices=[], validate_choice=False)
    relations = FieldList(FormField(SuggestedRelationForm))
    declarations = FieldList(FormField(SuggestedDeclarationForm))


class PrincipleForm(FlaskForm):
    principle = SelectField("Principle", choices=[])
    party = SelectField("Stated by", choices=[])
    article_id = SelectField("Article", choices=[])
    quote = TextAreaField("Quote")
    clause = StringField("or a clause of the treaty", description="Art. 3 §3")


class RelationForm(FlaskForm):
    """This agreement's relation to another, found by typing part of its title."""

    type = SelectField(
        "This agreement",
        choices=options(
            [("", "— choose how it relates —")]
            + [(t.value, RELATION_WORDS[t]) for t in RelationType]
        ),
        validate_choice=False,
    )
    find = StringField(
        "Find the other agreement",
        description="Part of its title in any language (English, فارسی, русский, العربية)",
    )
    target_id = RadioField("The other agreement", choices=[], validate_choice=False)
    date = StringField("Date", description=DATE_HINT)
    note = TextAreaField("Note")
    article_id = SelectField(
        "Evidence article",
        choices=[],
        description="The report that states the relation",
        validate_choice=False,
    )
    quote = TextAreaField(
        "Quote", description="Exactly as in the article (spelling variants are fine)"
    )
    version = HiddenField()


class ReminderForm(FlaskForm):
    due = DateField("Due", validators=[Optional()])
    reason = StringField("What to check")
    stage = SelectField("Stage", choices=_choices(Stage, "— any —"), validate_choice=False)
    assignee = SelectField("Assignee", choices=[])


class SnoozeForm(FlaskForm):
    until = DateField("Snooze until", validators=[DataRequired()])


class StatusImportForm(FlaskForm):
    """The UN's status table pasted on an agreement's page (what is read is the service's)."""

    text = TextAreaField(
        "Status table",
        description="Copy the table from the UN Treaty Collection's status page (or CSV): "
        "the header line, then Participant, Signature, Ratification … with its marker.",
    )


class ButtonForm(FlaskForm):
    """A button that POSTs (complete, dismiss, prefer, retract, revoke): only the CSRF token."""


class AccountForm(FlaskForm):
    display_name = StringField("Display name")
    timezone = StringField("Time zone", description="Asia/Tehran, Europe/Moscow, UTC …")
    show_jalali = BooleanField("Show Solar Hijri dates beside Gregorian ones")
    digest_mode = SelectField("Weekly digest", choices=_choices(DigestMode), validate_choice=False)
    watch_parties = StringField(
        "Watched parties", validators=[Optional(), Length(max=500)], description="Codes: RUS, IRN"
    )
    watch_topics = StringField("Watched topics", validators=[Optional(), Length(max=500)])
    digest_send_empty = BooleanField("Send a short digest when nothing moved")


class TokenForm(FlaskForm):
    name = StringField("Token name", description="To tell tokens apart")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: nothing changes

    q = StringField("Search", validators=[DataRequired(), Length(max=200)])
    type = SelectField(
        "In",
        choices=options(
            [
                ("", "Everything"),
                ("agreement", "Agreements"),
                ("article", "Articles"),
                ("declaration", "Declarations and reservations"),
            ]
        ),
        validate_choice=False,  # absent or unknown means everything
    )


class NewsFeedForm(FlaskForm):
    """A news feed to watch: its address, a name, a language hint and how often to poll."""

    url = StringField("Feed address", description="The RSS or Atom address, http:// or https://")
    title = StringField("Title", description="Leave empty to use the site's name (its host)")
    language = StringField(
        "Language", description="fa, ru, ar, en…: for stories that do not say their language"
    )
    poll_every_minutes = StringField(
        "Poll every (minutes)", description="From 5 minutes to 10080 (a week)"
    )
    active = BooleanField("Active (polled); untick to pause it")
    version = HiddenField()
