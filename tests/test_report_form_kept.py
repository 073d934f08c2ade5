"""The report form's make-up (criteria, indicators, models, sponsored communes) is read once,
kept by the process and shared with the others through the cache, but never outlives a change:
the next page and the next save use the new one (indicators/submissions/shapes.py)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns.models import CriterionScore, Submission
from indicators.models import PovertyModel, ReportFormVersion
from indicators.submissions import shapes
from tests.factories import (
    CommuneFactory,
    CriterionFactory,
    DepartmentFactory,
    SponsorshipFactory,
    UserFactory,
)
from tests.report_setup import IN_2019, post_data, year_build
from units.models import Sponsorship
from units.services import rows_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def _url(year):
    return reverse("report:form", kwargs={"period_pk": year.period.pk})


def _page(client, year) -> str:
    response = client.get(_url(year))
    assert response.status_code == 200
    return response.content.decode()


def _reads_the_form(queries) -> bool:
    # The unit's models are read for the form only (the checklist reads the criteria again).
    return any('FROM "indicators_povertymodel"' in query["sql"] for query in queries)


def test_the_form_is_read_once_while_nothing_changes_and_again_after_a_change(client, year):
    client.force_login(year.officer)
    _page(client, year)

    with CaptureQueriesContext(connection) as kept:
        _page(client, year)
    CriterionFactory(bloc=year.plain.bloc, parent=year.parent, code="1.3", max_points=4, order=3)
    with CaptureQueriesContext(connection) as changed:
        page = _page(client, year)

    assert not _reads_the_form(kept)
    assert _reads_the_form(changed)
    assert "1.3" in page


def test_a_form_one_worker_read_is_not_read_again_by_another(client, year):
    client.force_login(year.officer)
    _page(client, year)
    shapes._kept.clear()  # another web worker: nothing kept in this process, the cache shared

    with CaptureQueriesContext(connection) as other_worker:
        _page(client, year)

    assert not _reads_the_form(other_worker)


@pytest.mark.django_db(transaction=True)  # the restore is another transaction than the pages'
def test_a_restored_counter_does_not_find_the_forms_shared_before_the_restore(client, year):
    client.force_login(year.officer)
    _page(client, year)
    shapes._kept.clear()
    # A restore writes the counter's row again, whatever value it brings back.
    ReportFormVersion.objects.filter(pk=1).update(value=F("value"))

    with CaptureQueriesContext(connection) as restored:
        _page(client, year)

    assert _reads_the_form(restored)


def test_a_criterion_added_after_the_page_was_kept_is_scored_by_the_next_save(client, year):
    client.force_login(year.officer)
    _page(client, year)
    added = CriterionFactory(
        bloc=year.plain.bloc, parent=year.parent, code="1.3", max_points=4, order=3
    )

    assert f"score-{added.pk}-points" in _page(client, year)
    unsaved = campaign_services.submission_get_or_new(period=year.period, unit=year.unit)
    response = client.post(
        _url(year),
        post_data(
            year,
            unsaved,
            **{f"score-{added.pk}-points": "3", f"score-{added.pk}-justification": "Đạt"},
        ),
    )

    assert response.status_code == 302
    assert CriterionScore.objects.get(criterion=added).self_points == Decimal(3)


def test_points_above_a_maximum_lowered_since_the_page_was_kept_are_refused(client, year):
    client.force_login(year.officer)
    _page(client, year)
    year.plain.max_points = 5
    year.plain.save()
    unsaved = campaign_services.submission_get_or_new(period=year.period, unit=year.unit)

    response = client.post(_url(year), post_data(year, unsaved))  # 7 points for 1.1

    assert response.status_code == 422
    codes = [
        e.code for e in response.context["form"].errors.as_data()[f"score-{year.plain.pk}-points"]
    ]
    assert codes == ["too_large"]
    assert not Submission.objects.exists()


def test_a_model_added_for_the_unit_shows_on_the_next_page(client, year):
    client.force_login(year.officer)
    assert "Nuôi dê sinh sản" not in _page(client, year)

    PovertyModel.objects.create(
        unit=year.unit, name="Nuôi dê sinh sản", start_year=2018, participating_households=12
    )

    assert "Nuôi dê sinh sản" in _page(client, year)


def test_a_sponsorship_imported_in_bulk_shows_on_the_next_page(client, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    officer = UserFactory(unit=DepartmentFactory())
    year = year_build(officer)
    SponsorshipFactory(sponsor=officer.unit)
    client.force_login(officer)
    _page(client, year)
    commune = CommuneFactory(name="Xã Đăk Long")

    rows_upsert(
        queryset=Sponsorship.objects.filter(sponsor=officer.unit),
        key=("sponsor_id", "commune_id"),
        rows=[
            {
                "sponsor_id": officer.unit.pk,
                "commune_id": commune.pk,
                "first_year": 2019,
                "last_year": 2020,
            }
        ],
    )

    assert f"support-{commune.pk}-money" in _page(client, year)


def test_a_write_that_sends_no_signal_is_seen_once_the_form_is_old(client, year, monkeypatch):
    client.force_login(year.officer)
    _page(client, year)
    year.plain.__class__.objects.filter(pk=year.plain.pk).update(name="Tiêu chí đã đổi tên")

    assert "Tiêu chí đã đổi tên" not in _page(client, year)  # kept: no signal, not yet old
    monkeypatch.setattr(shapes, "KEEP_SECONDS", 0)
    assert "Tiêu chí đã đổi tên" in _page(client, year)
