"""The timeline's layout, a pure function of the claims to draw: labels never overprint (nor
a leader line cross a label), the drawing grows as labels stack, ticks fit the span and
include every event's month, undated claims get their lane, expected claims are dashed and
conflicts marked. Then the page: what a reader sees in the drawing and in the list."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests import factories
from tracker.web.timeline import (
    Item,
    Timeline,
    choose_ticks,
    layout,
    overlaps,
    text_width,
)

CSS = Path(__file__).resolve().parents[2] / "tracker" / "static" / "style.css"


def item(n: int, day: date | None, lane: str = "RUS", name: str = "", **kw) -> Item:  # type: ignore[no-untyped-def]
    return Item(
        event_id=n,
        lane=lane,
        first=day,
        last=kw.pop("last", day),
        name=name or f"Step {n} · Parliament",
        when=day.isoformat() if day else "",
        status=kw.pop("status", "reported"),
        **kw,
    )


def assert_readable(timeline: Timeline, leaders: bool = True) -> None:
    """No two texts meet, all are inside the drawing, and no leader line runs through a
    label (unless `leaders` is false: where long labels crowd close marks on both sides, a
    leader may have to pass beneath one)."""
    boxes = timeline.texts
    assert overlaps(boxes) == []
    for box in boxes:
        assert 0 <= box.x0 and box.x1 <= timeline.width and box.y1 <= timeline.height
    for mark in timeline.marks if leaders else []:
        x, y0, _, y1 = mark.leader  # type: ignore[misc]
        for other in timeline.marks:
            box = other.box
            crosses = box.x0 <= x <= box.x1 and y0 < box.y1 and box.y0 < y1
            assert not crosses, f"the leader of {mark.label} runs through {other.label}"


def test_three_steps_in_two_weeks_do_not_overprint():
    steps = [
        item(1, date(2025, 4, 8), name="Lower house · State Duma"),
        item(2, date(2025, 4, 16), name="Upper house · Federation Council"),
        item(3, date(2025, 4, 21), name="Head of state · President"),
    ]
    timeline = layout(steps, ["Agreement", "RUS", "IRN"])
    assert [m.label for m in timeline.marks] == [s.name for s in steps]
    assert_readable(timeline)
    xs = [m.x for m in timeline.marks]
    assert xs == sorted(xs) and len(set(xs)) == 3
    # The same three within ten days, and three within three days, still apart.
    for gap in (5, 1):
        close = [item(n, date(2025, 4, 8) + timedelta(days=gap * n)) for n in range(3)]
        assert_readable(layout(close, ["RUS"]))


def test_clusters_at_the_right_edge_hang_left_and_still_do_not_overprint():
    last = date(2025, 4, 21)
    close = [
        item(n, last - timedelta(days=n), name=f"Step {n} · Federation Council") for n in range(4)
    ]
    timeline = layout([*close, item(9, date(2025, 3, 1))], ["RUS"])
    assert_readable(timeline)
    assert {m.anchor for m in timeline.marks} == {"start", "end"}


def test_any_mix_of_claims_is_readable():
    rng = random.Random(13)
    words = ["Lower house", "Upper house", "Head of state", "مجلس شورای اسلامی", "Duma", "W" * 12]
    for _ in range(150):
        start = date(2025, 1, 1) + timedelta(days=rng.randrange(400))
        span = rng.choice([3, 20, 90, 400, 3000])
        claims = [
            item(
                n,
                start + timedelta(days=rng.randrange(span)) if rng.random() > 0.1 else None,
                lane=rng.choice(["Agreement", "RUS", "IRN"]),
                name=" · ".join(rng.sample(words, rng.randrange(1, 3))),
            )
            for n in range(rng.randrange(1, 25))
        ]
        assert_readable(layout(claims, ["Agreement", "RUS", "IRN"]), leaders=False)


def test_twenty_claims_on_one_day_stack_and_the_drawing_grows():
    one = layout([item(0, date(2025, 4, 8))], ["RUS"])
    many = layout([item(n, date(2025, 4, 8)) for n in range(20)], ["RUS"])
    assert_readable(many)
    rows = {m.box.y0 for m in many.marks}
    assert len(rows) == 10  # two to a row, one each side of their leaders
    assert {m.anchor for m in many.marks} == {"start", "end"}
    assert many.height > one.height + 9 * 30


def test_persian_labels_are_measured_and_kept_apart():
    persian = "مجلس شورای اسلامی"
    assert text_width(persian) >= 0.55 * 12 * len(persian.replace(" ", ""))
    assert text_width("W" * 10) > text_width("i" * 10)
    claims = [
        item(n, date(2025, 4, 8) + timedelta(days=n), name=f"{persian} · {n}") for n in range(4)
    ]
    assert_readable(layout(claims, ["IRN"]))


def test_ticks_cover_the_month_of_every_event():
    first = date(2024, 11, 30)
    for span in (0, 3, 9, 13, 31, 45, 70, 100, 200, 330, 400, 600, 900, 1200):
        days = [first, first + timedelta(days=span // 3), first + timedelta(days=span)]
        timeline = layout([item(n, d) for n, d in enumerate(days)], ["RUS"])
        assert_readable(timeline)
        ticks = sorted(t.day for t in timeline.ticks)
        assert ticks[0] <= first and ticks[-1] > days[-1]
        for day in days:
            before = [t for t in ticks if t <= day]
            assert before and (before[-1].year, before[-1].month) == (day.year, day.month), (
                span,
                day,
                timeline.scale,
            )
    # Long spans: a tick in every event's year.
    for span_years in (4, 8, 11):
        days = [date(2001, 6, 5), date(2001 + span_years, 2, 3)]
        timeline = layout([item(n, d) for n, d in enumerate(days)], ["RUS"])
        for day in days:
            assert any(t.day.year == day.year and t.day <= day for t in timeline.ticks)


@pytest.mark.parametrize(
    ("span", "scale", "label"),
    [
        (timedelta(days=5), "day", r"\d{1,2} [A-Z][a-z]{2}( \d{4})?"),
        (timedelta(days=91), "half-month", r"(1|16) [A-Z][a-z]{2}( \d{4})?"),
        (timedelta(days=4 * 365), "year", r"\d{4}"),
        (timedelta(days=30 * 365), "5 years", r"\d{4}"),
    ],
)
def test_tick_counts_and_formats_fit_the_span(span, scale, label):
    first = date(2025, 4, 8)
    chosen, days, labels = choose_ticks(first, first + span)
    assert chosen == scale
    assert 3 <= len(days) <= 13
    assert all(re.fullmatch(label, text) for text in labels), labels
    assert str(first.year) in labels[0]  # the first tick says the year
    assert days[0] <= first < first + span < days[-1]


def test_undated_claims_get_their_own_lane():
    claims = [
        item(1, date(2025, 4, 8)),
        item(2, None, name="Lower house · مجلس شورای اسلامی", lane="IRN"),
        *[item(n, None, name=f"Notification {n}") for n in range(3, 12)],
    ]
    timeline = layout(claims, ["Agreement", "RUS", "IRN"])
    assert [m.event_id for m in timeline.undated] == list(range(2, 12))
    assert [m.event_id for m in timeline.marks] == [1]
    assert timeline.undated_lane and timeline.undated_lane.name == "Undated"
    assert all("undated" in m.css and m.detail.startswith("undated") for m in timeline.undated)
    assert timeline.undated_lane.top >= max(lane.bottom for lane in timeline.lanes)
    assert overlaps(timeline.texts) == []
    assert len({m.box.y0 for m in timeline.undated}) > 1  # they wrap onto a second row
    only = layout([item(1, None)], ["RUS"])
    assert not only.drawn and not only.empty and not only.ticks


def test_expected_claims_are_dashed_and_conflicts_marked():
    day = date(2025, 1, 17)
    claims = [
        item(1, day, lane="Agreement", conflict_slot=-0.5),
        item(2, day + timedelta(days=1), lane="Agreement", conflict_slot=0.5),
        item(3, date(2025, 3, 1), lane="Agreement", status="expected"),
    ]
    timeline = layout(claims, ["Agreement"])
    first, second, expected = timeline.marks
    assert "conflict" in first.css and "conflict" in second.css and "conflict" not in expected.css
    assert first.y != second.y  # side by side, not on top of each other
    assert "in conflict" in first.detail and "expected" in expected.detail
    assert "status-expected" in expected.css
    css = CSS.read_text(encoding="utf-8")
    assert re.search(r"\.status-expected circle[^{]*\{[^}]*stroke-dasharray", css)
    assert re.search(r"\.conflict circle[^{]*\{[^}]*stroke: #c21d1d", css)
    assert_readable(timeline)


def test_spans_draw_bars_and_long_ranges_stay_sensible():
    month = item(1, date(2025, 4, 1), last=date(2025, 4, 30))
    timeline = layout([month, item(2, date(2025, 6, 3))], ["RUS"])
    assert timeline.marks[0].is_span and not timeline.marks[1].is_span
    wide = layout([item(1, date(1000, 1, 1)), item(2, date(2999, 12, 31))], ["RUS"])
    assert 3 <= len([t for t in wide.ticks if t.major]) <= 13
    assert_readable(wide)


def test_the_page_draws_labels_with_dates_and_lists_them(viewer_web, people, session):
    treaty = factories.agreement(session, parties=["RUS", "IRN"])
    factories.event(
        session,
        treaty.id,
        "ratification",
        "2025-04-08",
        step="lower_house",
        party="RUS",
        body="State <Duma>",
    )
    factories.event(
        session, treaty.id, "ratification", step="lower_house", party="IRN", body="مجلس"
    )
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert "Lower house · State &lt;Duma&gt;" in svg and "<Duma>" not in html
    assert ">2025-04-08</tspan>" in svg and "1404/01/19" not in svg
    assert re.search(r'class="mark status-reported undated"[^>]*>\s*<title>[^<]*مجلس', svg)
    assert "style=" not in html.split("<section>\n    <h2>Timeline</h2>")[1].split("</section>")[0]
    listing = html.split('class="timeline-list')[1].split("</div>")[0]
    assert "<h3>RUS</h3>" in listing and "<h3>Undated</h3>" in listing
    people["viewer"].show_jalali = True
    session.commit()
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert "2025-04-08 (1404/01/19)" in html.split("<svg")[1].split("</svg>")[0]


def test_a_page_with_nothing_dated_lists_the_claims_instead(viewer_web, session):
    treaty = factories.agreement(session, parties=["RUS", "IRN"])
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert "No stage events to draw." in html and 'class="timeline"' not in html
    factories.event(session, treaty.id, "announcement", body="Kremlin")
    html = viewer_web.get(f"/agreements/{treaty.id}").get_data(as_text=True)
    assert 'class="timeline"' not in html and "No stage events to draw." not in html
    listing = html.split('<div class="timeline-list only">')[1].split("</div>")[0]
    assert "<h3>Undated</h3>" in listing and "Announcement · Kremlin" in listing
