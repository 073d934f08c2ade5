import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from campaigns.models import PeriodState
from indicators.imports import services
from indicators.imports.template import build_template
from indicators.models import CommuneStatistics, ImportBatch, ImportState
from tests.factories import PeriodFactory, UserFactory
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


def previewed(content: bytes, user, *, year: int = 2019) -> ImportBatch:
    batch = services.batch_create(upload=upload(content), year=year, by=user)
    return services.batch_preview(batch=batch)


def confirmed(batch: ImportBatch, user, note: str = "") -> ImportBatch:
    return services.batch_confirm(batch=batch, by=user, token=batch.confirm_token, note=note)


def test_template_round_trip_stores_what_was_typed(communes, admin_user):
    template = load_workbook(io.BytesIO(build_template(year=2019)))
    sheet = template.active
    header = [cell.value for cell in sheet[3]]
    assert header[:3] == ["Mã xã", "Huyện/thành phố", "Tên xã"]
    codes = [sheet.cell(row=row, column=1).value for row in range(4, sheet.max_row + 1)]
    assert sorted(codes) == sorted(c.code for c in communes.values())
    for row in range(4, sheet.max_row + 1):
        sheet.cell(row=row, column=4, value=1000 + row)
        sheet.cell(row=row, column=6, value="12")
        sheet.cell(row=row, column=11, value="có")
    buffer = io.BytesIO()
    template.save(buffer)

    batch = previewed(buffer.getvalue(), admin_user)
    assert batch.state == ImportState.PREVIEWED
    assert (batch.new_count, batch.error_count) == (6, 0)
    confirmed(batch, admin_user)

    stats = CommuneStatistics.objects.get(commune=communes["dak_choong"], year=2019)
    assert stats.poor_households == 12
    assert stats.paved_road is True
    assert stats.ethnic_minority_households is None  # blank means not reported
    assert stats.escaped_poverty is None


def test_reimporting_the_same_file_changes_nothing(communes, admin_user):
    content = simple_file([template_row("23287", "Xã Đắk Choong", total_households=500)])
    confirmed(previewed(content, admin_user), admin_user)
    before = CommuneStatistics.objects.get()

    again = previewed(content, admin_user)
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 1)
    confirmed(again, admin_user)

    after = CommuneStatistics.objects.get()
    assert after.updated_at == before.updated_at


def test_preview_shows_old_and_new_for_every_changed_value(communes, admin_user):
    CommuneStatistics.objects.create(
        commune=communes["dak_choong"], year=2019, total_households=500, poor_households=100
    )
    content = simple_file(
        [template_row("23287", "x", total_households="1.234", poor_households=100)]
    )
    batch = previewed(content, admin_user)
    assert batch.changed_count == 1
    (change,) = batch.changes
    assert change["row"] == 2
    assert ["total_households", 500, 1234] in change["diffs"]
    assert ["poor_households", 100, 100] not in change["diffs"]


def test_confirm_applies_every_row_in_one_go(communes, admin_user):
    rows = [template_row(c.code, c.name, total_households=100) for c in communes.values()]
    batch = previewed(simple_file(rows), admin_user)
    confirmed(batch, admin_user)
    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED
    assert batch.applied_by == admin_user
    assert CommuneStatistics.objects.filter(year=2019).count() == 6


def test_a_row_error_is_reported_with_row_and_column(communes, admin_user):
    content = simple_file(
        [
            template_row("23287", "", total_households=100),
            template_row("23290", "", total_households="1,5"),
        ]
    )
    batch = previewed(content, admin_user)
    assert batch.error_count == 1
    (error,) = batch.errors
    assert (error["row"], error["column"], error["code"]) == (3, "D", "not_a_whole_number")
    assert batch.confirm_token == ""
    with pytest.raises(ValidationError) as excinfo:
        services.batch_confirm(batch=batch, by=admin_user, token="")
    assert excinfo.value.code == "has_errors"
    assert not CommuneStatistics.objects.exists()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1,234", "ambiguous_number"),
        ("-", "ambiguous_number"),
        ("-3", "negative"),
        (2.5, "not_a_whole_number"),
        ("abc", "not_a_whole_number"),
    ],
)
def test_counts_that_are_not_whole_numbers_are_errors(communes, admin_user, value, code):
    batch = previewed(simple_file([template_row("23287", "", total_households=value)]), admin_user)
    assert [e["code"] for e in batch.errors] == [code]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("có", True),
        ("Không", False),
        ("x", True),
        (1, True),
        (0, False),
        ("yes", True),
        ("FALSE", False),
        (True, True),
        (None, None),
    ],
)
def test_yes_no_cells_accept_vietnamese_and_english(communes, admin_user, value, expected):
    content = simple_file([template_row("23287", "", total_households=10, cultural_house=value)])
    confirmed(previewed(content, admin_user), admin_user)
    assert CommuneStatistics.objects.get().cultural_house is expected


