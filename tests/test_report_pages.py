"""The reports page: who may ask for what, watching progress, downloading, and access rules."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaigns.models import PeriodState
from reports import documents
from reports.models import JobState, ReportJob, ReportKind
from reports.services import jobs
from tests.factories import CampaignFactory, DistrictFactory, PeriodFactory, ReportJobFactory
from tests.test_report_jobs import TinyReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(documents, "document_for", lambda *, kind, params: TinyReport())
    monkeypatch.setattr(documents, "document_filename", lambda *, kind, params: "bao-cao-thu.pdf")


@pytest.fixture
def year_2019(db):
    return PeriodFactory(campaign=CampaignFactory(), year=2019, state=PeriodState.CLOSED)


def ask(client, kind, **fields):
    data = {"kind": kind, **{f"{kind}-{name}": value for name, value in fields.items()}}
    return client.post(reverse("documents:ask"), data)


def test_a_leader_asks_for_the_province_report_and_downloads_it(
    client, leader, year_2019, tiny, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, ReportKind.PROVINCE, year=2019)

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#job-{job.pk}")
    assert job.requested_by == leader and job.params["year"] == 2019

    download = client.get(reverse("documents:download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="bao-cao-thu.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_the_page_lists_the_kinds_each_role_may_ask_for(client, leader, unit_officer, year_2019):
    client.force_login(leader)
    page = client.get(reverse("documents:list")).content.decode()
    for kind in ("province", "awards", "unit", "unit_zip"):
        assert f'name="kind" value="{kind}"' in page

    client.force_login(unit_officer)
    page = client.get(reverse("documents:list")).content.decode()
    assert 'name="kind" value="unit"' in page
    assert 'name="kind" value="province"' not in page
    assert 'value="611"' not in page  # only their own unit is offered


def test_an_officer_gets_their_own_sheet_once_the_year_is_closed(unit_officer, year_2019, tiny):
    job = jobs.report_request(
        user=unit_officer, kind=ReportKind.UNIT_SHEET, params={"year": 2019, "unit": "610"}
    )
    assert job.params["unit"] == "610"


def test_an_officer_cannot_ask_for_another_units_sheet(
    client, unit_officer, outsider, year_2019, tiny
):
    with pytest.raises(PermissionDenied):
        jobs.report_request(
            user=unit_officer, kind=ReportKind.UNIT_SHEET, params={"year": 2019, "unit": "611"}
        )
    client.force_login(unit_officer)
    response = ask(client, ReportKind.UNIT_SHEET, year=2019, unit="611")
    assert response.status_code == 400  # not a choice the form offers
    assert not ReportJob.objects.exists()


def test_an_officer_cannot_ask_for_the_province_report(client, unit_officer, year_2019, tiny):
    with pytest.raises(PermissionDenied):
        jobs.report_request(user=unit_officer, kind=ReportKind.PROVINCE, params={"year": 2019})
    client.force_login(unit_officer)
    assert ask(client, ReportKind.PROVINCE, year=2019).status_code == 404
    assert not ReportJob.objects.exists()


def test_an_officers_sheet_waits_for_the_year_to_close(unit_officer, tiny):
    PeriodFactory(campaign=CampaignFactory(), year=2020, state=PeriodState.OPEN)
    with pytest.raises(ValidationError) as excinfo:
        jobs.report_request(
            user=unit_officer, kind=ReportKind.UNIT_SHEET, params={"year": 2020, "unit": "610"}
        )
    assert excinfo.value.code == "year_not_closed"


def test_nobody_downloads_someone_elses_report(client, leader, board_staff, unit_officer):
    job = ReportJobFactory(done=True, requested_by=leader)
    for other in (board_staff, unit_officer):
        client.force_login(other)
        assert client.get(reverse("documents:download", args=[job.pk])).status_code == 404
        assert (
            client.get(reverse("documents:job", args=[job.pk]), HTTP_HX_REQUEST="true").status_code
            == 404
        )


def test_a_download_checks_the_rights_again(client, unit_officer, year_2019):
    job = ReportJobFactory(
        done=True,
        requested_by=unit_officer,
        kind=ReportKind.UNIT_SHEET,
        params={"year": 2019, "unit": "610"},
    )
    client.force_login(unit_officer)
    assert client.get(reverse("documents:download", args=[job.pk])).status_code == 200

    unit_officer.unit = DistrictFactory(code="612", name="Huyện Đắk Tô")  # moved to another unit
    unit_officer.save(update_fields=["unit"])

    assert client.get(reverse("documents:download", args=[job.pk])).status_code == 404


def test_an_unfinished_report_cannot_be_downloaded(client, leader):
    job = ReportJobFactory(state=JobState.RUNNING, requested_by=leader)
    client.force_login(leader)
    assert client.get(reverse("documents:download", args=[job.pk])).status_code == 404


def test_a_running_job_keeps_polling_and_a_finished_one_stops(client, leader):
    job = ReportJobFactory(state=JobState.RUNNING, progress=40, requested_by=leader)
    client.force_login(leader)

    running = client.get(reverse("documents:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert running.status_code == 200
    assert 'hx-trigger="every 2s"' in running.content.decode()
    assert 'aria-valuenow="40"' in running.content.decode()

    ReportJob.objects.filter(pk=job.pk).update(
        state=JobState.DONE, progress=100, file="reports/x.pdf"
    )
    done = client.get(reverse("documents:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # htmx stops polling
    assert "hx-trigger" not in done.content.decode()
    assert reverse("documents:download", args=[job.pk]) in done.content.decode()


def test_admins_see_why_a_job_failed(client, admin_user):
    ReportJobFactory(
        state=JobState.FAILED,
        error_code="internal",
        error="Traceback: ZeroDivisionError",
        requested_by=admin_user,
    )
    client.force_login(admin_user)
    page = client.get(reverse("documents:list")).content.decode()
    assert "ZeroDivisionError" in page


def test_the_reports_page_costs_the_same_queries_whatever_the_number_of_jobs(
    client, leader, year_2019, django_assert_max_num_queries
):
    client.force_login(leader)
    ReportJobFactory.create_batch(3, requested_by=leader)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("documents:list"))
    ReportJobFactory.create_batch(20, requested_by=leader)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("documents:list"))


def test_the_unit_list_offers_the_units_that_reported(client, leader, year_2019):
    from tests.factories import CommuneFactory, SubmissionFactory

    district = DistrictFactory(code="612", name="Huyện Đắk Tô")
    SubmissionFactory(period=year_2019, unit=district)
    CommuneFactory(code="23401", name="Thị trấn Đắk Tô", parent=district)
    client.force_login(leader)

    page = client.get(reverse("documents:list")).content.decode()

    assert 'value="612"' in page
    assert 'value="23401"' not in page  # a commune has no report, so no sheet
