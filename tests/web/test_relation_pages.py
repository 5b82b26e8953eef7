"""Related agreements on the agreement page: the form that finds the other agreement by part
of its title in any language, the list in words both ways, edit and remove, the family graph."""

from __future__ import annotations

import re
from types import SimpleNamespace

from sqlalchemy import select

from tests import factories
from tests.web.conftest import csrf
from tracker.models import Agreement
from tracker.services.claims import relations
from tracker.web import family

OLD_TITLE = (
    "Treaty on the Foundations of Relations and Principles of Cooperation between the "
    "Russian Federation and the Islamic Republic of Iran"
)
OLD_FA = "معاهده مبانی روابط متقابل و اصول همکاری میان جمهوری اسلامی ایران و فدراسیون روسیه"
NEW_TITLE = "Treaty on Comprehensive Strategic Partnership between Russia and Iran"
REPORT = "Новый договор заменит договор 2001 года об основах взаимоотношений."


def _pair(session):  # type: ignore[no-untyped-def]
    old = factories.agreement(session, title=OLD_TITLE, titles={"fa": OLD_FA})
    new = factories.agreement(session, title=NEW_TITLE)
    return new, old


def test_record_a_relation_by_typing_part_of_the_persian_title(editor_web, session):
    # the seed's 2001 treaty, found by a fragment of its Persian title
    old = session.scalar(
        select(Agreement).where(Agreement.ref == "rus-irn-foundations-of-relations-2001")
    )
    new = factories.agreement(session, title=NEW_TITLE + " (draft)")
    article = factories.article(session, REPORT, language="ru")
    path = f"/agreements/{new.id}/relations/new"
    token = csrf(editor_web, path)
    found = editor_web.post(
        path, data={"csrf_token": token, "find": "اصول همكاري", "find_button": "1"}
    )  # typed with the Arabic kaf and ya: the search folds them
    html = found.get_data(as_text=True)
    assert found.status_code == 200
    offered = re.findall(r'<input[^>]*name="target_id"[^>]*value="(\d+)"', html)
    assert offered == [str(old.id)]
    saved = editor_web.post(
        path,
        data={
            "csrf_token": token,
            "type": "supersedes",
            "find": "اصول همكاري",
            "target_id": str(old.id),
            "date": "2025-01-17",
            "article_id": str(article.id),
            "quote": "заменит договор 2001 года",
            "save_button": "1",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = editor_web.get(f"/agreements/{old.id}").get_data(as_text=True)
    assert "Superseded by" in page and NEW_TITLE + " (draft)" in page
    assert "заменит договор 2001 года" in page
    assert 'class="family"' in page
    assert f"recorded that {NEW_TITLE} (draft) supersedes {OLD_TITLE}" in editor_web.get(
        f"/agreements/{new.id}"
    ).get_data(as_text=True)
    # the quote is highlighted in its article, linking to the relation
    (relation,) = relations.list_relations(session, new.id)
    source = editor_web.get(f"/articles/{article.id}").get_data(as_text=True)
    assert f"/agreements/{new.id}#relation-{relation.relation.id}" in source
    assert f'id="quote-{relation.relation.evidence[0].id}"' in source


def test_a_refused_relation_keeps_what_was_typed_with_the_error_beside(editor_web, session):
    new, old = _pair(session)
    path = f"/agreements/{new.id}/relations/new"
    response = editor_web.post(
        path,
        data={
            "csrf_token": csrf(editor_web, path),
            "type": "amends",
            "find": "Foundations",
            "target_id": str(old.id),
            "date": "2025-02-30",
            "note": "kept",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="field-date".*?class="errors"', html, re.S)
    assert "kept</textarea>" in html
    assert relations.list_relations(session, new.id) == []
    missing = editor_web.post(
        path, data={"csrf_token": csrf(editor_web, path), "type": "amends", "find": "zzz"}
    )
    assert missing.status_code == 422
    assert "No other agreement has a title" in missing.get_data(as_text=True)


def test_edit_and_remove_with_confirmation(editor_web, viewer_web, session):
    new, old = _pair(session)
    relation = relations.record_relation(session, new.id, {"type": "amends", "target_id": old.id})
    edit = f"/relations/{relation.id}/edit"
    form = editor_web.get(edit).get_data(as_text=True)
    assert re.search(r"<option selected value=\"amends\"", form), form
    assert re.search(rf"checked[^>]*value=\"{old.id}\"|value=\"{old.id}\"[^>]*checked", form)
    saved = editor_web.post(
        edit,
        data={
            "csrf_token": csrf(editor_web, edit),
            "type": "extends",
            "target_id": str(old.id),
            "note": "Article 4",
            "version": "1",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert "Extended by" in editor_web.get(f"/agreements/{old.id}").get_data(as_text=True)
    assert viewer_web.get(edit).status_code == 403
    assert "Relate to another agreement" not in viewer_web.get(f"/agreements/{old.id}").get_data(
        as_text=True
    )
    remove = f"/relations/{relation.id}/remove"
    assert "Remove this relation?" in editor_web.get(remove).get_data(as_text=True)
    done = editor_web.post(remove, data={"csrf_token": csrf(editor_web, remove)})
    assert done.status_code == 302
    page = editor_web.get(f"/agreements/{old.id}").get_data(as_text=True)
    assert "Extended by" not in page and 'class="family"' not in page
    assert "No related agreements recorded." in page


# ---------------------------------------------------------------- the family graph


def _view(i: int, role: str, label: str, title: str, date: str | None = None):  # type: ignore[no-untyped-def]
    return SimpleNamespace(
        relation=SimpleNamespace(id=i, date=date),
        role=role,
        label=label,
        other=SimpleNamespace(id=100 + i, title=title),
    )


LONG_FA = OLD_FA + " و پروتکل‌های الحاقی آن در زمینه همکاری‌های اقتصادی، فرهنگی و امنیتی"


def test_the_family_never_overprints_with_long_persian_titles_and_many_relations():
    views = [
        _view(1, "subject", "supersedes", LONG_FA, "2025-01-17"),
        _view(2, "subject", "amends", OLD_TITLE),
        _view(3, "subject", "protocol to", "A" * 200),  # one word wider than any line
        _view(4, "subject", "implements", "Short"),
        _view(5, "target", "superseded by", LONG_FA),
        _view(6, "target", "amended by", NEW_TITLE, "2026~"),
        _view(7, "target", "has protocol", OLD_TITLE + " " + OLD_TITLE),
        _view(8, "target", "extended by", "Договор о всеобъемлющем стратегическом партнёрстве"),
        _view(9, "target", "suspended by", "اتفاقية " * 30),
    ]
    drawn = family.layout(1, LONG_FA, views)
    assert len(drawn.edges) == 9 and len(drawn.nodes) == 10
    assert family.overlaps(drawn.boxes()) == []
    for node in drawn.nodes:
        assert 1 <= len(node.lines) <= family.MAX_LINES
        for line in node.lines:  # every line fits inside its box
            assert family.text_width(line) <= node.box.x1 - node.box.x0 - 2 * family.PAD
        assert node.box.x1 <= drawn.width
    cut = [n for n in drawn.nodes if n.title in (LONG_FA, "اتفاقية " * 30)]
    assert cut and all(n.lines[-1].endswith("…") for n in cut)
    # what this one acts on is above it, what acts on it below
    centre = next(n for n in drawn.nodes if n.current)
    assert all(e.node.box.y1 < centre.box.y0 for e in drawn.edges if e.relation_id <= 4)
    assert all(e.node.box.y0 > centre.box.y1 for e in drawn.edges if e.relation_id > 4)
    assert drawn.edges[0].label == "supersedes · 2025-01-17"


def test_legible_at_390_px():
    # drawn at most at its width in CSS px, which fits a 390 px phone's content column
    drawn = family.layout(1, "A", [_view(1, "subject", "supersedes", "B")])
    assert drawn.width <= 390 - 2 * 24 and drawn.font >= 11


def test_no_relations_no_graph(viewer_web, session):
    lone = factories.agreement(session, title="Alone")
    page = viewer_web.get(f"/agreements/{lone.id}").get_data(as_text=True)
    assert "No related agreements recorded." in page and '<svg class="family"' not in page
    assert family.layout(lone.id, "Alone", []).empty
