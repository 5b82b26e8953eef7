"""The agreement's timeline, laid out on the server and drawn as SVG (no script needed).

A time axis whose ticks fit the span (days, weeks, half-months, months, quarters, years or
decades; a tick in the month, or year, of every event); a lane for the agreement's own stages
and one per party for its ratification steps; a point for a day, a bar for a span; expected
claims dashed; claims in conflict outlined and drawn side by side. Every label hangs from a
leader line beside its mark and is placed in the first row of its lane where its box (its
width estimated from the characters and the font size, Persian and Arabic too) meets no
other label and no other leader, so labels never overprint; a lane grows a row at a time.
Undated claims get a lane of their own beneath. The same marks feed a plain list by lane,
which narrow screens show instead of the drawing (see the timeline block in style.css).

One module, longer than most: the axis, the lanes and the label placement share the same
measures and are changed together.
"""

from __future__ import annotations

import bisect
import calendar
import heapq
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import has_request_context

from tracker.models.vocab import EventStatus, Stage
from tracker.services.agreements.reading import Overview
from tracker.text.dates import DateError, in_range, parse_edtf_date, to_jalali

WIDTH = 920  # viewBox units; on screens wide enough to draw it, a unit is about a CSS pixel
LEFT = 100  # lane names live left of this
RIGHT = 40  # room for the last tick's label
FONT = 12  # every text in the drawing, in viewBox units
LINE = 15  # baseline to baseline within a label
ROW = 2 * LINE + 4  # a label row: name, date, gap
AXIS_TEXT_Y = 18
AXIS_Y = 26
RADIUS = 6
CONFLICT_STEP = 14  # vertical distance between the claims of a conflict, side by side
GAP = 8  # least room between two label boxes
MAX_TICKS = 12
MAX_NAME = 40  # characters of a label's first line before it is cut with an ellipsis
UNDATED = "Undated"
AGREEMENT = "Agreement"


@dataclass(frozen=True)
class Item:
    """One claim to draw, before layout."""

    event_id: int | None
    lane: str
    first: date | None
    last: date | None
    name: str  # the label's first line: the step or stage, and the body if any
    when: str  # the date as recorded (EDTF), with its Jalali form when the reader wants it
    status: str
    conflict_slot: float | None = None  # place within its conflict group, centred on 0
    preferred: bool = False
    computed: bool = False
    tooltip: str = ""

    @property
    def conflict(self) -> bool:
        return self.conflict_slot is not None

    @property
    def detail(self) -> str:
        """The label's second line: the date and what the colour alone would say."""
        notes = [self.when or "undated"]
        if self.computed:
            notes.append("computed")
        elif self.status in (EventStatus.EXPECTED, EventStatus.DISPUTED):
            notes.append(str(self.status))
        if self.conflict:
            notes.append("in conflict")
        if self.preferred:
            notes.append("preferred")
        return " · ".join(notes)


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def intersects(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


def _of_item(name: str) -> property:
    """A read-only attribute of a Mark that is its Item's `name`."""
    return property(lambda mark: getattr(mark.item, name))


@dataclass
class Mark:
    """A claim as drawn: its marker, its label and the leader line between them."""

    item: Item
    x: float
    x2: float
    y: float
    text_x: float = 0.0
    text_y: float = 0.0  # baseline of the first line
    anchor: str = "start"
    leader: tuple[float, float, float, float] | None = None
    box: Box = field(default_factory=lambda: Box(0, 0, 0, 0))

    # What the templates read of the claim itself.
    event_id = _of_item("event_id")
    label = _of_item("name")
    detail = _of_item("detail")
    tooltip = _of_item("tooltip")
    status = _of_item("status")
    conflict = _of_item("conflict")
    preferred = _of_item("preferred")
    computed = _of_item("computed")

    @property
    def is_span(self) -> bool:
        return self.x2 - self.x >= 3

    @property
    def css(self) -> str:
        return " ".join(
            ["mark", f"status-{self.status}"]
            + (["conflict"] if self.conflict else [])
            + (["preferred"] if self.preferred else [])
            + (["computed"] if self.computed else [])
            + (["undated"] if self.item.first is None else [])
        )


@dataclass
class Lane:
    name: str
    top: float
    y: float  # the lane's line, where its marks sit
    bottom: float
    marks: list[Mark] = field(default_factory=list)


@dataclass(frozen=True)
class Tick:
    x: float
    day: date
    label: str  # empty for a minor tick
    major: bool = True


@dataclass
class Timeline:
    width: int
    height: float
    lanes: list[Lane] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    undated: list[Mark] = field(default_factory=list)
    undated_lane: Lane | None = None
    scale: str = ""
    font: int = FONT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    axis_y: int = AXIS_Y
    axis_text_y: int = AXIS_TEXT_Y

    @property
    def marks(self) -> list[Mark]:
        return [m for lane in self.lanes for m in lane.marks]

    @property
    def drawn(self) -> bool:
        """Whether there is a dated mark, so an axis worth drawing."""
        return any(lane.marks for lane in self.lanes)

    @property
    def empty(self) -> bool:
        return not self.drawn and not self.undated

    @property
    def texts(self) -> list[Box]:
        """Every text box in the drawing (lane names, tick labels, mark labels)."""
        boxes = [
            Box(6, lane.y - FONT, 6 + text_width(lane.name), lane.y + 4)
            for lane in [*self.lanes, *([self.undated_lane] if self.undated_lane else [])]
        ]
        for tick in self.ticks:
            if tick.label:
                w = text_width(tick.label)
                boxes.append(
                    Box(tick.x - w / 2, AXIS_TEXT_Y - FONT, tick.x + w / 2, AXIS_TEXT_Y + 4)
                )
        return boxes + [m.box for m in [*self.marks, *self.undated]]


# Advance widths as a share of the font size, generous enough for the wide fallback fonts.
_NARROW = set("iIjlft.,:;'|!()[]/-·` ")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float = FONT) -> float:
    """An upper estimate of the width of `text` set at `size`, in the same units."""
    total = 0.0
    for char in text:
        code = ord(char)
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Cf"):
            continue  # Arabic vowel marks, joiners and direction marks take no room
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
            total += 0.66  # Persian and Arabic letters, joined or not
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            total += 1.05
        elif char in _NARROW:
            total += 0.36
        elif char in _WIDE:
            total += 1.0
        elif char.isdigit():
            total += 0.66
        elif char.isupper():
            total += 0.78
        else:
            total += 0.64
    return round(total * size, 1)


