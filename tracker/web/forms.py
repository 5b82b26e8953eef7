"""The HTML forms (Flask-WTF: every one carries a CSRF token). They check shape only; the
services check meaning, and their per-field errors are put back beside the fields."""

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
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.models.agreement import AgreementLimits
from tracker.models.event import EventLimits
from tracker.models.evidence import ArticleLimits
from tracker.models.principle import StatementLimits
from tracker.models.reminder import ReminderLimits
from tracker.models.user import UserLimits
from tracker.models.vocab import AgreementKind, DigestMode, EventStatus, Stage, Step

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
    title = StringField(
        "Title (English)", validators=[DataRequired(), Length(max=AgreementLimits.TITLE)]
    )
    title_fa = StringField(
        "Title in Persian", validators=[Optional(), Length(max=AgreementLimits.TITLE)]
    )
    title_ru = StringField(
        "Title in Russian", validators=[Optional(), Length(max=AgreementLimits.TITLE)]
    )
    title_ar = StringField(
        "Title in Arabic", validators=[Optional(), Length(max=AgreementLimits.TITLE)]
    )
    kind = SelectField("Kind", choices=_choices(AgreementKind))
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
    summary = TextAreaField("Summary", validators=[Optional(), Length(max=AgreementLimits.SUMMARY)])
    entry_into_force_days = IntegerField(
        "Enters into force … days after the last notification",
        validators=[Optional(), NumberRange(min=0, max=AgreementLimits.ENTRY_INTO_FORCE_DAYS)],
        description="Leave empty when the treaty has no such rule",
    )
    duration_years = IntegerField(
        "Duration in years",
        validators=[Optional(), NumberRange(min=1, max=AgreementLimits.DURATION_YEARS)],
    )
    # The version the researcher edited: a change made meanwhile is not overwritten.
    version = HiddenField()


RATIFIED_HINT = (
    "A party counts as in progress after submitted, committee, lower house, upper house or "
    "constitutional review; as ratified after head of state or promulgation, or a "
    "ratification with no step; as notified after notification."
)
STEP_HINT = "Only for ratification. " + RATIFIED_HINT


class EventForm(FlaskForm):
    stage = SelectField(
        "Stage",
        choices=_choices(Stage, "— choose a stage —"),
        validators=[DataRequired(message="Choose a stage.")],
    )
    step = SelectField(
        "Ratification step",
        choices=_choices(Step, "— none —"),
        default="",  # a script disables it for other stages: then it is not sent at all
        description=STEP_HINT,
    )
    party = SelectField(
        "Party", choices=[], description="The party whose step it is (for a ratification)"
    )
    body = StringField(
        "Body",
        validators=[Optional(), Length(max=EventLimits.BODY)],
        description="State Duma, Guardian Council …",
    )
    place = StringField("Place", validators=[Optional(), Length(max=EventLimits.PLACE)])
    date = StringField(
        "Date", validators=[Optional(), Length(max=EventLimits.DATE)], description=DATE_HINT
    )
    status = SelectField(
        "Status", choices=_choices(EventStatus), default=EventStatus.REPORTED.value
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=EventLimits.NOTE)])
    article_id = SelectField(
        "Evidence article", choices=[], description="The report this claim rests on"
    )
    quote = TextAreaField(
        "Quote",
        validators=[Optional(), Length(max=ArticleLimits.QUOTE)],
        description="Exactly as in the article (spelling variants are fine)",
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
    party = SelectField("Party", choices=[], validate_choice=False)
    body = StringField("Body", validators=[Optional(), Length(max=EventLimits.BODY)])
    date = StringField(
        "Date",
        validators=[Optional(), Length(max=EventLimits.DATE)],
        description="EDTF (2025-01-17, 2025-06~) or Solar Hijri (1403/10/28)",
    )
    status = SelectField("Status", choices=_choices(EventStatus), validate_choice=False)


class EvidenceForm(FlaskForm):
    url = StringField(
        "URL",
        validators=[Optional(), Length(max=ArticleLimits.URL)],
        description="Alone, it is fetched",
    )
    text = TextAreaField(
        "Text",
        validators=[Optional(), Length(max=ArticleLimits.TEXT)],
        description="Paste the article's text …",
    )
    html = TextAreaField(
        "HTML",
        validators=[Optional(), Length(max=ArticleLimits.TEXT)],
        description="… or its page's HTML",
    )
    title = StringField("Title", validators=[Optional(), Length(max=ArticleLimits.TITLE)])
    outlet = StringField("Outlet", validators=[Optional(), Length(max=ArticleLimits.OUTLET)])
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
    )
    published = StringField(
        "Published",
        validators=[Optional(), Length(max=ArticleLimits.PUBLISHED)],
        description=DATE_HINT,
    )
    cites = SelectField("Quotes another report", choices=[])


class AcceptForm(FlaskForm):
    """The suggestions a researcher keeps: parties and principles by code, and each suggested
    event as an editable row (its `accept` box says whether it is recorded)."""

    parties = SelectMultipleField("Parties", choices=[], validate_choice=False)
    events = FieldList(FormField(SuggestedEventForm))
    principles = SelectMultipleField("Principles", choices=[], validate_choice=False)


class PrincipleForm(FlaskForm):
    principle = SelectField("Principle", choices=[])
    party = SelectField("Stated by", choices=[])
    article_id = SelectField("Article", choices=[])
    quote = TextAreaField("Quote", validators=[Optional(), Length(max=ArticleLimits.QUOTE)])
    clause = StringField(
        "or a clause of the treaty",
        validators=[Optional(), Length(max=StatementLimits.CLAUSE)],
        description="Art. 3 §3",
    )


class ReminderForm(FlaskForm):
    due = DateField("Due", validators=[DataRequired()])
    reason = StringField(
        "What to check", validators=[DataRequired(), Length(max=ReminderLimits.REASON)]
    )
    stage = SelectField("Stage", choices=_choices(Stage, "— any —"))
    assignee = SelectField("Assignee", choices=[])


class SnoozeForm(FlaskForm):
    until = DateField("Snooze until", validators=[DataRequired()])


class ButtonForm(FlaskForm):
    """A button that POSTs (complete, dismiss, prefer, retract, revoke): only the CSRF token."""


class AccountForm(FlaskForm):
    display_name = StringField(
        "Display name", validators=[Optional(), Length(max=UserLimits.DISPLAY_NAME)]
    )
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=UserLimits.TIMEZONE)],
        description="Asia/Tehran, Europe/Moscow, UTC …",
    )
    show_jalali = BooleanField("Show Solar Hijri dates beside Gregorian ones")
    digest_mode = SelectField("Weekly digest", choices=_choices(DigestMode))
    watch_parties = StringField(
        "Watched parties", validators=[Optional(), Length(max=500)], description="Codes: RUS, IRN"
    )
    watch_topics = StringField("Watched topics", validators=[Optional(), Length(max=500)])
    digest_send_empty = BooleanField("Send a short digest when nothing moved")


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[Optional(), Length(max=UserLimits.TOKEN_NAME)],
        description="To tell tokens apart",
    )


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: nothing changes

    q = StringField("Search", validators=[DataRequired(), Length(max=200)])
    type = SelectField(
        "In",
        choices=options([("", "Everything"), ("agreement", "Agreements"), ("article", "Articles")]),
        validate_choice=False,  # absent or unknown means everything
    )
