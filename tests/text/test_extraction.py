"""Suggested extraction: the seed article, the journey articles, each phrasing the review
relies on in each language, exact offsets, and quality that must not drop."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.extraction import articles, evaluate
from tracker.services.data.seed import DEFAULT_SEED_DIR
from tracker.services.evidence.extraction import suggest
from tracker.text.extract import PRETICK_CONFIDENCE

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ("status accuracy", "date attribution", "pre-ticked precision")


def reported_in_docs() -> dict[str, dict[str, object]]:
    """The tables of docs/extraction.md: (P, R) per field and each figure, per set."""
    doc = (ROOT / "docs" / "extraction.md").read_text(encoding="utf-8")
    out: dict[str, dict[str, object]] = {"development": {}, "held_out": {}}
    number = r"([\d.]+|to be measured)"  # a set not measured yet
    for name, *cells in re.findall(
        rf"^\| ([a-z -]+) \| {number} \| {number} \|(?: {number} \| {number} \|)?$", doc, re.M
    ):
        if cells[2]:
            for which, (p, r) in (("development", cells[:2]), ("held_out", cells[2:])):
                if p != "to be measured":
                    out[which][name] = (float(p), float(r))
        elif name in FIGURES:
            for which, value in zip(("development", "held_out"), cells[:2], strict=True):
                if value != "to be measured":
                    out[which][name] = float(value)
    return out


@pytest.mark.parametrize("which", ["development", "held_out"])
def test_quality_does_not_drop_below_what_the_docs_report(session, which):
    if not articles(which):
        pytest.skip("no held-out articles yet: docs/extraction.md says 'to be measured'")
    reported = reported_in_docs()[which]
    assert {"parties", "stages", "events", "dates", "principles", *FIGURES} <= set(reported)
    scores = evaluate(session, which)
    for name, floor in reported.items():
        if isinstance(floor, tuple):
            got = scores[name]
            assert got[0] >= floor[0] - 0.005 and got[1] >= floor[1] - 0.005, (name, got, floor)
        else:
            assert scores[name] >= floor - 0.005, (name, scores[name], floor)


@pytest.mark.xfail(
    strict=True, reason="not met on the held-out set (docs/extraction.md); make it plain once met"
)
def test_held_out_targets(session):
    assert articles("held_out"), "no held-out articles yet"
    scores = evaluate(session, "held_out")
    assert min(scores["stages"]) >= 0.9, scores["stages"]
    assert scores["status accuracy"] >= 0.9
    assert scores["date attribution"] >= 0.85


def test_the_seed_article(session):
    text = (DEFAULT_SEED_DIR / "articles" / "jamaran-2024-01-15.fa.txt").read_text(encoding="utf-8")
    result = suggest(session, text, published="2024-01-15")
    assert result["language"] == "fa"
    assert {"RUS", "IRN"} <= {p["code"] for p in result["parties"]}
    cues = {(e["stage"], e["date"]) for e in result["events"]}
    # «وزارت دفاع روسیه امروز اعلام کرد که مسکو و تهران به زودی یک توافق نامه ... را امضا
    # میکنند»: announcing the agreement itself, pre-ticked
    announcement = [e for e in result["events"] if e["stage"] == "announcement"]
    assert [(e["date"], e["confidence"] >= PRETICK_CONFIDENCE) for e in announcement] == [
        ("2024-01-15", True)
    ]
    assert ("preparation", "2024-01-15") in cues
    signing = next(e for e in result["events"] if e["stage"] == "signing")
    assert signing["status"] == "expected"  # «به زودی ... امضا میکنند»: will sign soon
    assert {"sovereignty", "territorial_integrity", "un_charter"} <= {
        p["code"] for p in result["principles"]
    }


def test_every_span_is_exactly_the_text_it_names(session):
    for article in articles():
        text = article["text"]
        result = suggest(session, text, published=article["published"])
        for field in ("parties", "events", "dates", "principles"):
            for item in result[field]:
                assert text[item["start"] : item["end"]] == item["text"], (article["id"], item)
        for event in result["events"]:
            assert 0 <= event["confidence"] <= 1


# ---------------------------------------------------------------- the journey articles

JOURNEY = json.loads((ROOT / "tests" / "data" / "journey.json").read_text(encoding="utf-8"))
TICKED = {
    "en": {("signing", None, None, "reported", "2025-01-17")},
    "ru": {
        ("ratification", "lower_house", "RUS", "reported", "2025-04-08"),
        ("ratification", "upper_house", "RUS", "reported", "2025-04-16"),
        ("ratification", "head_of_state", "RUS", "reported", "2025-04-21"),
    },
    "fa": {
        ("ratification", "lower_house", "IRN", "reported", "2025-05-21"),
        ("ratification", "constitutional_review", "IRN", "reported", "2025-06-11"),
    },
    "ar": {
        ("ratification", "notification", "RUS", "reported", "2025-09-02"),
        ("ratification", "notification", "IRN", "reported", "2025-09-02"),
        ("entry_into_force", None, None, "reported", "2025-10-02"),
    },
}


@pytest.mark.parametrize("article", JOURNEY, ids=[a["language"] for a in JOURNEY])
def test_a_journey_article_ticks_exactly_its_events(session, article):
    assert article["url"].startswith("https://example.org/")
    result = suggest(session, article["text"], published=article["published"])
    assert result["language"] == article["language"]
    ticked = [e for e in result["events"] if e["confidence"] >= PRETICK_CONFIDENCE]
    got = [(e["stage"], e["step"], e["party"], e["status"], e["date"]) for e in ticked]
    assert sorted(got, key=str) == sorted(TICKED[article["language"]], key=str)
    # whatever else is suggested is unticked, and never a reported ratification by a forecast
    for event in result["events"]:
        if event not in ticked and event["stage"] == "ratification":
            assert event["status"] == "expected" or event["step"] is not None, event


def test_the_english_journey_forecast_is_expected_and_unticked(session):
    article = next(a for a in JOURNEY if a["language"] == "en")
    result = suggest(session, article["text"], published=article["published"])
    forecast = [e for e in result["events"] if e["stage"] == "ratification"]
    assert {(e["party"], e["status"]) for e in forecast} == {
        ("RUS", "expected"),
        ("IRN", "expected"),
    }
    assert all(e["confidence"] < PRETICK_CONFIDENCE for e in forecast)


def test_the_russian_journey_does_not_date_the_approval_with_the_signing(session):
    article = next(a for a in JOURNEY if a["language"] == "ru")
    assert "17 января" in article["text"]
    result = suggest(session, article["text"], published=article["published"])
    signing = [e for e in result["events"] if e["stage"] == "signing"]
    assert all(e["confidence"] < PRETICK_CONFIDENCE for e in signing)
    chain = [e for e in result["events"] if e["stage"] == "ratification"]
    assert "2025-01-17" not in {e["date"] for e in chain}


# ---------------------------------------------------------------- phrasings, per language


def events_of(session, text: str, published: str | None = "2025-04-17") -> list[dict]:
    return suggest(session, text, published=published)["events"]


def claim(events: list[dict], stage: str, step: str | None = None) -> list[dict]:
    return [e for e in events if e["stage"] == stage and e["step"] == step]


@pytest.mark.parametrize(
    ("text", "stage", "step"),
    [
        ("The treaty must now be ratified by both countries' parliaments.", "ratification", None),
        (
            "The treaty will enter into force 30 days after the last notification.",
            "entry_into_force",
            None,
        ),
        (
            "The Federation Council is expected to approve the treaty next week.",
            "ratification",
            "upper_house",
        ),
        (
            "If the Majlis approves it, the treaty goes to the Guardian Council.",
            "ratification",
            "lower_house",
        ),
        ("Договор должен быть ратифицирован Государственной думой.", "ratification", "lower_house"),
        ("Договор вступит в силу через тридцать дней.", "entry_into_force", None),
        ("Ожидается, что Совет Федерации одобрит договор.", "ratification", "upper_house"),
        ("این معاهده باید به تصویب مجلس شورای اسلامی برسد.", "ratification", "lower_house"),
        ("این معاهده پس از مبادله اسناد لازم‌الاجرا خواهد شد.", "entry_into_force", None),
        (
            "انتظار می‌رود شورای نگهبان این معاهده را تأیید کند.",
            "ratification",
            "constitutional_review",
        ),
        ("من المتوقع أن يصادق مجلس الدوما على المعاهدة.", "ratification", "lower_house"),
        ("سوف تدخل المعاهدة حيز التنفيذ بعد ثلاثين يوما.", "entry_into_force", None),
    ],
)
def test_future_obligation_expectation_and_condition_are_expected(session, text, stage, step):
    events = events_of(session, text)
    found = claim(events, stage, step)
    assert found, events
    assert {e["status"] for e in found} == {"expected"}, found
    assert all(e["confidence"] < PRETICK_CONFIDENCE for e in found)


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("The Kremlin announced that the State Duma had ratified the treaty.", "lower_house"),
        ("Кремль объявил, что Государственная дума ратифицировала договор.", "lower_house"),
        (
            "وزارت امور خارجه اعلام کرد که شورای نگهبان معاهده را تأیید کرد.",
            "constitutional_review",
        ),
        ("أعلن الكرملين أن مجلس الدوما صادق على المعاهدة.", "lower_house"),
    ],
)
def test_a_reporting_verb_is_not_an_announcement(session, text, step):
    events = events_of(session, text)
    assert not claim(events, "announcement"), events
    assert [e["status"] for e in claim(events, "ratification", step)] == ["reported"]


@pytest.mark.parametrize(
    "text",
    [
        "The foreign ministry announced that Russia and Iran will soon sign a new treaty.",
        "Кремль объявил, что Россия и Иран скоро подпишут новый договор.",
        "وزارت دفاع روسیه اعلام کرد که مسکو و تهران به زودی یک توافقنامه را امضا می‌کنند.",
        "أعلن الكرملين أن روسيا وإيران ستوقعان قريبا معاهدة جديدة.",
    ],
)
def test_announcing_the_agreement_itself_is_an_announcement(session, text):
    events = events_of(session, text)
    assert [e["status"] for e in claim(events, "announcement")] == ["reported"], events
    assert [e["status"] for e in claim(events, "signing")] == ["expected"]


@pytest.mark.parametrize(
    ("text", "published", "step", "date"),
    [
        (
            "On Wednesday the Federation Council approved the treaty.",
            "2025-04-17",
            "upper_house",
            "2025-04-16",
        ),
        (
            "The State Duma ratified the treaty yesterday.",
            "2025-04-09",
            "lower_house",
            "2025-04-08",
        ),
        (
            "The government submitted the treaty to parliament last month.",
            "2025-03-12",
            "submitted",
            "2025-02",
        ),
        ("Совет Федерации в среду одобрил договор.", "2025-04-17", "upper_house", "2025-04-16"),
        ("Госдума вчера ратифицировала договор.", "2025-04-09", "lower_house", "2025-04-08"),
        (
            "В прошлом месяце Госдума ратифицировала договор.",
            "2025-05-02",
            "lower_house",
            "2025-04",
        ),
        (
            "شورای نگهبان روز دوشنبه معاهده را تأیید کرد.",
            "2025-06-12",
            "constitutional_review",
            "2025-06-09",
        ),
        ("مجلس شورای اسلامی دیروز معاهده را تصویب کرد.", "2025-05-22", "lower_house", "2025-05-21"),
        (
            "مجلس شورای اسلامی ماه گذشته معاهده را تصویب کرد.",
            "2025-06-12",
            "lower_house",
            "2025-05",
        ),
        ("وافق مجلس الاتحاد يوم الأربعاء على المعاهدة.", "2025-04-17", "upper_house", "2025-04-16"),
        ("صادق مجلس الدوما أمس على المعاهدة.", "2025-04-09", "lower_house", "2025-04-08"),
        ("صادق مجلس الدوما على المعاهدة الشهر الماضي.", "2025-05-02", "lower_house", "2025-04"),
    ],
)
def test_relative_dates_read_against_the_publication_date(session, text, published, step, date):
    events = events_of(session, text, published)
    assert [e["date"] for e in claim(events, "ratification", step)] == [date], events


def test_a_weekday_of_a_forecast_is_the_next_one(session):
    events = events_of(
        session, "Russia and North Korea will sign the treaty on Wednesday.", "2024-06-18"
    )
    assert [(e["status"], e["date"]) for e in claim(events, "signing")] == [
        ("expected", "2024-06-19")
    ]


def test_without_a_publication_date_a_weekday_is_not_guessed(session):
    events = events_of(session, "On Wednesday the Federation Council approved the treaty.", None)
    assert [e["date"] for e in claim(events, "ratification", "upper_house")] == [None]


@pytest.mark.parametrize(
    ("text", "published", "step", "date"),
    [
        (
            "On 8 April the State Duma ratified the treaty that the presidents signed on 17 January.",
            "2025-04-09",
            "lower_house",
            "2025-04-08",
        ),
        (
            "Договор, подписанный в Москве 17 января, Совет Федерации одобрил 16 апреля.",
            "2025-04-17",
            "upper_house",
            "2025-04-16",
        ),
        (
            "دومای دولتی روز سه‌شنبه معاهده‌ای را که ۲۸ دی ۱۴۰۳ امضا شده بود تصویب کرد.",
            "2025-04-09",
            "lower_house",
            "2025-04-08",
        ),
        (
            "صادق مجلس الدوما يوم الثلاثاء على المعاهدة التي وقعها الرئيسان في 17 يناير.",
            "2025-04-09",
            "lower_house",
            "2025-04-08",
        ),
    ],
)
def test_a_date_named_for_another_event_is_not_taken(session, text, published, step, date):
    events = events_of(session, text, published)
    assert [e["date"] for e in claim(events, "ratification", step)] == [date], events
    signing = claim(events, "signing")
    assert [e["date"] for e in signing] == ["2025-01-17"]
    assert all(e["confidence"] < PRETICK_CONFIDENCE for e in signing)  # background


def test_a_date_of_the_saying_is_not_the_claims(session):
    events = events_of(
        session,
        "Iran's parliament will debate the treaty, a lawmaker said on Monday.",
        "2025-03-12",
    )
    assert [(e["status"], e["date"]) for e in claim(events, "ratification", "lower_house")] == [
        ("expected", None)
    ]


@pytest.mark.parametrize(
    ("text", "step", "party"),
    [
        ("The State Duma ratified the treaty with Iran.", "lower_house", "RUS"),
        ("Государственная дума ратифицировала договор с Ираном.", "lower_house", "RUS"),
        ("دومای دولتی معاهده با ایران را تصویب کرد.", "lower_house", "RUS"),
        ("صادق مجلس الدوما على المعاهدة مع إيران.", "lower_house", "RUS"),
        ("The Federation Council approved the treaty with Iran.", "upper_house", "RUS"),
        ("Совет Федерации одобрил договор с Ираном.", "upper_house", "RUS"),
        ("شورای فدراسیون معاهده با ایران را تصویب کرد.", "upper_house", "RUS"),
        ("وافق مجلس الاتحاد على المعاهدة مع إيران.", "upper_house", "RUS"),
        (
            "President Putin signed the law on ratification of the treaty with Iran.",
            "head_of_state",
            "RUS",
        ),
        ("Путин подписал закон о ратификации договора с Ираном.", "head_of_state", "RUS"),
        ("پوتین قانون تصویب معاهده با ایران را امضا کرد.", "head_of_state", "RUS"),
        ("وقع بوتين قانون المصادقة على المعاهدة مع إيران.", "head_of_state", "RUS"),
        ("The Guardian Council approved the treaty with Russia.", "constitutional_review", "IRN"),
        ("Совет стражей конституции одобрил договор с Россией.", "constitutional_review", "IRN"),
        ("شورای نگهبان معاهده با روسیه را تأیید کرد.", "constitutional_review", "IRN"),
        ("أقر مجلس صيانة الدستور المعاهدة مع روسيا.", "constitutional_review", "IRN"),
    ],
)
def test_the_step_from_the_body_and_the_act(session, text, step, party):
    events = events_of(session, text)
    found = [(e["stage"], e["step"], e["party"], e["status"]) for e in events]
    assert found == [("ratification", step, party, "reported")], events
    assert events[0]["confidence"] >= PRETICK_CONFIDENCE
    assert not claim(events, "signing")


@pytest.mark.parametrize(
    "text",
    [
        "Russia and North Korea exchanged instruments of ratification on 4 December 2024.",
        "Россия и КНДР обменялись ратификационными грамотами 4 декабря 2024 года.",
        "روسیه و کره شمالی در ۴ دسامبر ۲۰۲۴ اسناد تصویب را مبادله کردند.",
        "تبادلت روسيا وكوريا الشمالية وثائق التصديق في 4 ديسمبر 2024.",
    ],
)
def test_an_exchange_is_every_named_partys_notification(session, text):
    events = events_of(session, text, "2024-12-05")
    assert {
        (e["step"], e["party"], e["date"]) for e in claim(events, "ratification", "notification")
    } == {
        ("notification", "RUS", "2024-12-04"),
        ("notification", "PRK", "2024-12-04"),
    }, events
    assert all(e["confidence"] >= PRETICK_CONFIDENCE for e in events)


@pytest.mark.parametrize(
    "text",
    [
        "Russia and Iran signed the treaty in January. The two sides exchanged the last notifications on 2 September.",
        "Россия и Иран подписали договор в январе. Стороны обменялись последними уведомлениями 2 сентября.",
        "ایران و روسیه معاهده را در ژانویه امضا کردند. دو طرف در ۱۱ شهریور آخرین اطلاعیه‌ها را مبادله کردند.",
        "وقعت روسيا وإيران المعاهدة في يناير. وتبادل البلدان الإخطارات الأخيرة في 2 سبتمبر.",
    ],
)
def test_an_exchange_naming_no_party_is_the_articles_parties(session, text):
    events = events_of(session, text, "2025-09-03")
    assert {(e["party"], e["date"]) for e in claim(events, "ratification", "notification")} == {
        ("RUS", "2025-09-02"),
        ("IRN", "2025-09-02"),
    }, events


@pytest.mark.parametrize(
    ("text", "published", "date"),
    [
        ("امضا در ۲۸ دی ۱۴۰۳ انجام شد.", None, "2025-01-17"),  # Solar Hijri, Persian digits
        ("امضا در ٢٨ دی ١٤٠٣ انجام شد.", None, "2025-01-17"),  # Arabic-Indic digits
        ("امضا در 1403/10/28 انجام شد.", None, "2025-01-17"),
        ("دوشنبه، 15 ژانویه اعلام شد.", "2024-01-16", "2024-01-15"),  # year-less: from published
        ("Signed on 30 December.", "2025-01-03", "2024-12-30"),  # the nearer year, not the same one
        ("Подписан 17 января 2025 года.", None, "2025-01-17"),
        ("وقعت في 17 كانون الثاني 2025.", None, "2025-01-17"),
        ("Signed on January 17, 2025.", None, "2025-01-17"),
        ("Expected in May 2025.", None, "2025-05"),
        ("در خرداد ۱۴۰۴", None, "2025-05-22/2025-06-21"),
        ("Signed yesterday.", "2025-01-18", "2025-01-17"),
        ("Signed on Friday.", "2025-01-18", "2025-01-17"),
    ],
)
def test_dates_in_any_calendar_and_digits(session, text, published, date):
    result = suggest(session, text, published=published)
    assert date in [d["date"] for d in result["dates"]], result["dates"]


def test_a_year_less_date_without_a_publication_date_is_not_guessed(session):
    assert suggest(session, "Signed on 30 December.")["dates"] == []


def test_arabic_clitics_stay_out_of_the_span(session):
    text = "وقّعت روسيا وإيران المعاهدة."
    iran = next(p for p in suggest(session, text)["parties"] if p["code"] == "IRN")
    assert iran["text"] == "إيران"


# ---------------------------------------------------------------- chambers of many states


@pytest.mark.parametrize(
    ("text", "step", "party"),
    [
        ("The Bundestag approved the agreement with Norway on Friday.", "lower_house", "DEU"),
        ("Brazil's Senate approved the agreement with Chile on Friday.", "upper_house", "BRA"),
        ("Сейм Польши одобрил соглашение с Литвой в пятницу.", "lower_house", "POL"),
        ("Сенат Казахстана одобрил соглашение с Китаем.", "upper_house", "KAZ"),
        ("مجلس سنای پاکستان موافقتنامه با چین را تصویب کرد.", "upper_house", "PAK"),
        ("وافق مجلس النواب المصري على الاتفاقية مع اليونان.", "lower_house", "EGY"),
        ("وافق مجلس الأعيان الأردني على الاتفاقية مع العراق.", "upper_house", "JOR"),
        ("Hungary's parliament ratified the protocol on Monday.", "lower_house", "HUN"),
    ],
)
def test_a_chamber_of_another_state_is_that_states_step(session, text, step, party):
    events = claim(events_of(session, text), "ratification", step)
    assert [e["party"] for e in events] == [party], events


@pytest.mark.parametrize(
    "text",
    [
        "صادق مجلس النواب العراقي على الاتفاقية مع الكويت.",
        "صادق مجلس الشورى السعودي على الاتفاقية مع باكستان.",
    ],
)
def test_an_arabic_chamber_is_not_irans_majlis(session, text):
    events = claim(events_of(session, text), "ratification", "lower_house")
    assert events and "IRN" not in {e["party"] for e in events}, events


def test_a_generic_chamber_takes_the_state_whose_chain_the_sentence_follows(session):
    text = "أقر مجلس الأعيان الأردني الاتفاقية مع العراق، بعد أن أقرها مجلس النواب الشهر الماضي."
    events = events_of(session, text)
    assert [e["party"] for e in claim(events, "ratification", "lower_house")] == ["JOR"]


def test_a_president_after_a_chamber_is_that_states_head(session):
    text = (
        "The Turkish parliament ratified the protocol on Finland's accession on 30 March, "
        "and President Erdogan signed the law the next day."
    )
    events = events_of(session, text, "2023-04-05")
    heads = claim(events, "ratification", "head_of_state")
    assert [(e["party"], e["date"]) for e in heads] == [("TUR", "2023-03-31")], events


# ---------------------------------------------------------------- exits, foretelling, dates


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        (
            "President Putin signed a law suspending Russia's participation in the treaty.",
            "suspension",
        ),
        ("Президент подписал закон о денонсации договора с Грузией.", "termination"),
    ],
)
def test_a_signed_law_that_exits_is_that_exit(session, text, stage):
    events = events_of(session, text)
    assert not claim(events, "ratification", "head_of_state"), events
    assert [e["party"] for e in claim(events, stage)] in (["RUS"], [None]), events
    assert claim(events, stage)


@pytest.mark.parametrize(
    "text",
    [
        "The agreement enters into force on 1 July 2025.",
        "Соглашение вступает в силу с 1 июля 2025 года.",
        "وتدخل الاتفاقية حيز التنفيذ في الأول من يوليو 2025.",
        "Обмен ратификационными грамотами состоится в мае.",
    ],
)
def test_a_present_tense_that_foretells_is_expected(session, text):
    events = events_of(session, text, "2025-04-17")
    assert events and {e["status"] for e in events} == {"expected"}, events
    assert all(e["confidence"] < PRETICK_CONFIDENCE for e in events)


def test_a_claim_dated_after_publication_is_expected(session):
    events = events_of(session, "Parliament approves the treaty on 20 May 2025.", "2025-04-17")
    assert events and {e["status"] for e in events} == {"expected"}, events


@pytest.mark.parametrize(
    ("text", "day"),
    [
        (
            "The Duma ratified the treaty on 8 April 2025 and the president signed it the next day.",
            "2025-04-09",
        ),
        (
            "Госдума ратифицировала договор 8 апреля 2025 года, а на следующий день его подписал президент.",
            "2025-04-09",
        ),
        (
            "صادق مجلس الدوما على المعاهدة في 8 أبريل 2025، ووقعها الرئيس في اليوم التالي.",
            "2025-04-09",
        ),
        ("The treaty was signed last year.", "2024"),
        ("Договор был подписан в прошлом году.", "2024"),
        ("این معاهده سال گذشته امضا شد.", "2024"),
        ("وقعت المعاهدة العام الماضي.", "2024"),
    ],
)
def test_dates_counted_from_another(session, text, day):
    dates = {d["date"] for d in suggest(session, text, published="2025-04-17")["dates"]}
    assert day in dates, dates


def test_an_organisation_is_a_party_only_of_its_own_agreement(session):
    acting = suggest(session, "NATO allies responded by suspending the treaty.", published=None)
    assert "NATO" not in {p["code"] for p in acting["parties"]}
    own = suggest(
        session,
        "Iran signed the free trade agreement with the Eurasian Economic Union.",
        published=None,
    )
    assert "EAEU" in {p["code"] for p in own["parties"]}
    assert all(e["party"] != "EAEU" for e in own["events"])


@pytest.mark.parametrize(
    "text",
    [
        "Выход Грузии из соглашения вступил в силу в понедельник.",
        "Georgia's withdrawal from the agreement took effect on Monday.",
    ],
)
def test_an_exit_that_takes_effect_is_no_entry_into_force(session, text):
    events = events_of(session, text)
    assert claim(events, "withdrawal") and not claim(events, "entry_into_force"), events


def test_a_shura_council_is_the_upper_house_where_it_is_one(session):
    bahrain = events_of(session, "صادق مجلس الشورى في البحرين على الاتفاقية مع الهند.")
    saudi = events_of(session, "وافق مجلس الشورى السعودي على الاتفاقية مع الهند.")
    assert [e["party"] for e in claim(bahrain, "ratification", "upper_house")] == ["BHR"]
    assert [e["party"] for e in claim(saudi, "ratification", "lower_house")] == ["SAU"]


@pytest.mark.parametrize(
    ("text", "party"),
    [
        ("Sweden handed the instrument of accession to the depositary on Monday.", "SWE"),
        ("Швеция передала документ о присоединении депозитарию в понедельник.", "SWE"),
        ("سوئد سند الحاق را تحویل داد.", "SWE"),
        ("أودعت السويد وثيقة الانضمام لدى الجهة الوديعة يوم الاثنين.", "SWE"),
    ],
)
def test_an_instrument_of_accession_is_a_notification(session, text, party):
    events = claim(events_of(session, text), "ratification", "notification")
    assert [e["party"] for e in events] == [party], events


# ---------------------------------------------------------------- concluded talks, shared dates


@pytest.mark.parametrize(
    "text",
    [
        "Ghana and Togo concluded negotiations on a maritime boundary agreement on Monday.",
        "Грузия и Армения в понедельник завершили переговоры по соглашению о транзите.",
        "غنا و توگو روز دوشنبه مذاکرات را به پایان رساندند.",
        "أعلنت غانا وتوغو اختتام المفاوضات بشأن اتفاقية الحدود البحرية يوم الاثنين.",
    ],
)
def test_concluded_talks_are_an_announcement(session, text):
    events = events_of(session, text, "2025-04-17")
    assert claim(events, "announcement"), events
    assert not claim(events, "preparation"), events


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("وكان البرلمان قد صادق على الاتفاقية في جوان الماضي.", "2024-06"),
        ("صادق مجلس الأمة على الاتفاقية في 3 أفريل 2024.", "2024-04-03"),
        ("وقعت تونس والجزائر الاتفاقية في جويلية الماضي.", "2024-07"),
    ],
)
def test_maghreb_month_names(session, text, day):
    events = events_of(session, text, "2024-09-20")
    assert day in {e["date"] for e in events}, events


def test_a_date_after_one_verb_of_two_chambers_dates_both(session):
    text = "وكان المجلس الشعبي الوطني ومجلس الأمة قد صادقا على الاتفاقية في مايو الماضي."
    events = events_of(session, text, "2024-07-15")
    got = {(e["step"], e["date"]) for e in claim(events, "ratification", "lower_house")}
    got |= {(e["step"], e["date"]) for e in claim(events, "ratification", "upper_house")}
    assert got == {("lower_house", "2024-05"), ("upper_house", "2024-05")}, events
    # each chamber with its own date keeps its own
    text = "Палата представителей одобрила документ 3 июня, Совет Республики — 11 июня."
    events = events_of(session, text, "2024-07-15")
    assert [e["date"] for e in claim(events, "ratification", "upper_house")] == ["2024-06-11"]


@pytest.mark.parametrize(
    ("text", "party"),
    [
        ("The Chilean President signed the law ratifying the treaty with Japan on Monday.", "CHL"),
        ("Hungarian President Tamas Sulyok signed the law on the protocol with Serbia.", "HUN"),
    ],
)
def test_a_title_after_a_states_adjective_is_that_states(session, text, party):
    events = claim(events_of(session, text), "ratification", "head_of_state")
    assert [e["party"] for e in events] == [party], events


def test_an_exit_without_its_party_is_not_ticked(session):
    events = events_of(session, "The withdrawal from the climate accord was signed on Monday.")
    exits = claim(events, "withdrawal")
    assert exits and all(e["confidence"] < PRETICK_CONFIDENCE for e in exits), events


@pytest.mark.parametrize(
    "text",
    [
        "Парламент Грузии в среду проголосовал за денонсацию соглашения о свободной торговле.",
        "The Serbian parliament voted on Wednesday for the withdrawal from the convention.",
    ],
)
def test_a_vote_on_an_exit_is_that_exit(session, text):
    events = events_of(session, text)
    assert not claim(events, "ratification", "lower_house"), events
    assert {e["stage"] for e in events} & {"termination", "withdrawal"}, events


def test_the_same_day_is_the_day_named_before_never_a_month(session):
    text = (
        "Ghana and Togo exchanged the instruments of ratification in Accra on Tuesday. "
        "The accord, signed in May 2024, entered into force the same day."
    )
    events = events_of(session, text, "2025-04-17")
    assert [e["date"] for e in claim(events, "entry_into_force")] == ["2025-04-15"], events


@pytest.mark.parametrize(
    "text",
    [
        "Ghana and Togo signed the accord a week after the summit in Lome on 3 March 2025.",
        "غنا و توگو این توافق را یک هفته پس از نشست لومه در ۳ مارس ۲۰۲۵ امضا کردند.",
    ],
)
def test_a_date_after_after_is_the_other_events(session, text):
    events = claim(events_of(session, text), "signing")
    assert events and all(e["date"] != "2025-03-03" for e in events), events


@pytest.mark.parametrize(
    ("text", "week"),
    [
        ("The Senate of Ghana will vote on the accord next week.", "2025-04-21/2025-04-27"),
        ("Сенат Казахстана рассмотрит соглашение на следующей неделе.", "2025-04-21/2025-04-27"),
        ("پارلمان ارمنستان هفته گذشته این توافق را تصویب کرد.", "2025-04-07/2025-04-13"),
        ("صادق مجلس الأعيان الأردني على الاتفاقية الأسبوع الماضي.", "2025-04-07/2025-04-13"),
    ],
)
def test_last_and_next_week_are_monday_to_sunday(session, text, week):
    events = events_of(session, text, "2025-04-17")  # a Thursday
    assert week in {e["date"] for e in events}, events


def test_the_next_few_weeks_are_no_week(session):
    text = "انتظار می‌رود مجلس تا چند هفته آینده این توافق را تصویب کند."
    assert not [d for d in suggest(session, text, published="2025-04-17")["dates"]]


@pytest.mark.parametrize(
    "text",
    [
        "The bill goes to President Mahama, who is expected to sign it into law.",
        "Закон направлен на рассмотрение в Совет Федерации.",
    ],
)
def test_a_forecast_apart_from_its_body_or_a_purpose_is_expected(session, text):
    events = events_of(session, text)
    assert events and {e["status"] for e in events} == {"expected"}, events


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Президент Армении подписал закон. Закон официально опубликован в среду.", "reported"),
        ("The law will be published in the Journal of Laws next month.", "expected"),
    ],
)
def test_a_law_published_officially_is_its_promulgation(session, text, status):
    events = claim(events_of(session, text), "ratification", "promulgation")
    assert [e["status"] for e in events] == [status], events


def test_an_arabic_referral_in_the_future_is_expected(session):
    text = "وقال الوزير إن الاتفاقية ستُحال إلى مجلس النواب اللبناني."
    events = claim(events_of(session, text), "ratification", "submitted")
    assert [e["status"] for e in events] == ["expected"], events


def test_a_persian_instrument_of_ratification_handed_over_is_a_notification(session):
    text = "سند تصویب این موافقت‌نامه از سوی ترکمنستان تحویل شد."
    events = claim(events_of(session, text), "ratification", "notification")
    assert [e["party"] for e in events] == ["TKM"], events


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Ghana and Togo signed the accord in 2011, after talks that began in 2008.", "2011"),
        ("Соглашение было подписано в 2011 году в Аккре.", "2011"),
        ("این موافقت‌نامه در سال ۲۰۱۱ در آکرا امضا شد.", "2011"),
        ("الاتفاقية الموقعة مع غانا عام 2011.", "2011"),
    ],
)
def test_a_year_named_alone_dates_its_claim(session, text, year):
    events = claim(events_of(session, text), "signing")
    assert [e["date"] for e in events] == [year], events


def test_an_arabic_adjective_names_its_state(session):
    text = "أعلنت الحكومة التشادية إنهاء اتفاقية التعاون الدفاعي مع فرنسا."
    result = suggest(session, text, published="2025-04-17")
    assert "TCD" in {p["code"] for p in result["parties"]}, result["parties"]


@pytest.mark.parametrize(
    "text",
    [
        "Ghana, Togo and Benin announced their withdrawal from the regional pact.",
        "Гана, Нигер и Бенин объявили о выходе из регионального пакта.",
    ],
)
def test_an_exit_of_a_list_of_states_is_each_ones(session, text):
    events = claim(events_of(session, text), "withdrawal")
    assert {e["party"] for e in events} >= {"GHA", "BEN"}, events
    assert all(e["confidence"] < PRETICK_CONFIDENCE for e in events)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("ومن المقرر أن يصدّق عليها رئيس الجمهورية المصري.", "expected"),
        ("President Tokayev ratified the agreement with Ghana on Monday.", "reported"),
    ],
)
def test_a_head_of_state_by_a_verb_of_ratification_is_that_step(session, text, status):
    events = claim(events_of(session, text), "ratification", "head_of_state")
    assert [e["status"] for e in events] == [status], events


# The party of a wanted suggestion that may be any (the sentence names none).
ANY_PARTY = "any party"

# The rules the misses of the fourth held-out set prompted (docs/extraction.md), each on
# sentences of its own: (text, published, a suggestion expected among the events as
# (stage, step, party, status, date)).
FOURTH_ROUND = [
    (  # a state's exit is its announcing, on that day
        "Mali's government announced on Sunday that it was withdrawing from the regional group.",
        "2022-05-19",
        ("withdrawal", None, "MLI", "reported", "2022-05-15"),
    ),
    (
        "Власти Мали, Буркина-Фасо и Нигера в воскресенье объявили о выходе из сообщества.",
        "2024-02-01",
        ("withdrawal", None, "BFA", "reported", "2024-01-28"),
    ),
    (  # a deposit is its subject's, each state of a list
        "Mexico and Argentina deposited their instruments of ratification in New York on 22 January.",
        "2021-04-15",
        ("ratification", "notification", "ARG", "reported", "2021-01-22"),
    ),
    (
        "India deposited its instrument on 2 October, and Nepal deposited its instrument on 5 October.",
        "2016-11-03",
        ("ratification", "notification", "NPL", "reported", "2016-10-05"),
    ),
    (  # entry into force for one party
        "The statute will enter into force for Palestine on 1 April.",
        "2015-01-08",
        ("entry_into_force", None, "PSE", "expected", "2015-04-01"),
    ),
    (  # the other side, after "with", does not act
        "Uruguay's government on Monday submitted to parliament the agreement with Chile.",
        "2017-05-18",
        ("ratification", "submitted", "URY", "reported", "2017-05-15"),
    ),
    (  # "the same day" is the day of the claim before, not of a background date
        "Жогорку Кенеш в среду ратифицировал договор с Таджикистаном, подписанный 13 марта. "
        "В тот же день документ одобрила Маджлиси намояндагон, нижняя палата парламента "
        "Таджикистана.",
        "2025-03-20",
        ("ratification", "lower_house", "TJK", "reported", "2025-03-19"),
    ),
    (  # Afghanistan's names of the solar months, after a day
        "ولسی جرگه این موافقتنامه را ۲ قوس و مشرانو جرگه ۶ قوس تصویب کرده بودند.",
        "2015-01-01",
        ("ratification", "upper_house", "AFG", "reported", "2014-11-27"),
    ),
    (  # «اول»: the first day of the month
        "خروج ترکیه از این کنوانسیون از اول ژوئیه اجرایی خواهد شد.",
        "2021-03-25",
        ("withdrawal", None, "TUR", "expected", "2021-07-01"),
    ),
    (  # "Jr." ends no sentence
        "On Tuesday, President Ferdinand Marcos Jr. signed the law ratifying the agreement.",
        "2024-12-19",
        ("ratification", "head_of_state", "PHL", "reported", "2024-12-17"),
    ),
    (  # an entry into force on the day of signing
        "بحرین و ایالات متحده روز چهارشنبه ۲۲ شهریور ۱۴۰۲ این توافقنامه را امضا کردند. "
        "این توافقنامه از روز امضا لازم‌الاجرا شد.",
        "2023-09-14",
        ("entry_into_force", None, None, "reported", "2023-09-13"),
    ),
    (  # a law a head of state is to sign
        "The law now goes to President Kassym-Jomart Tokayev, who is expected to sign it.",
        "2023-08-24",
        ("ratification", "head_of_state", "KAZ", "expected", None),
    ),
    (  # a decree of ratification
        "أصدر جلالة السلطان هيثم بن طارق، أمس الأربعاء، مرسوماً سلطانياً بالتصديق على اتفاقية "
        "بين سلطنة عُمان والمملكة المتحدة.",
        "2025-04-24",
        ("ratification", "head_of_state", "OMN", "reported", "2025-04-23"),
    ),
    (  # a cabinet ratifies with no step
        "صادق مجلس الوزراء الإماراتي، يوم الاثنين، على معاهدة السلام مع إسرائيل.",
        "2020-10-22",
        ("ratification", None, "ARE", "reported", "2020-10-19"),
    ),
    (  # the lower house that passed a bill before, not the country named by it
        "أقر مجلس الأعيان الأردني، يوم الأحد، مشروع قانون التصديق على اتفاقية بين المملكة "
        "الأردنية الهاشمية وجمهورية العراق كما ورد من مجلس النواب، الذي كان قد أقره في 24 مايو.",
        "2022-06-09",
        ("ratification", "lower_house", "JOR", "reported", "2022-05-24"),
    ),
    (  # revoking is a termination, announced that day
        "Niger's ruling military said on Saturday it was revoking the military cooperation "
        "agreement with the United States.",
        "2024-03-21",
        ("termination", None, "NER", "reported", "2024-03-16"),
    ),
    (  # freezing one's participation is a suspension
        "Армения заморозила своё участие в Организации Договора о коллективной безопасности.",
        "2024-02-22",
        ("suspension", None, "ARM", "reported", None),
    ),
    (  # an announcement to come
        "India and the United Kingdom aim to conclude the deal by October.",
        "2022-01-20",
        ("announcement", None, None, "expected", "2022-10"),
    ),
    (  # initialling the text announces the agreement
        "وزیران خارجه دو کشور روز جمعه متن توافقنامه صلح را پاراف کردند.",
        "2025-08-14",
        ("announcement", None, None, "reported", "2025-08-08"),
    ),
]


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        (
            "The deal provides for the withdrawal of Israeli forces from southern Lebanon.",
            "withdrawal",
        ),
        ("وينص الاتفاق على انسحاب القوات الإسرائيلية من جنوب لبنان خلال 60 يوماً.", "withdrawal"),
        ("Eritrea is the only member not to have signed, leaving Benin as the host.", "withdrawal"),
    ],
)
def test_what_only_looks_like_an_exit_claims_none(session, text, stage):
    assert claim(events_of(session, text), stage) == []


def test_a_city_named_like_a_weekday_dates_nothing(session):
    text = "معاهده‌ای که ۳۰ فروردین ۱۴۰۳ در شهر دوشنبه امضا شده بود، تصویب شد."
    result = suggest(session, text, published="2024-05-30")
    assert [d["date"] for d in result["dates"]] == ["2024-04-18"], result["dates"]


# The rules the misses of the fifth held-out set prompted (docs/extraction.md).
FIFTH_ROUND = [
    (  # abbreviated English months, whose full stop ends no sentence
        "The agreement, signed in Asunción on Aug. 14, 2024, was ratified by Paraguay.",
        "2026-05-21",
        ("signing", None, None, "reported", "2024-08-14"),
    ),
    (  # "last June": the last June before publication
        "Colombia's Congress passed the law in 2025 and President Gustavo Petro signed it last June.",
        "2026-04-27",
        ("ratification", "head_of_state", "COL", "reported", "2025-06"),
    ),
    (  # a dateline's date is the report's
        "عمّان 2 أيلول (بترا)- أقر مجلس الأعيان الأردني، في جلسة عقدها الاثنين، مشروع قانون "
        "التصديق على الاتفاقية.",
        "2026-09-02",
        ("ratification", "upper_house", "JOR", "reported", "2026-08-31"),
    ),
    (  # a month before "last year"; a month after «در ماه»
        "این معاهده اوت سال گذشته امضا شده بود و جوگورکو کنش نیز در ماه دسامبر آن را تصویب کرده است.",
        "2026-01-28",
        ("ratification", "lower_house", "KGZ", "reported", "2025-12"),
    ),
    (  # the notice of an exit is the exit, each state's of a list
        "أودعت مالي وبوركينا فاسو والنيجر، يوم الجمعة، إخطارات انسحابها من نظام روما الأساسي.",
        "2026-12-01",
        ("withdrawal", None, "BFA", "reported", "2026-11-27"),
    ),
    (  # a chamber's vote on an exit is its state's exit
        "Жогорку Кенеш Киргизии во вторник одобрил законопроект о денонсации соглашения между "
        "Киргизией и Турцией.",
        "2026-07-15",
        ("termination", None, "KGZ", "reported", "2026-07-14"),
    ),
    (  # a participle is not governed by the negation of another verb
        "لم يصادق مجلس النواب اللبناني بعد على الاتفاقية مع قبرص، الموقعة في بعبدا في 26 "
        "تشرين الثاني 2025.",
        "2026-08-19",
        ("signing", None, None, "reported", "2025-11-26"),
    ),
    (  # a date after «که» dates the clause's verb, it does not name the agreement
        "بر اساس این توافقنامه که 17 سپتامبر 2025 در ریاض امضا شد، تجاوز به یکی تجاوز به هر دو است.",
        "2026-05-06",
        ("signing", None, None, "reported", "2025-09-17"),
    ),
    (  # the exchange that "took place on Friday"
        "Обмен ратификационными грамотами по соглашению между Таджикистаном и Китаем состоялся "
        "в пятницу в Пекине, а в понедельник документ вступил в силу.",
        "2026-08-12",
        ("ratification", "notification", "CHN", "reported", "2026-08-07"),
    ),
    (  # «приостанавливает», a present that foretells, from a day to come
        "Россия с 1 декабря приостанавливает действие соглашения с Финляндией.",
        "2026-11-04",
        ("suspension", None, "RUS", "expected", "2026-12-01"),
    ),
    (  # a head of state's endorsement of the law in Persian
        "انتظار می‌رود رئیس‌جمهور عراق ظرف ۱۵ روز قانون را توشیح کند.",
        "2026-07-22",
        ("ratification", "head_of_state", "IRQ", "expected", None),
    ),
    (  # a congress of a unicameral state is its chamber
        "کنگره ملی هندوراس روز پنجشنبه موافقتنامه تجارت آزاد با چین را تصویب کرد.",
        "2026-08-26",
        ("ratification", "lower_house", "HND", "reported", "2026-08-20"),
    ),
    (  # "for Pakistan", before the verb in Persian
        "این سند ۹۰ روز پس از تسلیم برای پاکستان لازم‌الاجرا خواهد شد.",
        "2026-11-11",
        ("entry_into_force", None, "PAK", "expected", None),
    ),
    (  # an expiry is a termination; "this year"
        "معاهده تقسیم آب رود گنگ در دسامبر امسال منقضی می‌شود.",
        "2026-04-15",
        ("termination", None, None, "expected", "2026-12"),
    ),
    (  # the next round of talks, to come
        "دور بعدی مذاکرات کمیسیون مشترک دو کشور ماه آینده در دهلی نو برگزار خواهد شد.",
        "2026-04-15",
        ("preparation", None, None, "expected", "2026-05"),
    ),
    (  # both governments notifying each other
        "It will not enter into force until both governments notify each other that their "
        "procedures are complete.",
        "2026-01-14",
        ("ratification", "notification", ANY_PARTY, "expected", None),
    ),
]


# The rules the misses of the sixth held-out set prompted (docs/extraction.md).
SIXTH_ROUND = [
    (  # a head of state named before "to ratify it"
        "The court's ruling clears the way for President Juan Manuel Santos to ratify it.",
        "2018-01-11",
        ("ratification", "head_of_state", ANY_PARTY, "expected", None),
    ),
    (  # the ratification act a president signs
        "President Yoweri Museveni of Uganda signed the ratification act on Aug. 28.",
        "2018-09-10",
        ("ratification", "head_of_state", "UGA", "reported", "2018-08-28"),
    ),
    (  # a law sent to the president for signature
        "Закон о ратификации соглашения направлен на подпись президенту Шавкату Мирзиёеву.",
        "2022-07-01",
        ("ratification", "head_of_state", "UZB", "expected", None),
    ),
    (  # «его подпишет»: the pronoun before the verb
        "Закон теперь должен одобрить Сенат, после чего его подпишет президент Касым-Жомарт Токаев.",
        "2023-10-14",
        ("ratification", "head_of_state", "KAZ", "expected", None),
    ),
    (  # one verb's modality governs each of its chambers
        "It must still be approved by Australia's parliament and by Peru's Congress.",
        "2017-11-12",
        ("ratification", "lower_house", "PER", "expected", None),
    ),
    (  # a chamber passing a law on an exit passes the exit
        "Литва вышла из конвенции. Закон о выходе из конвенции Сейм принял в июле прошлого года, "
        "сославшись на угрозу со стороны России.",
        "2025-03-07",
        ("withdrawal", None, "LTU", "reported", "2024-07"),
    ),
    (  # "the law" an earlier sentence said enacts an exit
        "Путин подписал закон о приостановлении действия договора. Госдума и Совет Федерации "
        "приняли закон 22 февраля.",
        "2023-03-01",
        ("suspension", None, "RUS", "reported", "2023-02-22"),
    ),
    (  # days written as Arabic ordinals
        "وكان مجلس الشعب السوري قد أقر مشروع القانون في الرابع عشر من الشهر الماضي.",
        "2021-04-05",
        ("ratification", "lower_house", "SYR", "reported", "2021-03-14"),
    ),
    (
        "وكانت فلسطين قد أودعت صك انضمامها لدى الأمين العام للأمم المتحدة في الثاني من يناير "
        "الماضي، بعد أن رفض مجلس الأمن مشروع قرار.",
        "2015-04-01",
        ("ratification", "notification", "PSE", "reported", "2015-01-02"),
    ),
    (  # one date for two chambers of one verb, joined by "and"
        "مجلس نمایندگان تاجیکستان و جوگورکو کنش قرقیزستان روز چهارشنبه معاهده مرزی دو کشور را "
        "تصویب کردند.",
        "2025-03-20",
        ("ratification", "lower_house", "TJK", "reported", "2025-03-19"),
    ),
    (  # the pair after "between" does not act
        "The law ratifying the agreement between Senegal and Mauritania, adopted by the National "
        "Assembly on Nov. 10, was published in Senegal's Journal Officiel on Thursday.",
        "2026-11-20",
        ("ratification", "lower_house", "SEN", "reported", "2026-11-10"),
    ),
    (  # a possible exit is not one
        "Эстония и Латвия обсуждают возможный выход из Оттавской конвенции.",
        "2025-03-07",
        ("withdrawal", None, "EST", "expected", None),
    ),
]


def test_the_security_council_is_no_chamber(session):
    text = "رفض مجلس الأمن الدولي في 30 ديسمبر 2014 مشروع القرار."
    assert suggest(session, text, published="2015-04-01")["parties"] == []


# The rules the misses of the seventh held-out set prompted (docs/extraction.md).
SEVENTH_ROUND = [
    (  # a bill raised to the king for ratification: to come
        "ويُرفع القانون إلى جلالة الملك عبدالله الثاني للمصادقة عليه تمهيدا لنشره في الجريدة "
        "الرسمية.",
        "2019-04-15",
        ("ratification", "head_of_state", "JOR", "expected", None),
    ),
    (  # an untold head of state is the dateline country's
        "مسقط في 4 أكتوبر /العمانية/ أصدر حضرة صاحب الجلالة السلطان هيثم بن طارق المعظم اليوم "
        "مرسومًا سلطانيًّا بالتصديق على اتفاقية إنشاء مركز مع الهند.",
        "2021-10-04",
        ("ratification", "head_of_state", "OMN", "reported", "2021-10-04"),
    ),
    (  # "in May and June respectively"
        "Договор одобрили бундестаг и бундесрат в мае и июне соответственно.",
        "2016-07-07",
        ("ratification", "upper_house", "DEU", "reported", "2016-06"),
    ),
    (  # a year-less day of a past verb: the last one
        "Mexico's Senate ratified the pact, which the leaders signed in Buenos Aires on Nov. 30.",
        "2019-06-20",
        ("signing", None, None, "reported", "2018-11-30"),
    ),
    (  # the addressee of a notice does not act
        "Ecuador on Tuesday formally notified the United States that it was terminating their "
        "1993 bilateral investment treaty.",
        "2017-05-19",
        ("termination", None, "ECU", "reported", "2017-05-16"),
    ),
    (  # a chamber's vote on an exit, after it
        "Ecuador notified the United States that it was terminating the treaty. The National "
        "Assembly had endorsed the termination in a vote earlier this month.",
        "2017-05-19",
        ("termination", None, "ECU", "reported", "2017-05"),
    ),
    (  # a Persian adjective of a state (بنگلادشی)
        "نارندرا مودی، نخست‌وزیر هند، و شیخ حسینه، همتای بنگلادشی او، روز شنبه در داکا اسناد "
        "تصویب موافقتنامه مرزی را مبادله کردند.",
        "2015-06-07",
        ("ratification", "notification", "BGD", "reported", "2015-06-06"),
    ),
    (  # a Persian past auxiliary is not governed by «خواهد» in the next clause
        "ارمنستان روز سه‌شنبه سند تصویب اساسنامه رم را به دبیرکل سازمان ملل متحد تحویل داد و "
        "این اساسنامه از اول فوریه ۲۰۲۴ برای ارمنستان لازم‌الاجرا خواهد شد.",
        "2023-11-15",
        ("ratification", "notification", "ARM", "reported", "2023-11-14"),
    ),
    (  # a ratification not required is not reported
        "Соглашение вступит в силу после уведомлений; ратификация в Конгрессе США для этого не "
        "требуется.",
        "2025-05-09",
        ("ratification", "lower_house", "USA", "expected", None),
    ),
    (  # the dual chambers of a verb before them share the date after them
        "وافق مجلسا البرلمان الصومالي، مجلس الشعب ومجلس الشيوخ، يوم الأربعاء على الاتفاقية.",
        "2024-02-22",
        ("ratification", "lower_house", "SOM", "reported", "2024-02-21"),
    ),
]


EIGHTH_ROUND = [
    (  # a participle describes the agreement signed: past, whatever the main verb
        "Parliament will debate next week the transit agreement signed with Georgia on March 3.",
        "2022-06-10",
        ("signing", None, None, "reported", "2022-03-03"),
    ),
    (
        "Госдума рассмотрит в среду соглашение с Монголией, подписанное в Улан-Баторе 5 мая.",
        "2023-09-04",
        ("signing", None, None, "reported", "2023-05-05"),
    ),
    (
        "ستحيل الحكومة اتفاقية النقل مع الأردن، الموقعة في عمان في 12 مارس، إلى البرلمان.",
        "2021-07-01",
        ("signing", None, None, "reported", "2021-03-12"),
    ),
    (  # a Persian relative clause in the past inside a sentence of intent
        "دولت قصد دارد موافقتنامه‌ای را که ۱۲ فروردین در باکو امضا شد، به مجلس ارائه کند.",
        "2023-06-01",
        ("signing", None, None, "reported", "2023-04-01"),
    ),
    (  # a word that is Iran's chamber, said of another state's
        "مجلس ارمنستان این موافقتنامه را روز چهارشنبه تصویب کرد.",
        "2022-02-18",
        ("ratification", "lower_house", "ARM", "reported", "2022-02-16"),
    ),
    (  # a condition: "cannot … unless"
        "The accord cannot take effect unless both legislatures approve it.",
        "2020-01-10",
        ("entry_into_force", None, None, "expected", None),
    ),
    (  # an exit that takes effect after its long name: to come, on the next such day
        "Выход Венгрии из Договора о сотрудничестве и взаимной помощи в таможенных делах "
        "вступит в силу 1 марта, сообщили в министерстве.",
        "2024-11-20",
        ("withdrawal", None, "HUN", "expected", "2025-03-01"),
    ),
    (  # the first to deposit: each state listed, done
        "Fiji and Samoa were the first to deposit their instruments, on April 4.",
        "2019-05-02",
        ("ratification", "notification", "WSM", "reported", "2019-04-04"),
    ),
    (  # on course to deposit: to come
        "Ghana is on course to deposit its instrument of ratification with the depositary.",
        "2019-05-02",
        ("ratification", "notification", "GHA", "expected", None),
    ),
    (  # "the two countries" far from the chamber: not both countries' chambers
        "Peru's Congress on Monday approved an accord with Chile that the two countries signed "
        "in Lima last year. The Senate had backed it in May.",
        "2019-07-10",
        ("ratification", "upper_house", "PER", "reported", "2019-05"),
    ),
    (  # a verb of sending and the legislature it sends to: the submission
        "Mongolia's government submitted the air services agreement with Japan to parliament "
        "on Friday.",
        "2018-10-22",
        ("ratification", "submitted", "MNG", "reported", "2018-10-19"),
    ),
    (
        "دولت روز یکشنبه لایحه موافقتنامه با عراق را به مجلس شورای اسلامی تقدیم کرد.",
        "2019-11-26",
        ("ratification", "submitted", "IRN", "reported", "2019-11-24"),
    ),
    (  # dates joined by the Arabic "and" written onto the day, "respectively"
        "صادق مجلس النواب ومجلس الشيوخ على الاتفاقية في 3 مايو و17 مايو على التوالي.",
        "2023-06-01",
        ("ratification", "upper_house", ANY_PARTY, "reported", "2023-05-17"),
    ),
    (  # a legislative assembly is a legislature's only or lower chamber
        "El Salvador's Legislative Assembly ratified the treaty on Thursday.",
        "2020-02-21",
        ("ratification", "lower_house", "SLV", "reported", "2020-02-20"),
    ),
    (  # a generic parliament of a state with one chamber; "take up"
        "Tuvalu's parliament is expected to take up the treaty next year.",
        "2023-12-12",
        ("ratification", "lower_house", "TUV", "expected", "2024"),
    ),
    (  # "the pact it signed": a relative clause without "that", past
        "Vanuatu has not yet ratified the pact it signed with Fiji on Dec. 13.",
        "2023-02-18",
        ("signing", None, None, "reported", "2022-12-13"),
    ),
    (  # the last written notification: every party's
        "Соглашение между Россией и Арменией вступит в силу с даты получения последнего "
        "письменного уведомления.",
        "2021-03-01",
        ("ratification", "notification", "ARM", "expected", None),
    ),
]


@pytest.mark.parametrize(
    ("text", "published", "wanted"),
    FOURTH_ROUND + FIFTH_ROUND + SIXTH_ROUND + SEVENTH_ROUND + EIGHTH_ROUND,
)
def test_the_rules_of_each_round(session, text, published, wanted):
    """Each rule the misses of a held-out set prompted, on a sentence of its own: a
    suggestion (stage, step, party, status, date) among the events; ANY_PARTY where the
    sentence names no party the rule is about."""
    events = events_of(session, text, published)
    got = [(e["stage"], e["step"], e["party"], e["status"], e["date"]) for e in events]
    if wanted[2] is ANY_PARTY:
        got = [(s, st, ANY_PARTY, status, d) for s, st, _, status, d in got]
    assert wanted in got, got


def test_a_noun_of_ratification_by_a_chamber_is_not_ticked(session):
    text = "ولا تزال الوثيقة بانتظار مصادقة مجلس الشورى الإسلامي في إيران."
    events = claim(events_of(session, text, "2023-07-12"), "ratification", "lower_house")
    assert [(e["party"], e["status"]) for e in events] == [("IRN", "expected")], events
    assert all(e["confidence"] < PRETICK_CONFIDENCE for e in events)


# Multilateral facts (SPEC §2b): each phrase of an instrument's kind, a revocation of a
# ratification, a party's withdrawal, suspension and resumption, in each language; the
# wanted suggestion is (stage, step, party, status, date, consent_type).
MULTILATERAL = [
    (
        "Palau deposited its instrument of accession to the agreement on Tuesday.",
        "2024-01-24",
        ("ratification", "notification", "PLW", "reported", "2024-01-23", "accession"),
    ),
    (
        "Palau acceded to the agreement on Monday.",
        "2024-01-24",
        ("ratification", "notification", "PLW", "reported", "2024-01-22", "accession"),
    ),
    (
        "Chile deposited its instrument of acceptance on 19 September 2025.",
        "2025-09-20",
        ("ratification", "notification", "CHL", "reported", "2025-09-19", "acceptance"),
    ),
    (
        "France deposited its instrument of approval on 19 September 2025.",
        "2025-09-20",
        ("ratification", "notification", "FRA", "reported", "2025-09-19", "approval"),
    ),
    (
        "Belgium deposited its instrument of ratification on 19 September 2025.",
        "2025-09-20",
        ("ratification", "notification", "BEL", "reported", "2025-09-19", "ratification"),
    ),
    (
        "Russia revoked its ratification of the Comprehensive Nuclear-Test-Ban Treaty on "
        "2 November 2023.",
        "2023-11-03",
        ("ratification", "revocation", "RUS", "reported", "2023-11-02", None),
    ),
    (
        "Russia resumed its participation in the treaty on Monday.",
        "2025-04-17",
        ("resumption", None, "RUS", "reported", "2025-04-14", None),
    ),
    (
        "Iran withdrew from the convention on Monday.",
        "2025-04-17",
        ("withdrawal", None, "IRN", "reported", "2025-04-14", None),
    ),
    (
        "Russia suspended its participation in the New START treaty on 21 February 2023.",
        "2023-02-22",
        ("suspension", None, "RUS", "reported", "2023-02-21", None),
    ),
    (
        "Палау присоединилась к соглашению 22 января 2024 года.",
        "2024-01-24",
        ("ratification", "notification", "PLW", "reported", "2024-01-22", "accession"),
    ),
    (
        "Россия сдала на хранение ратификационную грамоту 19 сентября 2025 года.",
        "2025-09-20",
        ("ratification", "notification", "RUS", "reported", "2025-09-19", "ratification"),
    ),
    (
        "Россия отозвала ратификацию Договора о всеобъемлющем запрещении ядерных испытаний "
        "2 ноября 2023 года.",
        "2023-11-03",
        ("ratification", "revocation", "RUS", "reported", "2023-11-02", None),
    ),
    (
        "Путин подписал закон об отзыве ратификации ДВЗЯИ 2 ноября 2023 года.",
        "2023-11-03",
        ("ratification", "revocation", "RUS", "reported", "2023-11-02", None),
    ),
    (
        "Россия возобновила участие в договоре 14 апреля 2025 года.",
        "2025-04-17",
        ("resumption", None, "RUS", "reported", "2025-04-14", None),
    ),
    (
        "Россия приостановила участие в договоре СНВ-3 21 февраля 2023 года.",
        "2023-02-22",
        ("suspension", None, "RUS", "reported", "2023-02-21", None),
    ),
    (
        "Молдавия вышла из соглашения 14 апреля 2025 года.",
        "2025-04-17",
        ("withdrawal", None, "MDA", "reported", "2025-04-14", None),
    ),
    (
        "ایران روز دوشنبه سند الحاق خود به این کنوانسیون را به امانت سپرد.",
        "2025-04-17",
        ("ratification", "notification", "IRN", "reported", "2025-04-14", "accession"),
    ),
    (
        "ایران روز دوشنبه به این کنوانسیون پیوست.",
        "2025-04-17",
        ("ratification", "notification", "IRN", "reported", "2025-04-14", "accession"),
    ),
    (
        "روسیه روز دوشنبه تصویب خود را لغو کرد.",
        "2025-04-17",
        ("ratification", "revocation", "RUS", "reported", "2025-04-14", None),
    ),
    (
        "روسیه روز دوشنبه مشارکت خود در این پیمان را از سر گرفت.",
        "2025-04-17",
        ("resumption", None, "RUS", "reported", "2025-04-14", None),
    ),
    (
        "روسیه روز دوشنبه مشارکت خود در این پیمان را تعلیق کرد.",
        "2025-04-17",
        ("suspension", None, "RUS", "reported", "2025-04-14", None),
    ),
    (
        "ایران روز دوشنبه از این کنوانسیون خارج شد.",
        "2025-04-17",
        ("withdrawal", None, "IRN", "reported", "2025-04-14", None),
    ),
    (
        "أودعت فلسطين صك الانضمام إلى الاتفاقية يوم الاثنين.",
        "2025-04-17",
        ("ratification", "notification", "PSE", "reported", "2025-04-14", "accession"),
    ),
    (
        "انضمت فلسطين إلى الاتفاقية يوم الاثنين.",
        "2025-04-17",
        ("ratification", "notification", "PSE", "reported", "2025-04-14", "accession"),
    ),
    (
        "أعلنت روسيا يوم الاثنين سحب التصديق على المعاهدة.",
        "2025-04-17",
        ("ratification", "revocation", "RUS", "reported", "2025-04-14", None),
    ),
    (
        "أعلنت روسيا يوم الاثنين استئناف مشاركتها في المعاهدة.",
        "2025-04-17",
        ("resumption", None, "RUS", "reported", "2025-04-14", None),
    ),
    (
        "علقت روسيا يوم الاثنين مشاركتها في المعاهدة.",
        "2025-04-17",
        ("suspension", None, "RUS", "reported", "2025-04-14", None),
    ),
    (
        "انسحبت إيران من الاتفاقية يوم الاثنين.",
        "2025-04-17",
        ("withdrawal", None, "IRN", "reported", "2025-04-14", None),
    ),
]


@pytest.mark.parametrize(("text", "published", "wanted"), MULTILATERAL)
def test_multilateral_phrases(session, text, published, wanted):
    """Each phrase of the multilateral facts, on a sentence of its own: a suggestion
    (stage, step, party, status, date, consent_type) among the events."""
    events = events_of(session, text, published)
    got = [
        (e["stage"], e["step"], e["party"], e["status"], e["date"], e["consent_type"])
        for e in events
    ]
    assert wanted in got, got