def _clip(text: str, limit: int = MAX_NAME) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Tick scales, finest first: how to round a day down to a tick, and the tick after a tick.
def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _days_of_month(days: tuple[int, ...]) -> tuple[Callable[[date], date], Callable[[date], date]]:
    def floor(d: date) -> date:
        return d.replace(day=max(k for k in days if k <= d.day))

    def after(d: date) -> date:
        later = [k for k in days if k > d.day]
        return d.replace(day=later[0]) if later else _add_months(d, 1)

    return floor, after


def _months(step: int) -> tuple[Callable[[date], date], Callable[[date], date]]:
    return (
        lambda d: date(d.year, (d.month - 1) // step * step + 1, 1),
        lambda d: _add_months(d, step),
    )


def _years(step: int) -> tuple[Callable[[date], date], Callable[[date], date]]:
    return (
        lambda d: date(d.year - d.year % step, 1, 1),
        lambda d: date(min(d.year + step, 9999), 1, 1),
    )


@dataclass(frozen=True)
class _Scale:
    name: str
    floor: Callable[[date], date]
    after: Callable[[date], date]
    minor: str | None  # the scale whose ticks are drawn small in between
    pad: int = 0  # days of room before the first event


def _scales() -> dict[str, _Scale]:
    out = [
        _Scale("day", lambda d: d, lambda d: d + timedelta(days=1), None, pad=1),
        _Scale("week", *_days_of_month((1, 8, 15, 22)), "day", pad=1),
        _Scale("half-month", *_days_of_month((1, 16)), "day", pad=1),
        _Scale("month", *_months(1), "week"),
        _Scale("quarter", *_months(3), "month"),
        _Scale("year", *_years(1), "month"),
    ]
    minors = {2: "year", 5: "year", 10: "year", 20: "10 years", 50: "10 years"}
    for step in (2, 5, 10, 20, 50, 100, 200, 500, 1000):
        out.append(_Scale(f"{step} years", *_years(step), minors.get(step, "100 years")))
    return {s.name: s for s in out}


SCALES = _scales()


def _tick_days(scale: _Scale, start: date, end: date) -> list[date]:
    days = [scale.floor(start)]
    while days[-1] < end:
        days.append(scale.after(days[-1]))
    return days


def _tick_label(scale: str, day: date, first: bool) -> str:
    month = calendar.month_abbr[day.month]
    if scale in ("day", "week", "half-month"):
        return f"{day.day} {month}" + (
            f" {day.year}" if first or day.timetuple().tm_yday == 1 else ""
        )
    if scale in ("month", "quarter"):
        return f"{month} {day.year}" if first or day.month == 1 else month
    return str(day.year)


def choose_ticks(first: date, last: date) -> tuple[str, list[date], list[str]]:
    """The finest scale whose labelled ticks number at most MAX_TICKS and do not overprint:
    its name, its tick days (the first on or before `first`, the last after `last`) and labels."""
    plot = WIDTH - LEFT - RIGHT
    for scale in SCALES.values():
        days = _tick_days(scale, first - timedelta(days=scale.pad), last + timedelta(days=1))
        if len(days) > MAX_TICKS + 1:
            continue
        labels = [_tick_label(scale.name, d, i == 0) for i, d in enumerate(days)]
        span = (days[-1] - days[0]).days
        widths = [text_width(label) for label in labels]
        if all(
            (days[i + 1] - days[i]).days / span * plot >= (widths[i] + widths[i + 1]) / 2 + GAP
            for i in range(len(days) - 1)
        ):
            return scale.name, days, labels
    scale = SCALES["1000 years"]
    days = _tick_days(scale, first, last + timedelta(days=1))
    return scale.name, days, [str(d.year) for d in days]


@dataclass(eq=False)  # rows are told apart by identity: two may hold equal labels
class _Row:
    """A row of labels in a lane: their extents, the x of their own leaders, and the x of the
    leaders of labels below that pass through it."""

    boxes: list[tuple[float, float]] = field(default_factory=list)
    owners: list[float] = field(default_factory=list)
    crossing: list[float] = field(default_factory=list)

    def covers(self, x: float) -> bool:
        return any(a - 2 <= x <= b + 2 for a, b in self.boxes)


def _place_labels(marks: list[Mark], right: float) -> int:
    """Give each mark a row below its lane's line (0 nearest) such that no label box meets
    another label or a leader line; returns the rows used.

    A label hangs right of its leader, or left of it where there is no room (near the right
    edge, or where it would cover a left-hanging neighbour's leader). Right-hanging labels are
    placed first, right to left, then left-hanging ones, left to right, each only once no
    label still to come would cover its leader: so a label placed earlier never covers the
    leader of one placed later, and every label finds a row (at worst a new one); a cluster
    becomes a stair. A label may also take the other side in a row where it covers nobody's
    leader (it then never blocks one)."""
    rows: list[_Row] = []
    row_of: dict[int, _Row] = {}

    def free(row: _Row, x0: float, x1: float) -> bool:
        return all(x1 + GAP <= a or b + GAP <= x0 for a, b in row.boxes) and all(
            not (x0 - 2 <= x <= x1 + 2) for x in row.crossing
        )

    def extent(mark: Mark, anchor: str) -> tuple[float, float]:
        width = max(text_width(mark.item.name), text_width(mark.item.detail))
        if anchor == "start":
            return mark.x + 5, mark.x + 5 + width
        return mark.x - 5 - width, mark.x - 5

    def covers(x0: float, x1: float, xs: Iterable[float]) -> bool:
        return any(x0 - 2 <= x <= x1 + 2 for x in xs)

    anchors: dict[int, str] = {}
    left_hanging: list[float] = []
    for mark in sorted(marks, key=lambda m: -m.x):
        x0, x1 = extent(mark, "start")
        if (x1 > right or covers(x0, x1, left_hanging)) and extent(mark, "end")[0] >= 2:
            anchors[id(mark)] = "end"
            left_hanging.append(mark.x)
        else:
            anchors[id(mark)] = "start"
    flip = {"start": "end", "end": "start"}
    waiting = sorted(
        marks,
        key=lambda m: (anchors[id(m)] == "end", m.x if anchors[id(m)] == "end" else -m.x),
    )

    def primary(mark: Mark) -> tuple[str, tuple[float, float]]:
        return anchors[id(mark)], extent(mark, anchors[id(mark)])

    def place(mark: Mark, choices: list[tuple[str, tuple[float, float]]], bottom: bool) -> None:
        target: _Row | None = None
        choice = choices[0]
        passable = 0  # rows its leader may cross: those above the first that covers it
        while passable < len(rows) and not rows[passable].covers(mark.x):
            passable += 1
        for index in range(0 if bottom else min(passable + 1, len(rows))):
            fits = [c for c in choices if free(rows[index], *c[1])]
            if fits:
                target, choice = rows[index], fits[0]
                break
        if target is None and not bottom and passable < len(rows):
            # Every row its leader may reach is full there: a new row is slid in above the
            # first row it may not cross, if its label meets no leader passing through there.
            for index in range(passable, -1, -1):
                crossing = rows[index].crossing + rows[index].owners
                fits = [c for c in choices if not covers(*c[1], crossing)]
                if fits:
                    target, choice = _Row(crossing=list(crossing)), fits[0]
                    rows.insert(index, target)
                    break
        if target is None:
            target = _Row()
            rows.append(target)
        anchor, (x0, x1) = choice
        target.boxes.append((x0, x1))
        target.owners.append(mark.x)
        for above in rows[: rows.index(target)]:
            above.crossing.append(mark.x)
        row_of[id(mark)] = target
        mark.anchor = anchor
        mark.text_x = x0 if anchor == "start" else x1
        mark.box = Box(x0, 0, x1, 0)

    # A label is placed only once no label still to come would cover its leader. When every
    # one waits on another (long labels, close marks), one that can hang on its other side
    # without covering anybody goes first; else the one in fewest ways goes to a new bottom
    # row, so those it covers still have every row above it.
    xs = sorted((m.x, n) for n, m in enumerate(waiting))

    def covered(x0: float, x1: float, me: int) -> list[int]:
        """The marks (but `me`) whose leader a label from x0 to x1 would cover."""
        low = bisect.bisect_left(xs, (x0 - 2, -1))
        high = bisect.bisect_right(xs, (x1 + 2, len(xs)))
        return [n for _, n in xs[low:high] if n != me]

    covers_of = [covered(*primary(m)[1], n) for n, m in enumerate(waiting)]
    covered_by: list[list[int]] = [[] for _ in waiting]
    for n, them in enumerate(covers_of):
        for other in them:
            covered_by[other].append(n)
    count = [len(them) for them in covers_of]
    other_side: list[tuple[str, tuple[float, float]] | None] = []
    for n, m in enumerate(waiting):
        anchor = flip[anchors[id(m)]]
        x0, x1 = extent(m, anchor)
        fits = 2 <= x0 and x1 <= right and not covered(x0, x1, n)
        other_side.append((anchor, (x0, x1)) if fits else None)
    ready = [n for n, c in enumerate(count) if c == 0]
    heapq.heapify(ready)
    left = set(range(len(waiting)))
    while left:
        while ready and ready[0] not in left:
            heapq.heappop(ready)
        if ready:
            n = heapq.heappop(ready)
            choices, bottom = [primary(waiting[n]), *filter(None, [other_side[n]])], False
        elif flexible := [n for n in sorted(left) if other_side[n]]:
            n = flexible[0]
            choices, bottom = [other_side[n]], False  # type: ignore[list-item]
        else:
            n = min(sorted(left), key=lambda k: count[k])
            choices, bottom = [primary(waiting[n])], True
        left.discard(n)
        place(waiting[n], choices, bottom)
        for other in covered_by[n]:
            count[other] -= 1
            if count[other] == 0 and other in left:
                heapq.heappush(ready, other)
    for mark in marks:
        row = float(rows.index(row_of[id(mark)]))
        mark.box = Box(mark.box.x0, row, mark.box.x1, row)  # the row; made a height in layout
    return len(rows)


def layout(items: Sequence[Item], lanes: Sequence[str], *, width: int = WIDTH) -> Timeline:
    """Lay out `items` in `lanes` (their order; an item's lane is added when missing)."""
    names = list(dict.fromkeys([*lanes, *(i.lane for i in items if i.first or i.last)]))
    dated = [i for i in items if i.first or i.last]
    undated = [i for i in items if not (i.first or i.last)]
    right = width - RIGHT
    timeline = Timeline(width, AXIS_Y + 8, right=right)
    start = end = date.today()
    span, plot = 1, right - LEFT

    def x(day: date) -> float:
        return round(LEFT + (day - start).days / span * plot, 1)

    if dated:
        days = [d for i in dated for d in (i.first, i.last) if d]
        timeline.scale, tick_days, labels = choose_ticks(min(days), max(days))
        start, end = tick_days[0], tick_days[-1]
        span = (end - start).days
        timeline.ticks = [Tick(x(d), d, label) for d, label in zip(tick_days, labels, strict=True)]
        minor = SCALES[timeline.scale].minor
        if minor:
            small = [d for d in _tick_days(SCALES[minor], start, end) if start < d < end]
            if small and plot / max(1, len(small)) >= 5:
                timeline.ticks += [
                    Tick(x(d), d, "", major=False) for d in small if d not in tick_days
                ]
    top = float(AXIS_Y + 8)
    for name in names:
        members = [i for i in dated if i.lane == name]
        reach = max((abs(i.conflict_slot or 0) for i in members), default=0) * CONFLICT_STEP
        y = top + 12 + reach
        marks = [
            Mark(
                i,
                x(i.first or i.last),  # type: ignore[arg-type]
                x(i.last or i.first),  # type: ignore[arg-type]
                y + (i.conflict_slot or 0) * CONFLICT_STEP,
            )
            for i in members
        ]
        rows = _place_labels(marks, width - 4)
        rows_top = y + reach + RADIUS + 8
        for mark in marks:
            row_top = rows_top + mark.box.y0 * ROW
            mark.text_y = row_top + FONT - 1
            mark.box = Box(mark.box.x0, row_top, mark.box.x1, row_top + 2 * LINE)
            mark.leader = (mark.x, mark.y + RADIUS + 1, mark.x, row_top + FONT / 2)
        marks.sort(key=lambda m: (m.item.first or m.item.last or date.max, m.item.event_id or 0))
        bottom = rows_top + rows * ROW + 4
        timeline.lanes.append(Lane(name, top, y, bottom, marks))
        top = bottom
    if undated:
        lane = Lane(UNDATED, top, top + 12 + FONT / 2, top)
        cursor, row_top = float(LEFT), top + 12
        for item in undated:
            w = RADIUS * 2 + 4 + max(text_width(item.name), text_width(item.detail))
            if cursor + w > right and cursor > LEFT:
                cursor, row_top = float(LEFT), row_top + ROW
            mark = Mark(item, cursor + RADIUS, cursor + RADIUS, row_top + FONT / 2)
            mark.text_x, mark.text_y = cursor + 2 * RADIUS + 4, row_top + FONT - 1
            mark.box = Box(
                mark.text_x, row_top, mark.text_x + w - 2 * RADIUS - 4, row_top + 2 * LINE
            )
            lane.marks.append(mark)
            cursor += w + 2 * GAP
        lane.bottom = row_top + ROW + 4
        timeline.undated, timeline.undated_lane = lane.marks, lane
        top = lane.bottom
    timeline.height = round(top + 6, 1)
    return timeline


def _wants_jalali() -> bool:
    if not has_request_context():
        return False
    from tracker.web.auth import actor

    me = actor()
    return bool(me and me.show_jalali)


def items_of(view: Overview, *, jalali: bool = False) -> tuple[list[Item], list[str]]:
    """The claims of an agreement's overview as items, and its lanes in order."""
    events = [e for e in view.events if e.status != EventStatus.RETRACTED]
    lanes = [AGREEMENT, *view.agreement.party_codes]
    life = view.lifecycle
    group_of = {i: group for group in life.conflicts for i in group}
    items = []
    for e in events:
        lane = e.party_code if e.stage == Stage.RATIFICATION and e.party_code else AGREEMENT
        first, last = e.date_earliest or e.date_latest, e.date_latest or e.date_earliest
        if not (in_range(first) and in_range(last)):  # stored before the range was enforced
            first = last = None  # listed with the undated claims, off the axis
        name = (e.step or e.stage).replace("_", " ").capitalize()
        if e.body:
            name = f"{name} · {e.body}"
        when = e.date or ""
        if jalali and first and first == last:
            when = f"{when} ({to_jalali(first)})"
        group = group_of.get(e.id)
        items.append(
            Item(
                event_id=e.id,
                lane=lane,
                first=first,
                last=last,
                name=_clip(name),
                when=when,
                status=e.status,
                conflict_slot=group.index(e.id) - (len(group) - 1) / 2 if group else None,
                preferred=e.preferred,
                tooltip=" · ".join(
                    part
                    for part in (name, e.place, e.date or "undated", e.status)
                    + (("in conflict",) if group else ())
                    if part
                ),
            )
        )
    expected = None
    nxt = life.next_expected
    if nxt and nxt.source == "rule" and nxt.date:
        try:
            expected = parse_edtf_date(nxt.date)
        except DateError:
            expected = None
    if expected and (expected.earliest or expected.latest):
        first = expected.earliest or expected.latest
        last = expected.latest or expected.earliest
        items.append(
            Item(
                event_id=None,
                lane=AGREEMENT,
                first=first,
                last=last,
                name="Entry into force",
                when=nxt.date + (f" ({to_jalali(first)})" if jalali and first == last else ""),  # type: ignore[operator]
                status=EventStatus.EXPECTED.value,
                computed=True,
                tooltip=f"expected entry into force · {nxt.date} · computed from the rule",
            )
        )
    return items, lanes


def build(view: Overview, *, jalali: bool | None = None) -> Timeline:
    """The timeline of one agreement; dates in Jalali too when the signed-in reader asked."""
    items, lanes = items_of(view, jalali=_wants_jalali() if jalali is None else jalali)
    return layout(items, lanes)


def overlaps(boxes: Iterable[Box]) -> list[tuple[Box, Box]]:
    """Pairs of boxes that meet (for checks and tests)."""
    boxes = list(boxes)
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.intersects(b)]
