"""A district's own step: its officer enters or corrects the year's figures of the district's
communes through the import (restricted to them), then confirms; the admin sees who confirmed;
figures not yet confirmed are marked."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indicators.imports import districts
from indicators.imports import services as import_services
from indicators.models import CommuneStatistics, DistrictConfirmation, ImportBatch, ImportState
from tests.factories import CommuneStatisticsFactory, PeriodFactory, UserFactory
from tests.fixtures.import_files import kon_tum_communes, simple_file, template_row, upload
from units.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return kon_tum_communes()


@pytest.fixture
def glei(communes):
    """Đắk Glei and its officer."""
    district = communes["dak_pek"].parent
    return district, UserFactory(username="officer-glei", unit=district)


def own_rows(communes, households=100):
    return [
        template_row(c.code, c.name, total_households=households)
        for key, c in communes.items()
        if key in ("dak_pek", "dak_choong", "muong_hoong")
    ]


def upload_as(client, officer, rows, year=2019):
    client.force_login(officer)
    response = client.post(
        reverse("indicators:district-figures"),
        {"year": year, "file": upload(simple_file(rows))},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.latest("created_at")


def confirm_import(client, batch):
    return client.post(
        reverse("indicators:import-confirm", args=[batch.pk]),
        {"token": batch.confirm_token, "note": ""},
    )


def test_the_district_template_lists_only_the_districts_communes(client, glei, communes):
    _district, officer = glei
    client.force_login(officer)
    response = client.get(reverse("indicators:district-template"), {"year": 2019})
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    assert codes == {"23284", "23287", "23290"}


def test_a_row_of_another_districts_commune_is_an_error_and_nothing_can_be_confirmed(
    client, glei, communes
):
    _district, officer = glei
    rows = [*own_rows(communes), template_row("23317", "Thị trấn Plei Kần", total_households=5)]
    batch = upload_as(client, officer, rows)

    assert batch.state == ImportState.PREVIEWED
    assert [error["code"] for error in batch.errors] == ["outside_district"]
    assert batch.confirm_token == ""
    page = client.get(reverse("indicators:import-detail", args=[batch.pk])).content.decode()
    assert "Thị trấn Plei Kần" in page
    assert not CommuneStatistics.objects.exists()


def test_the_district_enters_its_figures_then_confirms_and_the_admin_is_told(
    client, glei, communes, admin_user
):
    district, officer = glei
    batch = upload_as(client, officer, own_rows(communes))
    assert confirm_import(client, batch).status_code == 302
    assert CommuneStatistics.objects.filter(year=2019, commune__parent=district).count() == 3

    response = client.post(reverse("indicators:district-confirm"), {"year": 2019})

    assert response.status_code == 302
    confirmation = DistrictConfirmation.objects.get(year=2019, district=district)
    assert confirmation.confirmed_by == officer
    notice = Notification.objects.get(recipient=admin_user)
    assert notice.kind == NotificationKind.DISTRICT_CONFIRMED


def test_confirming_is_refused_while_a_commune_has_no_figures(client, glei, communes):
    district, officer = glei
    CommuneStatisticsFactory(commune=communes["dak_pek"], year=2019)
    client.force_login(officer)
    response = client.post(reverse("indicators:district-confirm"), {"year": 2019})
    assert response.status_code == 409
    assert "Xã Đắk Choong" in response.content.decode()
    assert not DistrictConfirmation.objects.exists()


def test_a_later_change_to_a_communes_figures_removes_the_confirmation(
    client, glei, communes, admin_user
):
    district, officer = glei
    batch = upload_as(client, officer, own_rows(communes))
    confirm_import(client, batch)
    districts.district_confirm(year=2019, district=district, by=officer)

    # The admin corrects one commune of the district: the district must confirm again.
    rows = [template_row("23284", "Thị trấn Đắk Glei", total_households=120)]
    admin_batch = import_services.batch_preview(
        batch=import_services.batch_create(
            upload=upload(simple_file(rows)), year=2019, by=admin_user
        )
    )
    import_services.batch_confirm(
        batch=admin_batch, by=admin_user, token=admin_batch.confirm_token, note=""
    )

    assert not DistrictConfirmation.objects.filter(district=district).exists()
    assert districts.figures_unconfirmed(year=2019, scope=district)


def test_the_admin_sees_which_districts_confirmed(client, glei, communes, admin_user):
    district, officer = glei
    for key in ("dak_pek", "dak_choong", "muong_hoong"):
        CommuneStatisticsFactory(commune=communes[key], year=2019)
    districts.district_confirm(year=2019, district=district, by=officer)
    PeriodFactory(year=2019)  # the year the import page is about
    client.force_login(admin_user)
    overview = client.get(reverse("indicators:import-upload")).context["district_confirmations"]
    status = {unit.name: confirmation is not None for unit, confirmation in overview}
    assert status == {"Huyện Đắk Glei": True, "Huyện Ngọc Hồi": False}


def test_unconfirmed_figures_are_marked_on_the_dashboard(client, glei, communes, admin_user):
    district, officer = glei
    for key in ("dak_pek", "dak_choong", "muong_hoong"):
        CommuneStatisticsFactory(commune=communes[key], year=2019)
    assert districts.figures_unconfirmed(year=2019, scope=district)
    assert districts.figures_unconfirmed(year=2019, scope=communes["dak_pek"])
    assert not districts.figures_unconfirmed(year=2019, scope=communes["plei_kan"])

    districts.district_confirm(year=2019, district=district, by=officer)

    assert not districts.figures_unconfirmed(year=2019, scope=district)
    assert not districts.figures_unconfirmed(year=2019, scope=district.parent)


def test_only_a_districts_own_officers_use_its_page(client, glei, communes, board_staff):
    district, officer = glei
    commune_officer = UserFactory(unit=communes["dak_pek"])
    for person in (board_staff, commune_officer):
        client.force_login(person)
        assert client.get(reverse("indicators:district-figures")).status_code == 403
        assert (
            client.post(reverse("indicators:district-confirm"), {"year": 2019}).status_code == 403
        )
    # The admin's own import page stays the admin's.
    client.force_login(officer)
    assert client.get(reverse("indicators:import-upload")).status_code == 403


def test_another_districts_officer_cannot_see_or_confirm_the_upload(client, glei, communes):
    _district, officer = glei
    batch = upload_as(client, officer, own_rows(communes))
    other = UserFactory(unit=communes["plei_kan"].parent)
    client.force_login(other)
    assert client.get(reverse("indicators:import-detail", args=[batch.pk])).status_code == 404
    assert confirm_import(client, batch).status_code == 404
    assert not CommuneStatistics.objects.exists()


def test_the_dashboard_marks_figures_until_the_district_confirms(client, glei, communes):
    district, officer = glei
    PeriodFactory(year=2019)
    for key in ("dak_pek", "dak_choong", "muong_hoong"):
        CommuneStatisticsFactory(commune=communes[key], year=2019)
    client.force_login(officer)
    url = reverse("dashboard:scope", args=[district.pk]) + "?year=2019"

    assert "app-unconfirmed" in client.get(url).content.decode()

    districts.district_confirm(year=2019, district=district, by=officer)
    assert "app-unconfirmed" not in client.get(url).content.decode()