def test_an_unknown_yes_no_word_is_an_error(communes, admin_user):
    batch = previewed(
        simple_file([template_row("23287", "", total_households=10, paved_road="maybe")]),
        admin_user,
    )
    assert [e["code"] for e in batch.errors] == ["not_a_flag"]


def test_poor_households_above_all_households_is_an_error(communes, admin_user):
    content = simple_file([template_row("23287", "", total_households=10, poor_households=11)])
    batch = previewed(content, admin_user)
    assert [(e["code"], e["column"]) for e in batch.errors] == [("above_total", "F")]


def test_poor_and_near_poor_above_all_households_is_an_error(communes, admin_user):
    row = template_row("23287", "", total_households=10, poor_households=6, near_poor_households=5)
    batch = previewed(simple_file([row]), admin_user)
    assert [e["code"] for e in batch.errors] == ["poor_and_near_poor_above_total"]
    assert not CommuneStatistics.objects.exists()


def test_a_commune_is_matched_by_name_when_the_code_is_missing_with_a_warning(communes, admin_user):
    content = simple_file(
        [
            template_row("", "Xã Đăk Choong", total_households=10),
            template_row("", "Ngok Wang", total_households=20),
        ]
    )
    batch = previewed(content, admin_user)
    assert batch.error_count == 0
    assert [w["code"] for w in batch.warnings if w["row"]] == ["matched_by_name"] * 2
    confirmed(batch, admin_user)
    assert CommuneStatistics.objects.get(commune=communes["ngoc_wang"]).total_households == 20


def test_balance_that_does_not_add_up_asks_for_a_note(communes, admin_user):
    CommuneStatistics.objects.create(
        commune=communes["dak_choong"], year=2018, total_households=500, poor_households=100
    )
    row = template_row(
        "23287",
        "",
        total_households=500,
        poor_households=90,
        escaped_poverty=20,
        newly_poor=2,
        fell_back=1,
    )
    batch = previewed(simple_file([row]), admin_user)
    assert batch.needs_note
    assert "balance" in [w["code"] for w in batch.warnings]
    with pytest.raises(ValidationError) as excinfo:
        confirmed(batch, admin_user)
    assert excinfo.value.code == "note_required"
    confirmed(batch, admin_user, note="Số liệu rà soát lại giữa năm")
    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED
    assert batch.note == "Số liệu rà soát lại giữa năm"


def test_balance_that_adds_up_needs_no_note(communes, admin_user):
    CommuneStatistics.objects.create(
        commune=communes["dak_choong"], year=2018, total_households=500, poor_households=100
    )
    row = template_row(
        "23287",
        "",
        total_households=500,
        poor_households=83,
        escaped_poverty=20,
        newly_poor=2,
        fell_back=1,
    )
    assert not previewed(simple_file([row]), admin_user).needs_note


# --- Refusals: each with its code, and nothing written ---------------------------------------


def test_a_locked_year_is_refused(communes, admin_user):
    PeriodFactory(year=2019, state=PeriodState.LOCKED)
    content = simple_file([template_row("23287", "", total_households=10)])
    with pytest.raises(ValidationError) as excinfo:
        services.batch_create(upload=upload(content), year=2019, by=admin_user)
    assert excinfo.value.code == "year_locked"
    assert not ImportBatch.objects.exists()


def test_a_year_locked_between_preview_and_confirm_is_refused(communes, admin_user):
    batch = previewed(simple_file([template_row("23287", "", total_households=10)]), admin_user)
    PeriodFactory(year=2019, state=PeriodState.LOCKED)
    with pytest.raises(ValidationError) as excinfo:
        confirmed(batch, admin_user)
    assert excinfo.value.code == "year_locked"
    assert not CommuneStatistics.objects.exists()


