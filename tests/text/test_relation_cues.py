"""Relations to other agreements and parties' declarations found in an article's text, in
each language, with exact offsets; the ranking of the agreements a relation may name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bench.extraction import articles
from tests import factories
from tests.statements import counted
from tracker.models import StageEvent
from tracker.services.errors import InvalidInput
from tracker.services.evidence import extraction
from tracker.services.evidence.extraction import party_matcher, suggest
from tracker.text.candidates import Candidate, rank_candidates
from tracker.text.relations import find_declarations, find_relations, read

# (sentence, quote, type, status, target words, year, kind)
RELATIONS = [
    # English
    (
        "The new treaty replaces the 2001 treaty on the foundations of relations, officials said.",
        "replaces the 2001 treaty on the foundations of relations",
        "supersedes",
        "reported",
        "the 2001 treaty on the foundations of relations",
        2001,
        "treaty",
    ),
    (
        "The 2001 Treaty on the Foundations of Relations will be replaced by the new pact.",
        "The 2001 Treaty on the Foundations of Relations will be replaced",
        "supersedes",
        "expected",
        "the 2001 treaty on the foundations of relations",
        2001,
        "treaty",
    ),
    (
        "Russia and Iran signed a protocol to the 2001 treaty on Friday.",
        "protocol to the 2001 treaty",
        "protocol_to",
        "reported",
        "the 2001 treaty",
        2001,
        "treaty",
    ),
    (
        "The protocol amends the 2015 agreement on trade.",
        "amends the 2015 agreement on trade",
        "amends",
        "reported",
        "the 2015 agreement on trade",
        2015,
        "agreement",
    ),
    (
        "The roadmap implements the 2020 memorandum of understanding on energy.",
        "implements the 2020 memorandum of understanding on energy",
        "implements",
        "reported",
        "the 2020 memorandum of understanding on energy",
        2020,
        "memorandum",
    ),
    (
        "The protocol extends the agreement for five years.",
        "extends the agreement",
        "extends",
        "reported",
        "the agreement",
        None,
        "agreement",
    ),
    (
        "The new agreement suspends the 1990 accord until further notice.",
        "suspends the 1990 accord",
        "suspends",
        "reported",
        "the 1990 accord",
        1990,
        "agreement",
    ),
    # Russian
    (
        "Новый договор заменит договор 2001 года.",
        "заменит договор 2001 года",
        "supersedes",
        "expected",
        "договор 2001 года",
        2001,
        "treaty",
    ),
    (
        "Документ придёт на смену договору 2001 года об основах взаимоотношений.",
        "придёт на смену договору 2001 года об основах взаимоотношений",
        "supersedes",
        "expected",
        "договору 2001 года об основах взаимоотношений",
        2001,
        "treaty",
    ),
    (
        "Протокол продлевает действие соглашения 2015 года на пять лет.",
        "продлевает действие соглашения 2015 года",
        "extends",
        "reported",
        "действие соглашения 2015 года",
        2015,
        "agreement",
    ),
    (
        "Стороны подписали протокол к договору 1999 года.",
        "протокол к договору 1999 года",
        "protocol_to",
        "reported",
        "договору 1999 года",
        1999,
        "treaty",
    ),
    (
        "Соглашение приостанавливает действие договора 1990 года.",
        "приостанавливает действие договора 1990 года",
        "suspends",
        "reported",
        "действие договора 1990 года",
        1990,
        "treaty",
    ),
    # Persian
    (
        "روسیه و ایران معاهده‌ای امضا کردند که جایگزین معاهده ۲۰۰۱ خواهد شد.",
        "جایگزین معاهده ۲۰۰۱",
        "supersedes",
        "expected",
        "معاهده 2001",
        2001,
        "treaty",
    ),
    (
        "این معاهده جایگزین معاهده ۲۰۰۱ می‌شود.",
        "جایگزین معاهده ۲۰۰۱",
        "supersedes",
        "reported",
        "معاهده 2001",
        2001,
        "treaty",
    ),
    (
        "معاهده جدید، معاهده ۲۰۰۱ را جایگزین می‌کند.",
        "معاهده ۲۰۰۱ را جایگزین",
        "supersedes",
        "reported",
        "معاهده 2001",
        2001,
        "treaty",
    ),
    (
        "طرفین پروتکل الحاقی به موافقتنامه ۲۰۱۵ را امضا کردند.",
        "پروتکل الحاقی به موافقتنامه ۲۰۱۵",
        "protocol_to",
        "reported",
        "موافقتنامه 2015",
        2015,
        "agreement",
    ),
    (
        "پروتکل جدید قرارداد ۲۰۱۵ را به مدت پنج سال تمدید می‌کند.",
        "قرارداد ۲۰۱۵ را به مدت پنج سال تمدید",
        "extends",
        "reported",
        "قرارداد 2015",
        2015,
        "agreement",
    ),
    (
        # a Solar Hijri year: 1380 began in March 2001
        "این سند جایگزین معاهده ۱۳۸۰ میان دو کشور می‌شود.",
        "جایگزین معاهده ۱۳۸۰ میان دو کشور",
        "supersedes",
        "reported",
        "معاهده 1380 میان دو کشور",
        2001,
        "treaty",
    ),
    # Arabic
    (
        "المعاهدة الجديدة ستحل محل معاهدة عام 2001 بين البلدين.",
        "ستحل محل معاهدة عام 2001 بين البلدين",
        "supersedes",
        "expected",
        "معاهده عام 2001 بین البلدین",
        2001,
        "treaty",
    ),
    (
        "وقع البلدان معاهدة جديدة تحل محل معاهدة عام 2001.",
        "تحل محل معاهدة عام 2001",
        "supersedes",
        "reported",
        "معاهده عام 2001",
        2001,
        "treaty",
    ),
    (
        "وقع الجانبان على بروتوكول إضافي إلى اتفاقية عام 2010.",
        "بروتوكول إضافي إلى اتفاقية عام 2010",
        "protocol_to",
        "reported",
        "اتفاقیه عام 2010",
        2010,
        "agreement",
    ),
    (
        "البروتوكول الجديد يعدل اتفاقية التجارة لعام 2015.",
        "يعدل اتفاقية التجارة لعام 2015",
        "amends",
        "reported",
        "اتفاقیه التجاره لعام 2015",
        2015,
        "agreement",
    ),
    (
        "الاتفاق الجديد يمدد اتفاقية عام 2015 لمدة خمس سنوات.",
        "يمدد اتفاقية عام 2015",
        "extends",
        "reported",
        "اتفاقیه عام 2015",
        2015,
        "agreement",
    ),
]


@pytest.mark.parametrize(
    ("sentence", "quote", "kind", "status", "words", "year", "agreement_kind"),
    RELATIONS,
    ids=[row[0][:40] for row in RELATIONS],
)
def test_a_phrase_stating_a_relation_is_found_with_its_other_agreement(
    sentence, quote, kind, status, words, year, agreement_kind
):
    [found] = find_relations(sentence)
    assert sentence[found["start"] : found["end"]] == found["quote"] == quote
    assert (found["type"], found["status"]) == (kind, status)
    assert found["target_hint"] == {"words": words, "year": year, "kind": agreement_kind}
    assert 0.5 <= found["confidence"] <= 1


NO_RELATION = [
    "Officials mentioned the 2001 treaty several times.",
    "The treaty does not replace the 2001 treaty.",
    "The 1992 treaty, as amended in 2005, remains in force.",
    # a state acting on an agreement is an exit or a step, not a relation between two
    "Russia suspended the New START treaty in February.",
    "Russia and the United States extended the treaty for five years.",
    "Эксперты вспомнили договор 2001 года.",
    "Новый договор не заменит договор 2001 года.",
    "Россия приостановила участие в договоре СНВ-3.",
    "کارشناسان از معاهده ۲۰۰۱ یاد کردند.",
    "این معاهده جایگزین معاهده ۲۰۰۱ نمی‌شود.",
    "برای این کار از انرژی جایگزین استفاده می‌شود.",
    "أشار المسؤولون إلى معاهدة عام 2001.",
    "المعاهدة الجديدة لن تحل محل معاهدة عام 2001.",
]


@pytest.mark.parametrize("sentence", NO_RELATION, ids=[s[:40] for s in NO_RELATION])
def test_a_mention_without_a_relation_verb_is_no_relation(sentence):
    assert find_relations(sentence) == []


# (sentence, quote, kind, party, objects_to_party, made_at)
DECLARATIONS = [
    (
        "Turkey entered a reservation to article 5 upon ratification.",
        "entered a reservation",
        "reservation",
        "TUR",
        None,
        "consent",
    ),
    (
        "Greece objected to the reservation made by Turkey.",
        "objected to the reservation",
        "objection",
        "GRC",
        "TUR",
        None,
    ),
    (
        "Egypt made an interpretative declaration on signature.",
        "interpretative declaration",
        "declaration",
        "EGY",
        None,
        "signature",
    ),
    (
        "The United States ratified the convention with a reservation on the court.",
        "reservation",
        "reservation",
        "USA",
        None,
        "consent",
    ),
    (
        "Россия ратифицировала конвенцию с оговоркой к статье 5.",
        "с оговоркой к",
        "reservation",
        "RUS",
        None,
        "consent",
    ),
    (
        "Германия заявила возражение против оговорки, сделанной Турцией.",
        "возражение против оговорки",
        "objection",
        "DEU",
        "TUR",
        None,
    ),
    (
        "При подписании договора Казахстан сделал оговорку.",
        "оговорку",
        "reservation",
        "KAZ",
        None,
        "signature",
    ),
    (
        "ایران کنوانسیون را با حق شرط تصویب کرد.",
        "با حق شرط",
        "reservation",
        "IRN",
        None,
        "consent",
    ),
    (
        "آلمان به حق شرط ترکیه اعتراض کرد.",
        "حق شرط ترکیه اعتراض",
        "objection",
        "DEU",
        "TUR",
        None,
    ),
    (
        "ایران هنگام امضای معاهده نسبت به ماده ۵ حق شرط گذاشت.",
        "حق شرط",
        "reservation",
        "IRN",
        None,
        "signature",
    ),
    (
        "صادقت مصر على الاتفاقية مع التحفظ على المادة 5.",
        "مع التحفظ على المادة",
        "reservation",
        "EGY",
        None,
        "consent",
    ),
    (
        "اعترضت ألمانيا على التحفظ الذي أبدته تركيا.",
        "اعترضت ألمانيا على التحفظ",
        "objection",
        "DEU",
        "TUR",
        None,
    ),
    (
        "قدمت الأردن إعلانا تفسيريا عند التوقيع على المعاهدة.",
        "إعلانا تفسيريا",
        "declaration",
        "JOR",
        None,
        "signature",
    ),
]


@pytest.mark.parametrize(
    ("sentence", "quote", "kind", "party", "objects_to", "made_at"),
    DECLARATIONS,
    ids=[row[0][:40] for row in DECLARATIONS],
)
def test_a_reservation_declaration_or_objection_is_found_with_its_party(
    session, sentence, quote, kind, party, objects_to, made_at
):
    [found] = find_declarations(sentence, party_matcher(session))
    assert sentence[found["start"] : found["end"]] == found["quote"] == quote
    assert (found["kind"], found["party"], found["objects_to_party"], found["made_at"]) == (
        kind,
        party,
        objects_to,
        made_at,
    )


NO_DECLARATION = [
    # reservations in the sense of doubts, or none at all
    "The opposition has reservations about the deal.",
    "Several senators expressed reservations over the treaty.",
    "The country ratified the convention without reservations.",
    "The two sides signed a memorandum of understanding.",
    "Министр сделал оговорку, что решение ещё не принято.",
    "Парламент ратифицировал конвенцию без оговорок.",
    "ایران کنوانسیون را بدون حق شرط تصویب کرد.",
    # «تحفظات»: reticence and misgivings, not a reservation to a treaty
    "أبدت المعارضة تحفظات على الاتفاق.",
    "تحفظت الوزارة على التعليق.",
    "تعامل الوفد مع المقترح بتحفظ.",
]


@pytest.mark.parametrize("sentence", NO_DECLARATION, ids=[s[:40] for s in NO_DECLARATION])
def test_reservations_in_the_sense_of_doubts_are_no_declaration(session, sentence):
    assert find_declarations(sentence, party_matcher(session)) == []


def test_offsets_are_into_the_text_as_given_across_lines_and_invisible_characters():
    text = (
        "Tehran, 17 January (IRNA) —\n\n"
        "رئیسان‌جمهور روسیه و ایران «معاهده مشارکت راهبردی جامع» را امضا کردند.\n"
        "به گفته لاوروف، این سند جایگزین معاهده\u200c ۲۰۰۱  خواهد شد.\n"
        "Turkey entered a reservation to article 5."
    )
    [relation] = find_relations(text)
    assert text[relation["start"] : relation["end"]] == relation["quote"]
    assert relation["quote"] == "جایگزین معاهده\u200c ۲۰۰۱"
    assert relation["target_hint"]["year"] == 2001
    [reservation] = find_declarations(text)
    assert text[reservation["start"] : reservation["end"]] == "entered a reservation"


def _candidates() -> list[Candidate]:
    return [
        Candidate(
            1,
            "Treaty on Comprehensive Strategic Partnership between the Russian Federation and "
            "the Islamic Republic of Iran",
            {"fa": "معاهده مشارکت راهبردی جامع بین جمهوری اسلامی ایران و فدراسیون روسیه"},
            ("RUS", "IRN"),
            2025,
            "treaty",
        ),
        Candidate(
            2,
            "Treaty of Good-Neighbourliness and Friendly Cooperation between Russia and China",
            {},
            ("RUS", "CHN"),
            2001,
            "treaty",
        ),
        Candidate(
            3,
            "Memorandum on military cooperation",
            {"fa": "یادداشت تفاهم همکاری نظامی ۲۰۰۱"},
            ("RUS", "IRN"),
            2001,
            "memorandum",
        ),
        Candidate(
            4,
            "Treaty on the Foundations of Relations and Principles of Cooperation",
            {
                "fa": "معاهده مبانی روابط متقابل و اصول همکاری میان ایران و روسیه",
                "ru": "Договор об основах взаимоотношений и принципах сотрудничества",
            },
            ("IRN", "RUS"),
            2001,
            "treaty",
        ),
        Candidate(
            5, "Caspian Sea convention", {}, ("RUS", "IRN", "KAZ", "AZE", "TKM"), 2018, "treaty"
        ),
    ]


def test_the_2001_treaty_ranks_first_for_a_persian_report_of_the_2025_signing():
    text = (
        "پوتین و پزشکیان معاهده مشارکت راهبردی جامع را در مسکو امضا کردند؛ "
        "این معاهده جایگزین معاهده ۲۰۰۱ خواهد شد."
    )
    [relation] = find_relations(text)
    pool = [c for c in _candidates() if c.id != 1]  # the agreement reported is no candidate
    ranked = rank_candidates(relation["target_hint"], pool, parties=["RUS", "IRN"])
    assert [c.id for c, _ in ranked][:3] == [4, 3, 2]
    assert ranked[0][1] > ranked[1][1]


def test_title_words_in_any_language_tell_two_agreements_of_one_year_apart():
    hint = {"words": "договору об основах взаимоотношений", "year": None, "kind": "treaty"}
    ranked = rank_candidates(hint, _candidates(), parties=["RUS", "IRN"])
    assert ranked[0][0].id == 4
    # a year in the title counts as the year of signature
    ranked = rank_candidates({"words": "", "year": 2001, "kind": None}, _candidates()[2:3])
    assert ranked[0][1] > 0
    # a known year of signature that is another one counts against
    other = rank_candidates({"words": "", "year": 1995, "kind": None}, _candidates()[3:4])
    assert other[0][1] < 0


def test_suggest_lists_the_candidates_sharing_a_party_with_the_agreement(session):
    current = factories.agreement(session, title="Treaty on Comprehensive Strategic Partnership")
    old = factories.agreement(
        session,
        title="Treaty on the Foundations of Relations and Principles of Cooperation",
        titles={"ru": "Договор об основах взаимоотношений и принципах сотрудничества"},
    )
    factories.event(session, old.id, "signing", "2001-03-12")
    other = factories.agreement(
        session, title="Treaty of Good-Neighbourliness", parties=["RUS", "CHN"]
    )
    factories.event(session, other.id, "signing", "2001-07-16")
    unrelated = factories.agreement(session, title="A 2001 treaty", parties=["FRA", "DEU"])
    text = "Путин заявил, что новый договор заменит договор 2001 года."
    found = suggest(session, text, agreement_id=current.id)
    [relation] = found["relations"]
    ids = [c["id"] for c in relation["candidates"]]
    # the seed's cases are candidates too (its own 2001 treaty among them): the order of
    # the agreements made here is what is asserted
    made = {old.id, other.id, current.id, unrelated.id}
    assert [i for i in ids if i in made][:2] == [old.id, other.id]
    assert current.id not in ids and unrelated.id not in ids
    assert {c["id"]: c["title"] for c in relation["candidates"]}[old.id] == old.title
    # without an agreement, the states the text names choose the candidates
    found = suggest(session, "Russia said the new treaty replaces the 2001 treaty.")
    signed_in_2001 = {
        e.agreement_id
        for e in session.scalars(select(StageEvent).where(StageEvent.stage == "signing"))
        if (e.date or "").startswith("2001")
    }
    assert found["relations"][0]["candidates"][0]["id"] in signed_in_2001
    assert found["declarations"] == []


def test_suggest_refuses_an_agreement_that_does_not_exist(session):
    with pytest.raises(InvalidInput) as refused:
        suggest(session, "The treaty replaces the 2001 treaty.", agreement_id=999_999)
    assert "does not exist" in refused.value.errors["agreement_id"][0]


def test_every_quote_is_the_text_at_its_offsets_in_every_labelled_article(session):
    matcher = party_matcher(session)
    found = 0
    for article in articles():
        text = article["text"]
        result = read(text, matcher)
        for item in result["relations"] + result["declarations"]:
            assert text[item["start"] : item["end"]] == item["quote"], article["id"]
            found += 1
    assert found  # some articles state a relation ("يحل محل الاتفاق الموقع … عام 1998")


def test_the_candidates_are_read_in_one_bounded_query_most_shared_parties_first(
    session, connection, monkeypatch
):
    monkeypatch.setattr(extraction, "CANDIDATES_READ", 2)
    current = factories.agreement(session, title="The agreement reported")
    one = factories.agreement(session, title="Russia–Iran treaty", titles={"ru": "Договор"})
    factories.event(session, one.id, "signing", "2001-03-12")
    two = factories.agreement(session, title="Russia–Iran memorandum", kind="memorandum")
    factories.agreement(session, title="Russia–China treaty", parties=["RUS", "CHN"])
    session.flush()
    with counted(connection) as statements:
        pool = extraction.candidates(session, ["RUS", "IRN"], exclude=current.id)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert [(c.id, set(c.parties), c.signed_year, c.kind) for c in pool] == [
        (one.id, {"RUS", "IRN"}, 2001, "treaty"),
        (two.id, {"RUS", "IRN"}, None, "memorandum"),
    ]
    assert pool[0].titles == {"ru": "Договор"}
