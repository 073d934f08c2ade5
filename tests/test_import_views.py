import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.models import PeriodState
from indicators.imports import services
from indicators.models import CommuneStatistics, ImportBatch, ImportState
from tests.factories import PeriodFactory, UserFactory
from tests.fixtures.import_files import kon_tum_communes, simple_file, template_row, upload

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("indicators:import-upload")


@pytest.fixture
def communes():
    return kon_tum_communes()


def post_file(client, content: bytes, year: int = 2019):
    return client.post(UPLOAD_URL, {"year": year, "file": upload(content)})


@pytest.mark.parametrize("persona", ["unit_officer", "board_staff", "leader"])
def test_only_admins_open_the_import_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(UPLOAD_URL).status_code == 403
    assert post_file(client, simple_file([])).status_code == 403
    assert not ImportBatch.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_upload_then_confirm_saves_the_figures(client, admin_user, communes):
    client.force_login(admin_user)
    content = simple_file([template_row("23287", "", total_households=321, poor_households=12)])
    response = post_file(client, content)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:import-detail", args=[batch.pk])

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["batch"].new_count == 1
    assert not CommuneStatistics.objects.exists()

    confirm = client.post(
        reverse("indicators:import-confirm", args=[batch.pk]), {"token": batch.confirm_token}
    )
    assert confirm.status_code == 302
    assert CommuneStatistics.objects.get().total_households == 321
    batch.refresh_from_db()
    assert (batch.state, batch.uploaded_by, batch.applied_by) == (
        ImportState.APPLIED,
        admin_user,
        admin_user,
    )


def test_the_preview_lists_errors_with_row_column_and_message(client, admin_user, communes):
    client.force_login(admin_user)
    content = simple_file([template_row("99999", "", total_households=1)])
    response = client.get(post_file(client, content)["Location"])
    (error,) = response.context["errors"]
    assert (error["row"], error["column"], error["code"]) == (2, "A", "unknown_code")
    assert "99999" in error["message"]
    assert response.context["form"] is None


def test_a_replayed_confirm_is_refused_with_a_message(client, admin_user, communes):
    client.force_login(admin_user)
    post_file(client, simple_file([template_row("23287", "", total_households=5)]))
    batch = ImportBatch.objects.get()
    url = reverse("indicators:import-confirm", args=[batch.pk])
    client.post(url, {"token": batch.confirm_token})
    CommuneStatistics.objects.update(total_households=6)

    response = client.post(url, {"token": batch.confirm_token})
    assert response.status_code == 409
    assert response.context["refusal_message"]
    assert CommuneStatistics.objects.get().total_households == 6


def test_confirming_another_admins_upload_is_refused(client, admin_user, communes):
    batch = services.batch_preview(
        batch=services.batch_create(
            upload=upload(simple_file([template_row("23287", "", total_households=5)])),
            year=2019,
            by=admin_user,
        )
    )
    client.force_login(UserFactory(admin=True))
    response = client.post(
        reverse("indicators:import-confirm", args=[batch.pk]), {"token": batch.confirm_token}
    )
    assert response.status_code == 403
    assert not CommuneStatistics.objects.exists()


def test_uploading_for_a_locked_year_is_refused_and_nothing_is_kept(client, admin_user, communes):
    PeriodFactory(year=2019, state=PeriodState.LOCKED)
    client.force_login(admin_user)
    response = post_file(client, simple_file([template_row("23287", "", total_households=5)]))
    assert response.status_code == 400
    assert response.context["form"].has_error("file", "year_locked")
    assert not ImportBatch.objects.exists()


def test_the_template_lists_every_commune(client, admin_user, communes):
    client.force_login(admin_user)
    response = client.get(reverse("indicators:import-template"), {"year": 2019})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert ("23287", "Huyện Đắk Glei", "Xã Đắk Choong") in [row[:3] for row in rows]
    assert len(rows) == len(communes)


def test_the_original_file_is_kept_and_only_admins_download_it(
    client, admin_user, board_staff, communes, settings
):
    content = simple_file([template_row("23287", "", total_households=5)])
    client.force_login(admin_user)
    post_file(client, content)
    batch = ImportBatch.objects.get()
    url = reverse("indicators:import-file", args=[batch.pk])
    assert b"".join(client.get(url).streaming_content) == content
    assert client.get(f"/{settings.MEDIA_URL.strip('/')}/{batch.file.name}").status_code == 404
    client.force_login(board_staff)
    assert client.get(url).status_code == 403


def test_history_lists_who_imported_what(client, admin_user, communes):
    client.force_login(admin_user)
    post_file(client, simple_file([template_row("23287", "", total_households=5)]))
    response = client.get(UPLOAD_URL)
    (batch,) = response.context["batches"]
    assert (batch.uploaded_by, batch.year, batch.new_count) == (admin_user, 2019, 1)
    assert "so-lieu.xlsx" in response.content.decode()


def test_a_large_file_is_read_by_a_background_job(
    client, admin_user, communes, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "ASYNC_MIN_BYTES", 1)
    client.force_login(admin_user)
    content = simple_file([template_row("23287", "", total_households=5)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_file(client, content)
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.UPLOADED
    page = client.get(response["Location"])
    assert b'hx-trigger="every 1s"' in page.content
    progress = client.get(reverse("indicators:import-progress", args=[batch.pk]))
    assert progress.status_code == 200

    for callback in callbacks:
        callback()  # the eager Celery job runs here
    batch.refresh_from_db()
    assert batch.state == ImportState.PREVIEWED
    assert batch.task_id
    done = client.get(reverse("indicators:import-progress", args=[batch.pk]))
    assert done["HX-Refresh"] == "true"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("indicators:import-confirm", args=[batch.pk]), {"token": batch.confirm_token}
        )
    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED
    assert CommuneStatistics.objects.get().total_households == 5


def test_exports_escape_formula_like_text(client, admin_user, communes):
    CommuneStatistics.objects.create(
        commune=communes["dak_choong"],
        year=2019,
        total_households=5,
        note='=HYPERLINK("http://evil.example","x")',
        source="@SUM(1)",
        paved_road=True,
    )
    CommuneStatistics.objects.create(
        commune=communes["dak_ang"], year=2019, note="-1+2", source="\tTAB"
    )
    client.force_login(admin_user)
    xlsx = client.get(reverse("indicators:statistics-export", args=[2019, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    note_at, source_at = header.index("Ghi chú"), header.index("Nguồn số liệu")
    notes = {
        row[0]: (row[note_at], row[source_at])
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert notes["23287"] == ('\'=HYPERLINK("http://evil.example","x")', "'@SUM(1)")
    assert notes["23320"] == ("'-1+2", "'\tTAB")
    assert sheet.cell(row=2, column=11).value == "có"

    text = client.get(reverse("indicators:statistics-export", args=[2019, "csv"])).content
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][0] == "Mã xã"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t")) for row in rows for cell in row)


def test_an_export_imports_back_without_changes(client, admin_user, communes):
    CommuneStatistics.objects.create(
        commune=communes["dak_choong"], year=2019, total_households=5, note="-ghi chú"
    )
    client.force_login(admin_user)
    xlsx = client.get(reverse("indicators:statistics-export", args=[2019, "xlsx"])).content
    batch = services.batch_preview(
        batch=services.batch_create(upload=upload(xlsx), year=2019, by=admin_user)
    )
    assert (batch.unchanged_count, batch.changed_count, batch.error_count) == (1, 0, 0)