def test_a_replayed_confirm_is_refused(communes, admin_user):
    batch = previewed(simple_file([template_row("23287", "", total_households=10)]), admin_user)
    token = batch.confirm_token
    services.batch_confirm(batch=batch, by=admin_user, token=token)
    CommuneStatistics.objects.update(total_households=11)
    with pytest.raises(ValidationError) as excinfo:
        services.batch_confirm(batch=batch, by=admin_user, token=token)
    assert excinfo.value.code == "already_used"
    assert CommuneStatistics.objects.get().total_households == 11


def test_a_confirm_of_another_users_upload_is_refused(communes, admin_user):
    batch = previewed(simple_file([template_row("23287", "", total_households=10)]), admin_user)
    other_admin = UserFactory(admin=True)
    with pytest.raises(ValidationError) as excinfo:
        services.batch_confirm(batch=batch, by=other_admin, token=batch.confirm_token)
    assert excinfo.value.code == "not_owner"
    assert not CommuneStatistics.objects.exists()


def test_a_confirm_with_a_wrong_token_is_refused(communes, admin_user):
    batch = previewed(simple_file([template_row("23287", "", total_households=10)]), admin_user)
    with pytest.raises(ValidationError) as excinfo:
        services.batch_confirm(batch=batch, by=admin_user, token="guess")
    assert excinfo.value.code == "bad_token"


def test_figures_changed_after_the_preview_make_the_confirm_stale(communes, admin_user):
    batch = previewed(simple_file([template_row("23287", "", total_households=10)]), admin_user)
    CommuneStatistics.objects.create(commune=communes["dak_ang"], year=2019, total_households=5)
    with pytest.raises(ValidationError) as excinfo:
        confirmed(batch, admin_user)
    assert excinfo.value.code == "stale"
    batch.refresh_from_db()
    assert batch.state == ImportState.FAILED
    assert CommuneStatistics.objects.count() == 1


def test_a_duplicate_commune_in_the_file_is_an_error(communes, admin_user):
    content = simple_file(
        [
            template_row("23287", "", total_households=10),
            template_row("23287", "", total_households=12),
        ]
    )
    batch = previewed(content, admin_user)
    (error,) = batch.errors
    assert (error["code"], error["row"], error["params"]["first_row"]) == (
        "duplicate_commune",
        3,
        2,
    )


def test_an_unknown_commune_code_is_an_error(communes, admin_user):
    batch = previewed(simple_file([template_row("99999", "", total_households=10)]), admin_user)
    assert [(e["code"], e["column"]) for e in batch.errors] == [("unknown_code", "A")]


def test_a_missing_required_column_refuses_the_file(communes, admin_user):
    content = workbook_bytes([["Mã xã", "Tổng số hộ"], ["23287", 10]])
    batch = previewed(content, admin_user)
    assert batch.state == ImportState.REFUSED
    assert batch.refusal["code"] == "missing_column"


def test_a_formula_without_a_stored_value_is_an_error(communes, admin_user):
    content = simple_file([template_row("23287", "", total_households="=5*2")])
    batch = previewed(content, admin_user)
    assert [e["code"] for e in batch.errors] == ["formula_without_value"]


def test_a_change_made_without_touching_updated_at_still_makes_the_confirm_stale(
    communes, admin_user
):
    CommuneStatistics.objects.create(
        commune=communes["dak_choong"], year=2019, total_households=10, poor_households=1
    )
    batch = previewed(simple_file([template_row("23287", "", total_households=12)]), admin_user)
    CommuneStatistics.objects.update(poor_households=2)  # a queryset update skips auto_now
    with pytest.raises(ValidationError) as excinfo:
        confirmed(batch, admin_user)
    assert excinfo.value.code == "stale"
    assert CommuneStatistics.objects.get().total_households == 10


def test_applying_an_import_refreshes_the_dashboards(
    communes, admin_user, django_capture_on_commit_callbacks
):
    from indicators.progress.cache import figures_key

    batch = previewed(simple_file([template_row("23287", "", total_households=5)]), admin_user)
    before = figures_key()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed(batch, admin_user)
    assert figures_key() != before


def test_a_long_preview_reports_its_progress(communes, monkeypatch):
    from indicators.imports import preview as preview_module

    monkeypatch.setattr(preview_module, "PROGRESS_EVERY", 2)
    rows = [template_row(c.code, "", total_households=10) for c in communes.values()]
    calls = []
    preview_module.build_preview(
        io.BytesIO(simple_file(rows)), year=2019, on_progress=lambda *done: calls.append(done)
    )
    # (sheet row reached, rows the sheet declares): six communes under one header row.
    assert calls == [(3, 7), (5, 7), (7, 7)]
