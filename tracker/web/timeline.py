"""The agreement's timeline as SVG coordinates, computed on the server.

A time axis; a lane for the agreement's own stages and one per party for its ratification
steps; points for a day, bars for a span of days; expected claims dashed; claims in
conflict drawn side by side in their lane; every mark links to its evidence row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tracker.models.vocab import EventStatus, Stage
from tracker.services.agreements import Overview
from tracker.text.dates import DateError, parse_edtf_date

WIDTH = 920
LEFT = 130
RIGHT = 20
TOP = 34
LANE = 58


@dataclass
class Mark:
    event_id: int | None
    x: float
    x2: float
    y: float
    label: str
    tooltip: str
    status: str
    conflict: bool = False
    preferred: bool = False
    computed: bool = False

    @property
    def is_span(self) -> bool:
        return self.x2 - self.x >= 3


@dataclass
class Timeline:
    width: int
    height: int
    lanes: list[tuple[str, float]] = field(default_factory=list)  # (label, y of its middle)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    undated: int = 0

    @property
    def empty(self) -> bool:
        return not self.marks


def _ticks(start: date, end: date) -> list[date]:
    days = (end - start).days
    if days > 3 * 365:
        return [date(y, 1, 1) for y in range(start.year + 1, end.year + 1)]
    step = 1 if days <= 14 * 31 else 3
    ticks, year, month = [], start.year, start.month
    while True:
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        day = date(year, month, 1)
        if day > end:
            return ticks
        ticks.append(day)


def build(view: Overview) -> Timeline:
    events = [e for e in view.events if e.status != EventStatus.RETRACTED]
    lanes = ["Agreement"] + list(view.agreement.party_codes)
    for e in events:
        if e.stage == Stage.RATIFICATION and e.party_code and e.party_code not in lanes:
            lanes.append(e.party_code)
    life = view.lifecycle
    expected = None
    if life.next_expected and life.next_expected.source == "rule" and life.next_expected.date:
        try:
            expected = parse_edtf_date(life.next_expected.date)
        except DateError:
            expected = None
    days = [d for e in events for d in (e.date_earliest, e.date_latest) if d]
    if expected:
        days += [d for d in (expected.earliest, expected.latest) if d]
    timeline = Timeline(WIDTH, TOP + LANE * len(lanes) + 10)
    timeline.lanes = [(name, TOP + LANE * i + LANE / 2) for i, name in enumerate(lanes)]
    timeline.undated = sum(1 for e in events if not e.date_earliest and not e.date_latest)
    if not days:
        return timeline
    start, end = min(days), max(days)
    if (end - start).days < 30:
        start, end = start - timedelta(days=15), end + timedelta(days=15)
    pad = timedelta(days=max(3, (end - start).days // 20))
    start, end = start - pad, end + pad
    span = (end - start).days
    plot = WIDTH - LEFT - RIGHT

    def x(day: date) -> float:
        return round(LEFT + (day - start).days / span * plot, 1)

    timeline.ticks = [
        (x(t), t.isoformat()[: 4 if span > 3 * 365 else 7]) for t in _ticks(start, end)
    ]
    conflicted = {i for group in life.conflicts for i in group}
    group_of = {i: group for group in life.conflicts for i in group}
    lane_y = dict(timeline.lanes)
    for e in events:
        first = e.date_earliest or e.date_latest
        last = e.date_latest or e.date_earliest
        if first is None or last is None:
            continue
        lane = (
            e.party_code
            if e.stage == Stage.RATIFICATION and e.party_code in lane_y
            else "Agreement"
        )
        y = lane_y[lane]
        if e.id in group_of:  # side by side: each claim of a conflict on its own row
            group = group_of[e.id]
            y += (group.index(e.id) - (len(group) - 1) / 2) * 14
        label = (e.step or e.stage).replace("_", " ")
        timeline.marks.append(
            Mark(
                event_id=e.id,
                x=x(first),
                x2=x(last),
                y=y,
                label=label,
                tooltip=f"{label} · {e.date} · {e.status}"
                + (" · in conflict" if e.id in conflicted else ""),
                status=e.status,
                conflict=e.id in conflicted,
                preferred=e.preferred,
            )
        )
    if expected and expected.earliest:
        timeline.marks.append(
            Mark(
                event_id=None,
                x=x(expected.earliest),
                x2=x(expected.latest or expected.earliest),
                y=lane_y["Agreement"],
                label="entry into force (computed)",
                tooltip=f"expected entry into force · {life.next_expected.date}",
                status=EventStatus.EXPECTED.value,
                computed=True,
            )
        )
    return timeline
