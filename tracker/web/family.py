"""An agreement's family: its relations to other agreements, laid out on the server and
drawn as SVG (no script needed), like the timeline.

A tree read top to bottom: the agreements this one acts on (what it supersedes, amends, is a
protocol to …) above it, the agreements that act on it (superseded by, amended by, has
protocol …) below it, this agreement in the middle. A trunk runs down the left edge; each
relation is a branch from the trunk to its agreement's box, labelled with the relation read
from this agreement ("supersedes", "superseded by"). Every box and label has a row of its
own, so nothing overprints however many relations there are; a title is wrapped on up to
two lines and cut with an ellipsis beyond, the whole of it in the box's tooltip.

The drawing is 340 units wide and is shown at most at 340 CSS pixels, so on a 390 px phone
its 12-unit text stays 12 px; the same relations are listed in words beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker.models.vocab import RelationRole
from tracker.web.timeline import Box, text_width

WIDTH = 340  # viewBox units, drawn at most at as many CSS pixels
FONT = 12  # every text in the drawing
LINE = 15  # baseline to baseline
PAD = 6  # inside a box, around its text
TRUNK_X = 10  # the trunk's x
INDENT = 24  # where related agreements' boxes begin
GAP = 6  # least room between two rows
MAX_LINES = 2  # of a title in a box


@dataclass(frozen=True)
class Node:
    """One agreement's box: its title's lines, where it is, what it links to."""

    agreement_id: int
    lines: tuple[str, ...]
    title: str  # the whole title, for the tooltip
    box: Box
    current: bool = False

    @property
    def text_x(self) -> float:
        return self.box.x0 + PAD

    @property
    def text_y(self) -> float:
        return self.box.y0 + PAD + FONT - 1


@dataclass(frozen=True)
class Edge:
    """A branch from the trunk to a related agreement's box, with its label above it."""

    relation_id: int
    label: str
    label_box: Box
    node: Node
    branch_y: float  # where the branch meets the box

    @property
    def label_x(self) -> float:
        return self.label_box.x0

    @property
    def label_y(self) -> float:
        return self.label_box.y1 - 3


@dataclass(frozen=True)
class Family:
    width: int
    height: float
    nodes: list[Node]
    edges: list[Edge]
    trunk: tuple[float, float]  # its top and bottom y
    font: int = FONT

    @property
    def empty(self) -> bool:
        return not self.edges

    def boxes(self) -> list[Box]:
        """Every box and label drawn (for checks and tests)."""
        return [n.box for n in self.nodes] + [e.label_box for e in self.edges]


def wrap(text: str, width: float, *, size: float = FONT, lines: int = MAX_LINES) -> list[str]:
    """`text` in lines no wider than `width` (estimated), breaking between words (inside a
    word too long for a line), at most `lines` of them, the last cut with an ellipsis when
    the text does not fit."""
    words = text.split()
    out: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        while text_width(current, size) > width:  # a word longer than a line
            cut = len(current)
            while cut > 1 and text_width(current[:cut], size) > width:
                cut -= 1
            out.append(current[:cut])
            current = current[cut:]
    if current:
        out.append(current)
    if len(out) <= lines:
        return out
    last = out[lines - 1]
    while last and text_width(last + "…", size) > width:
        last = last[:-1].rstrip()
    return out[: lines - 1] + [last + "…"]


def _node(agreement_id: int, title: str, x0: float, y0: float, *, current: bool) -> Node:
    lines = tuple(wrap(title, WIDTH - x0 - 2 * PAD)) or ("",)
    height = 2 * PAD + LINE * (len(lines) - 1) + FONT + 2
    return Node(agreement_id, lines, title, Box(x0, y0, WIDTH, y0 + height), current)


def layout(agreement_id: int, title: str, views: Sequence[object]) -> Family:
    """The family of one agreement from its relations (tracker.services.claims.relations
    RelationView: relation, role, label, other)."""
    above = [v for v in views if v.role == RelationRole.SUBJECT]  # type: ignore[attr-defined]
    below = [v for v in views if v.role == RelationRole.TARGET]  # type: ignore[attr-defined]
    nodes: list[Node] = []
    edges: list[Edge] = []
    y = 0.0

    def branch(view: object) -> None:
        nonlocal y
        label = view.label  # type: ignore[attr-defined]
        if view.relation.date:  # type: ignore[attr-defined]
            label += f" · {view.relation.date}"  # type: ignore[attr-defined]
        label_box = Box(INDENT, y, INDENT + text_width(label, FONT), y + LINE)
        y = label_box.y1 + 2
        other = view.other  # type: ignore[attr-defined]
        node = _node(other.id, other.title, INDENT, y, current=False)
        nodes.append(node)
        edges.append(
            Edge(view.relation.id, label, label_box, node, (node.box.y0 + node.box.y1) / 2)  # type: ignore[attr-defined]
        )
        y = node.box.y1 + GAP

    for view in above:
        branch(view)
    centre = _node(agreement_id, title, 0, y + (GAP if above else 0), current=True)
    nodes.append(centre)
    y = centre.box.y1 + GAP * 2
    for view in below:
        branch(view)
    ys = [e.branch_y for e in edges] + [centre.box.y0, centre.box.y1]
    return Family(WIDTH, max(y - GAP, centre.box.y1) + 1, nodes, edges, (min(ys), max(ys)))


def build(agreement_id: int, title: str, views: Sequence[object]) -> Family:
    return layout(agreement_id, title, views)


def overlaps(boxes: Iterable[Box]) -> list[tuple[Box, Box]]:
    """Pairs of boxes that meet (for checks and tests)."""
    boxes = list(boxes)
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.intersects(b)]
