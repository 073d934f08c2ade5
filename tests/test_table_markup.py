"""Every table a screen shows is announced by name, its headers say what they head, and a table
wider than a phone scrolls from the keyboard (WCAG 1.3.1, 2.1.1): checked on the templates, so a
page added later meets it without a browser test of its own."""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Printed documents are read on paper: no keyboard scrolling, and the PDF tags come from WeasyPrint.
SCREEN_TEMPLATES = sorted(p for p in TEMPLATES.rglob("*.html") if "pdf" not in p.parts)


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def _problems(text: str, name: object) -> list[str]:
    problems = []
    for table in re.finditer(r"<table\b[^>]*>", text):
        if not re.match(r"\s*<caption\b", text[table.end() :]):
            problems.append(f"{name}:{_line(text, table.start())}: table without a caption")
    for th in re.finditer(r"<th\b[^>]*>", text):
        if "scope=" not in th.group(0):
            problems.append(f"{name}:{_line(text, th.start())}: <th> without scope")
    for box in re.finditer(r"<div\b[^>]*\btable-responsive\b[^>]*>", text):
        if 'tabindex="0"' not in box.group(0):
            problems.append(f"{name}:{_line(text, box.start())}: scrolling table not focusable")
    return problems


def test_the_check_sees_the_screen_templates_and_a_bad_table():
    assert len(SCREEN_TEMPLATES) > 50
    assert any(p.name == "groups.html" for p in SCREEN_TEMPLATES)
    assert not any("pdf" in p.parts for p in SCREEN_TEMPLATES)


def test_a_table_without_caption_scope_or_focus_is_reported():
    bad = '<div class="table-responsive"><table><tr><th>Xã</th></tr></table></div>'
    good = (
        '<div tabindex="0" class="table-responsive"><table>\n  <caption>Xã</caption>'
        '<tr><th scope="col">Xã</th></tr></table></div>'
    )
    assert len(_problems(bad, "bad.html")) == 3
    assert _problems(good, "good.html") == []


def test_every_table_on_screen_has_a_caption_scoped_headers_and_scrolls_from_the_keyboard():
    problems = [
        problem
        for path in SCREEN_TEMPLATES
        for problem in _problems(path.read_text(encoding="utf-8"), path.relative_to(TEMPLATES))
    ]
    assert problems == [], "\n".join(problems)
