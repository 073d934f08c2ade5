"""Blank is not data: a template row nobody filled in is neither new nor stored."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.imports import services
from indicators.imports.columns import BY_FIELD
from indicators.models import CommuneStatistics, ImportBatch, ImportState
from indicators.services import reference_data_seed
from tests.factories import CommuneStatisticsFactory, PeriodFactory, UserFactory
from tests.fixtures.import_files import kon_tum_communes, simple_file, template_row, upload
from units.services import units_load_reference

pytestmark = pytest.mark.django_db

FOUR = {
    "Thị trấn Đắk Glei": {"total_households": 1234, "poor_households": 321},
    "Xã Đắk Pék": {"total_households": 980, "poor_households": 400, "near_poor_households": 90},
    "Xã Xốp": {"total_households": 455, "poor_households": 210, "escaped_poverty": 12},
    # Only the total: every other figure is "not reported", never zero.
    "Xã Mường Hoong": {"total_households": 612},
}


def fill_template(content: bytes, figures: dict[str, dict[str, int]]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[3]]
    at = {field: header.index(column.header) + 1 for field, column in BY_FIELD.items()}
    for row in range(4, sheet.max_row + 1):
        name = sheet.cell(row=row, column=at["name"]).value
        for field, value in figures.get(name, {}).items():
            sheet.cell(row=row, column=at[field], value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_four_communes_of_dak_glei_in_the_2020_template_import_four(client, admin_user):
    units_load_reference()
    PeriodFactory(year=2020)
    client.force_login(admin_user)
    template = client.get(reverse("indicators:import-template"), {"year": 2020})
    assert template.status_code == 200
    content = fill_template(template.content, FOUR)

    response = client.post(
        reverse("indicators:import-upload"), {"year": 2020, "file": upload(content)}
    )
    page = client.get(response["Location"])
    batch = page.context["batch"]

    assert (batch.new_count, batch.blank_count, batch.error_count) == (4, 98, 0)
    html = page.content.decode()
    counts = re.search(r'id="import-blank">.*?fs-4 fw-semibold">(\d+)<', html, re.S)
    assert counts and counts.group(1) == "98"
    assert "xã để trống" in html
    assert len(page.context["new_rows"]) == 4

    client.post(
        reverse("indicators:import-confirm", args=[batch.pk]), {"token": batch.confirm_token}
    )

    assert CommuneStatistics.objects.filter(year=2020).count() == 4
    assert ImportBatch.objects.get().state == ImportState.APPLIED
    muong_hoong = CommuneStatistics.objects.get(commune__name="Xã Mường Hoong")
    assert muong_hoong.total_households == 612
    assert muong_hoong.poor_households is None


def test_after_a_four_commune_import_no_page_claims_more_or_achieves(client, admin_user):
    """The tester's import, then what a leader and the public read: four communes' figures are
    not the province's, and a road target met in those four is not "Đã đạt"."""
    reference_data_seed()
    client.force_login(admin_user)
    template = client.get(reverse("indicators:import-template"), {"year": 2020})
    roads = {name: {**figures, "paved_road": "có"} for name, figures in FOUR.items()}
    response = client.post(
        reverse("indicators:import-upload"),
        {"year": 2020, "file": upload(fill_template(template.content, roads))},
    )
    batch = client.get(response["Location"]).context["batch"]
    client.post(
        reverse("indicators:import-confirm", args=[batch.pk]), {"token": batch.confirm_token}
    )
    assert CommuneStatistics.objects.filter(year=2020, paved_road=True).count() == 4

    leader = UserFactory(leader=True)
    for user, url in ((leader, reverse("dashboard:home")), (None, reverse("public-progress"))):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        html = client.get(url, {"year": 2020}).content.decode()

        # Three xã and the town: ROAD counts xã only, and three of the four gave both poverty
        # figures.
        assert "Chưa đủ số liệu (3/85 xã)" in html, url
        assert "Chưa đủ số liệu (3/102 xã, phường, thị trấn)" in html, url
        assert 'data-status="achieved"' not in html, url
        assert "Đã đạt" not in html, url
        assert "102 xã có số liệu" not in html, url
        claimed = [int(n) for n in re.findall(r"(\d+)/\d+ (?:xã|đơn vị|huyện)", html)]
        assert claimed and max(claimed) <= 4, (url, claimed)


def test_a_blank_row_leaves_the_stored_figures_of_its_commune_alone(admin_user):
    communes = kon_tum_communes()
    CommuneStatisticsFactory(commune=communes["dak_choong"], year=2019, total_households=700)
    content = simple_file(
        [
            template_row("23287", "Xã Đắk Choong"),
            template_row("23290", "Xã Mường Hoong", total_households=300),
        ]
    )
    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=2019, by=admin_user)
    )

    assert (batch.new_count, batch.changed_count, batch.blank_count) == (1, 0, 1)
    assert not any(w["code"] == "blank_erases" for w in batch.warnings)
    services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)
    stored = CommuneStatistics.objects.get(commune=communes["dak_choong"])
    assert stored.total_households == 700


def test_a_row_with_only_a_note_is_still_blank(admin_user):
    kon_tum_communes()
    content = simple_file(
        [
            template_row("23287", "", note="Chưa báo cáo"),
            template_row("23290", "", total_households=300),
        ]
    )
    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=2019, by=admin_user)
    )
    assert (batch.new_count, batch.blank_count) == (1, 1)


def test_a_file_with_every_row_blank_is_refused_as_blank(admin_user):
    kon_tum_communes()
    content = simple_file([template_row("23287", ""), template_row("23290", "")])
    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=2019, by=admin_user)
    )
    assert batch.state == ImportState.REFUSED
    assert batch.refusal == {"code": "all_blank", "params": {"count": 2}}
    assert not CommuneStatistics.objects.exists()
