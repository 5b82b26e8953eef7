"""Which outlet a story says it reports from, in Persian, Russian, Arabic and English."""

from __future__ import annotations

import json

import pytest

from tests.feedserver import FEEDS
from tracker.services.feeds.reading import parse_feed
from tracker.text.cites import cited_source
from tracker.text.extract import LEXICONS


@pytest.mark.parametrize(
    ("language", "text", "outlet"),
    [
        # Persian
        ("fa", "به نقل از تسنیم، کمیته مشترک ایران و عراق روند اجرا را بررسی کرد.", "Tasnim"),
        ("fa", "به گزارش خبرگزاری ایرنا، رئیس‌جمهور روز جمعه پیمان را امضا کرد.", "IRNA"),
        ("fa", "به گزارش خبرنگار سیاسی ایرنا از مسکو، دو طرف توافق کردند.", "IRNA"),
        ("fa", "تسنیم گزارش داد که موافقت‌نامه تجارت آزاد لازم‌الاجرا شد.", "Tasnim"),
        ("fa", "به گزارش خبرگزاری مهر، مجلس لایحه را تصویب کرد.", "Mehr"),
        ("fa", "به نقل از ريا نووستي، دومای روسیه پیمان را تصویب کرد.", "RIA Novosti"),
        ("fa", "به گزارش روزنامه اعتماد، مجلس پیمان را تصویب کرد.", "اعتماد"),
        # Russian
        ("ru", "Документ направлен в Совет Федерации, как сообщает РИА Новости.", "RIA Novosti"),
        ("ru", "Президент подписал закон о ратификации, передает ТАСС.", "TASS"),
        ("ru", "По данным Интерфакса, закон вступит в силу через десять дней.", "Interfax"),
        ("ru", "Об этом пишет «Коммерсантъ» со ссылкой на источники.", "Kommersant"),
        ("ru", "Стороны обменялись нотами, сообщает агентство Рейтер.", "Reuters"),
        ("ru", "Договор вступил в силу, сообщает газета «Известия».", "Известия"),
        (
            "ru",
            "МОСКВА, 3 марта. /ТАСС/. Госдума ратифицировала договор, со ссылкой на ЦТАК.",
            "KCNA",
        ),
        # Arabic
        ("ar", "وقعت الاتفاقية في الرياض، نقلا عن وكالة الأنباء السعودية.", "SPA"),
        ("ar", "وفقا لوكالة الأناضول، بدأت اللجان العسكرية اجتماعاتها.", "Anadolu"),
        ("ar", "وفقاً لـ وكالة الأناضول، بدأت اللجان العسكرية اجتماعاتها.", "Anadolu"),
        ("ar", "ذكرت رويترز أن زعيمي أرمينيا وأذربيجان وقعا إعلانا مشتركا.", "Reuters"),
        ("ar", "أفادت وكالة الأنباء العراقية بأن الوفدين بحثا تنفيذ الاتفاق.", "INA"),
        ("ar", "أفادت صحيفة الشرق الأوسط بأن الاتفاق سيوقع قريبا.", "الشرق الأوسط"),
        # English
        ("en", "The treaty will enter into force in December, according to TASS.", "TASS"),
        ("en", "Reuters reported on Monday that the bill had passed.", "Reuters"),
        ("en", "The deputy minister told Reuters the talks would resume.", "Reuters"),
        ("en", "Russia ratified the treaty, citing Interfax.", "Interfax"),
        (
            "en",
            "The ceremony was held in Pyongyang, according to the Korean Central News Agency.",
            "KCNA",
        ),
        ("en", "The bill passed, the state news agency IRNA reported.", "IRNA"),
        ("en", "The text was published, according to the Tehran Times newspaper.", "Tehran Times"),
        # A dateline names the story's own outlet; a cite after it is another's.
        (
            "en",
            "MOSCOW, March 3 (Reuters) - Russia ratified the treaty, citing Interfax.",
            "Interfax",
        ),
    ],
)
def test_cited_outlet(language, text, outlet):
    assert cited_source(text, language) == outlet


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fa", "وزارت امور خارجه اعلام کرد که پیمان در مسکو امضا خواهد شد."),
        ("fa", "مدارس استان فارس به دلیل آلودگی هوا در مهر ماه تعطیل شد."),
        ("ru", "Министерство сообщает о подписании договора."),
        ("ru", "Соглашение будет ратифицировано, сообщили журналистам в Кремле."),
        ("ar", "وقعت المملكة العربية السعودية وباكستان اتفاقية دفاع مشترك."),
        ("ar", "ذكرت المملكة العربية السعودية أن الاتفاقية دفاعية."),
        ("en", "MOSCOW, March 3 (Reuters) - Russia's parliament ratified the treaty on Monday."),
        ("en", "The treaty will be signed next month, according to officials."),
        ("en", "The minister told reporters the deal was close, according to news reports."),
        ("en", "Britain and Mauritius signed the treaty on Thursday."),
        ("en", ""),
    ],
)
def test_no_cite(language, text):
    assert cited_source(text, language) is None


def test_language_unknown_tries_every_language():
    assert cited_source("به نقل از تسنیم، پیمان امضا شد.", None) == "Tasnim"
    assert cited_source("как сообщает РИА Новости", None) == "RIA Novosti"
    assert cited_source("according to TASS", "xx") == "TASS"


def test_the_fixture_feeds_cite_what_they_say():
    found = {}
    for name, language in [
        ("mfa-fa.rss", "fa"),
        ("tass-ru.rdf", "ru"),
        ("aljazeera-ar.atom", "ar"),
        ("fcdo-en.rss", "en"),
    ]:
        feed = parse_feed((FEEDS / name).read_bytes(), f"http://feeds.test/{name}")
        found[name] = [cited_source(entry.text, language) for entry in feed.entries]
    assert found["mfa-fa.rss"] == ["IRNA", "Tasnim", None, "ISNA", None]
    assert found["tass-ru.rdf"] == ["RIA Novosti", "Interfax", None, None, None]
    assert found["aljazeera-ar.atom"] == ["SPA", "Reuters", "INA", None, None]
    assert found["fcdo-en.rss"] == [None, None, "AFP", None, None]


def test_every_outlet_has_names_in_four_languages():
    data = json.loads((LEXICONS / "outlets.json").read_text(encoding="utf-8"))
    names = [outlet["name"] for outlet in data["outlets"]]
    assert len(names) == len(set(names)) >= 24
    for outlet in data["outlets"]:
        assert set(outlet["names"]) == {"en", "fa", "ru", "ar"}, outlet["name"]
        assert all(outlet["names"][language] for language in outlet["names"]), outlet["name"]
