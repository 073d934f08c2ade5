"""Rows are checked as they will be stored, and a rule broken at write time is a row error."""

import pytest
from django.urls import reverse

from indicators.imports import preview, services
from indicators.models import CommuneStatistics, ImportState
from tests.factories import CommuneStatisticsFactory
from tests.fixtures.import_files import (
    kon_tum_communes,
    simple_file,
    template_row,
    upload,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return kon_tum_communes()


def previewed(content: bytes, user):
    return services.batch_preview(
        batch=services.batch_create(upload=upload(content), year=2019, by=user)
    )


def test_a_new_total_below_a_kept_stored_figure_is_a_row_error(communes, admin_user):
    CommuneStatisticsFactory(
        commune=communes["dak_choong"],
        year=2019,
        total_households=800,
        ethnic_minority_households=500,
    )
    # No ethnic-minority column: the stored 500 is kept, and 300 households cannot hold it.
    content = workbook_bytes([["Mã xã", "Tổng số hộ", "Số hộ nghèo"], ["23287", 300, 30]])
    batch = previewed(content, admin_user)

    (error,) = batch.errors
    assert (error["row"], error["code"], error["field"]) == (
        2,
        "kept_above_total",
        "ethnic_minority_households",
    )
    assert batch.error_count == 1
    with pytest.raises(services.ValidationError) as excinfo:
        services.batch_confirm(batch=batch, by=admin_user, token=batch.confirm_token)
    assert excinfo.value.code in {"has_errors", "already_used"}
    assert CommuneStatistics.objects.get().total_households == 800


def test_new_poor_households_with_kept_near_poor_above_the_total_are_a_row_error(
    communes, admin_user
):
    CommuneStatisticsFactory(
        commune=communes["dak_choong"],
        year=2019,
        total_households=1000,
        poor_households=50,
        near_poor_households=900,
    )
    # No near-poor column: 900 are kept, and 300 poor + 900 near-poor exceed 1.000 households.
    content = workbook_bytes([["Mã xã", "Tổng số hộ", "Số hộ nghèo"], ["23287", 1000, 300]])
    (error,) = previewed(content, admin_user).errors

    assert (error["code"], error["params"]) == (
        "poor_and_near_poor_above_total",
        {"value": 1200, "total": 1000},
    )


def test_poor_ethnic_minority_households_above_the_poor_are_a_row_error(communes, admin_user):
    content = simple_file(
        [
            template_row(
                "23287",
                "",
                total_households=500,
                poor_households=40,
                poor_ethnic_minority_households=41,
            )
        ]
    )
    (error,) = previewed(content, admin_user).errors
    assert (error["code"], error["field"]) == ("above_group", "poor_ethnic_minority_households")


def test_a_rule_broken_only_at_write_time_is_a_row_error_and_nothing_is_written(
    client, admin_user, communes, monkeypatch
):
    # A rule the preview does not know about: the database still refuses the row.
    monkeypatch.setattr(preview, "check_totals", lambda values, kept=frozenset(): [])
    content = simple_file(
        [
            template_row("23284", "", total_households=400, poor_households=40),
            template_row("23287", "", total_households=100, poor_households=150),
        ]
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("indicators:import-upload"), {"year": 2019, "file": upload(content)}
    )
    batch = client.get(response["Location"]).context["batch"]
    assert batch.error_count == 0

    confirm = client.post(
        reverse("indicators:import-confirm", args=[batch.pk]), {"token": batch.confirm_token}
    )

    assert confirm.status_code == 409
    assert not CommuneStatistics.objects.exists()
    batch.refresh_from_db()
    assert batch.state == ImportState.FAILED
    assert batch.refusal["code"] == "rows_refused"
    assert [(e["row"], e["code"]) for e in batch.errors] == [(3, "poor_not_above_total")]
    html = confirm.content.decode()
    assert "Số hộ nghèo không được lớn hơn tổng số hộ." in html
    assert "Traceback" not in html
    page = client.get(reverse("indicators:import-detail", args=[batch.pk]))
    assert page.status_code == 200
    assert "Số hộ nghèo không được lớn hơn tổng số hộ." in page.content.decode()
