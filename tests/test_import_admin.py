"""django-import-export in the Django admin: administrators only, all or nothing."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from indicators.models import CommuneStatistics
from tests.factories import UserFactory
from tests.fixtures.import_files import XLSX_TYPE, kon_tum_communes, upload

pytestmark = pytest.mark.django_db

IMPORT_URLS = [
    "admin:indicators_communestatistics_import",
    "admin:indicators_communestatistics_process_import",
    "admin:indicators_milestone_import",
    "admin:indicators_milestone_process_import",
    "admin:units_unit_import",
    "admin:units_unit_process_import",
]


@pytest.fixture
def communes():
    return kon_tum_communes()


@pytest.fixture
def staff_with_every_permission(db):
    """A Board member given staff status and every model permission, but not the admin role."""
    user = UserFactory(board=True, is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


def admin_workbook(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mã xã", "Năm", "Tổng số hộ", "Số hộ nghèo"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", IMPORT_URLS)
def test_a_non_admin_posting_to_admin_import_urls_is_refused(
    client, staff_with_every_permission, communes, name
):
    client.force_login(staff_with_every_permission)
    response = client.post(
        reverse(name),
        {
            "format": 0,
            "import_file": upload(admin_workbook([["23287", 2019, 10, 1]])),
            "import_file_name": "x.xlsx",
            "original_file_name": "x.xlsx",
        },
    )
    assert response.status_code == 403
    assert not CommuneStatistics.objects.exists()


def test_a_non_admin_cannot_export_from_the_admin(client, staff_with_every_permission):
    client.force_login(staff_with_every_permission)
    response = client.post(reverse("admin:indicators_communestatistics_export"), {"format": 0})
    assert response.status_code == 403


def test_an_admin_imports_through_the_admin_in_two_steps(client, admin_user, communes):
    client.force_login(admin_user)
    url = reverse("admin:indicators_communestatistics_import")
    preview = client.post(
        url, {"format": 0, "import_file": upload(admin_workbook([["23287", 2019, "1.234", 7]]))}
    )
    assert preview.status_code == 200
    form = preview.context["confirm_form"]
    assert form is not None
    assert not CommuneStatistics.objects.exists()
    confirm = client.post(
        reverse("admin:indicators_communestatistics_process_import"),
        {name: form.initial[name] for name in form.initial},
    )
    assert confirm.status_code == 302
    assert CommuneStatistics.objects.get().total_households == 1234


def test_one_bad_row_in_the_admin_import_writes_nothing(client, admin_user, communes):
    client.force_login(admin_user)
    content = admin_workbook([["23287", 2019, 10, 1], ["23290", 2019, "1,5", 1]])
    response = client.post(
        reverse("admin:indicators_communestatistics_import"),
        {"format": 0, "import_file": upload(content)},
    )
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    text = response.content.decode()
    assert "1,5" in text and "InvalidOperation" not in text
    assert not CommuneStatistics.objects.exists()


def test_the_admin_import_refuses_a_file_that_is_not_xlsx(client, admin_user, communes):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:indicators_communestatistics_import"),
        {"format": 0, "import_file": upload(b"%PDF-1.4 not a workbook", "x.xlsx")},
    )
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert not CommuneStatistics.objects.exists()


def test_the_admin_export_escapes_formulas(client, admin_user, communes):
    CommuneStatistics.objects.create(commune=communes["dak_choong"], year=2019, note="=2+3")
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:indicators_communestatistics_export"),
        {
            "format": 0,
            **{f"communestatisticsresource_{name}": "on" for name in ("commune", "note")},
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(XLSX_TYPE)
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "'=2+3" in values
    assert not any(isinstance(v, str) and re.match(r"^=", v) for v in values)
