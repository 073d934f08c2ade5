"""Vietnamese by default, English one click away; dates dd/mm/yyyy, Vietnamese separators."""

import gettext
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def switch_to_english(client, next_url="/"):
    return client.post(reverse("set_language"), {"language": "en", "next": next_url})


def test_login_page_is_vietnamese_by_default(client):
    response = client.get(reverse("login"))

    content = response.content.decode()
    assert '<html lang="vi">' in content
    assert "Đăng nhập" in content
    assert "Tên đăng nhập" in content


def test_language_switch_turns_pages_english_and_back(client):
    response = switch_to_english(client, next_url=reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("login")

    english = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in english
    assert "Log in" in english

    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get(reverse("login")).content.decode()


def test_navbar_offers_both_languages_and_a_logout_form(client, unit_officer):
    client.force_login(unit_officer)

    content = client.get("/").content.decode()

    assert f'action="{reverse("set_language")}"' in content
    assert "Tiếng Việt" in content and "English" in content
    assert re.search(rf'<form action="{reverse("logout")}" method="post">', content)


def test_dates_read_day_month_year_and_years_have_no_separator(client, unit_officer):
    aware = datetime.fromisoformat("2020-01-05T10:00:00+07:00")
    submission = SubmissionFactory(
        unit=unit_officer.unit, submitted=True, submitted_at=aware, period__year=2019
    )
    client.force_login(unit_officer)

    vietnamese = client.get(reverse("campaigns:submission-detail", args=[submission.pk]))
    switch_to_english(client)
    english = client.get(reverse("campaigns:submission-detail", args=[submission.pk]))

    for response in (vietnamese, english):
        content = response.content.decode()
        assert "05/01/2020" in content
        assert "15/01/2020" in content  # the deadline
        assert "2019" in content
        assert "2.019" not in content and "2,019" not in content


def test_numbers_use_vietnamese_separators_in_vietnamese(client, unit_officer):
    submission = SubmissionFactory(unit=unit_officer.unit, fund_mobilised_vnd=1234567)
    client.force_login(unit_officer)
    url = reverse("campaigns:submission-detail", args=[submission.pk])

    assert "1.234.567" in client.get(url).content.decode()
    switch_to_english(client)
    assert "1,234,567" in client.get(url).content.decode()


def test_server_error_page_renders_without_a_request():
    with translation.override("vi"):
        content = render_to_string("500.html")

    assert '<html lang="vi">' in content
    assert "Lỗi máy chủ" in content


PO_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unquote(quoted):
    """The text of a quoted .po string, escapes resolved."""
    return re.sub(r"\\(.)", lambda m: PO_ESCAPES.get(m[1], m[0]), quoted[1:-1])


def read_catalogue():
    """(msgid, msgstr, flags) per entry of the .po file, continuation lines joined."""
    entries, flags, current, field = [], "", {}, None
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,"):
            flags = line
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            field, _, rest = line.partition(" ")
            current[field] = unquote(rest.strip())
        elif line.startswith('"') and field:
            current[field] += unquote(line)
        elif not line.strip() and current:
            entries.append((current, flags))
            current, flags, field = {}, "", None
    return entries


def test_every_catalogue_entry_is_translated_and_none_is_fuzzy():
    untranslated, fuzzy = [], []
    for entry, flags in read_catalogue():
        if entry.get("msgid") == "":
            continue  # the header
        translations = [value for key, value in entry.items() if key.startswith("msgstr")]
        if not all(translations):
            untranslated.append(entry["msgid"])
        if "fuzzy" in flags:
            fuzzy.append(entry["msgid"])

    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    with CATALOGUE.with_suffix(".mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    stale = []
    for entry, _flags in read_catalogue():
        if not entry.get("msgid") or "msgid_plural" in entry or not entry["msgstr"]:
            continue  # plural forms are looked up differently; untranslated ones fail above
        if "msgctxt" in entry:
            found = translations.pgettext(entry["msgctxt"], entry["msgid"])
        else:
            found = translations.gettext(entry["msgid"])
        if found != entry["msgstr"]:
            stale.append(entry["msgid"])

    assert stale == [], "run manage.py compilemessages"
