"""Problem messages: every placeholder filled in, in both languages, figures with separators."""

import gettext
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from indicators.imports import services
from indicators.imports.problems import MESSAGES, message
from tests.factories import CommuneStatisticsFactory
from tests.fixtures.import_files import (
    kon_tum_communes,
    simple_file,
    template_row,
    upload,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def previewed(content: bytes, user, year: int = 2019):
    return services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=year, by=user)
    )


def test_every_vietnamese_message_has_the_placeholders_of_the_english_one():
    with open(settings.BASE_DIR / "locale/vi/LC_MESSAGES/django.mo", "rb") as compiled:
        translated = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    for code, text in MESSAGES.items():
        with translation.override("en"):
            english = str(text)
        vietnamese = translated.get(english)
        assert vietnamese, f"{code} has no Vietnamese translation"
        assert set(PLACEHOLDER.findall(vietnamese)) == set(PLACEHOLDER.findall(english)), code


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_message_is_shown_without_a_raw_placeholder(language):
    with translation.override(language):
        for code, text in MESSAGES.items():
            names = PLACEHOLDER.findall(str(text))
            shown = message(code, {name: f"<{name}>" for name in names})
            assert "%(" not in shown, code


def test_the_vietnamese_preview_names_the_missing_column(client, admin_user):
    kon_tum_communes()
    content = workbook_bytes([["Mã xã", "Tổng số hộ", "Số hộ nghèo"], ["23287", 500, 50]])
    client.force_login(admin_user)
    response = client.post(
        reverse("indicators:import-upload"), {"year": 2019, "file": upload(content)}
    )
    html = client.get(response["Location"]).content.decode()

    assert "Tệp không có cột “Số hộ cận nghèo”" in html
    assert "%(column)s" not in html


def test_the_english_warning_names_the_missing_column_too(admin_user):
    kon_tum_communes()
    content = workbook_bytes([["Mã xã", "Tổng số hộ", "Số hộ nghèo"], ["23287", 500, 50]])
    warning = next(
        w for w in previewed(content, admin_user).warnings if w["code"] == "column_absent"
    )
    with translation.override("en"):
        assert message(warning["code"], warning["params"]).startswith(
            "The file has no column “Số hộ đồng bào DTTS”"
        )


def test_figures_in_row_errors_keep_their_thousand_separators(admin_user):
    kon_tum_communes()
    content = simple_file([template_row("23287", "", total_households=1000, poor_households=1234)])
    (error,) = previewed(content, admin_user).errors

    with translation.override("vi"):
        assert "(1.234)" in message(error["code"], error["params"])
        assert "(1.000)" in message(error["code"], error["params"])
    with translation.override("en"):
        assert "(1,234)" in message(error["code"], error["params"])


def test_row_numbers_are_not_grouped_like_figures():
    with translation.override("vi"):
        shown = message("duplicate_commune", {"commune": "23287 Xã Đắk Choong", "first_row": 1234})
    assert "1234" in shown


def test_differences_in_the_preview_keep_their_thousand_separators(client, admin_user):
    communes = kon_tum_communes()
    CommuneStatisticsFactory(commune=communes["dak_choong"], year=2019, total_households=1200)
    content = simple_file([template_row("23287", "", total_households=12345)])
    client.force_login(admin_user)
    response = client.post(
        reverse("indicators:import-upload"), {"year": 2019, "file": upload(content)}
    )
    html = client.get(response["Location"]).content.decode()
    changes = html[html.index('id="import-changes"') :]

    assert "1.200" in changes
    assert "12.345" in changes
