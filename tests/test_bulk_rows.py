"""The report save's own reads and writes (kontum_poverty/bulk.py): several tables read in one
statement give exactly what separate reads give, and batched writes reach the database only
when the whole draft is written."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigns.models import CommunicationItem, CriterionScore, Submission
from indicators.models import ReportedValue
from kontum_poverty.bulk import (
    Rows,
    rows_read_together,
    stored_count,
    stored_rows,
    update_rows,
    writes_batched,
)
from tests.report_setup import IN_2019, complete_draft, year_build

pytestmark = pytest.mark.django_db

# One statement for several tables (json_agg), one round trip for several writes and prepared
# statements are PostgreSQL's; elsewhere each read and write goes on its own.
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="what it checks is PostgreSQL's only"
)


@pytest.fixture
def report(unit_officer, time_machine) -> Submission:
    time_machine.move_to(IN_2019, tick=False)
    submission = complete_draft(year_build(unit_officer))
    CommunicationItem.objects.create(
        submission=submission,
        kind="article",
        title="Chung tay vì người nghèo",
        url="https://baokontum.com.vn/bai-viet",
        count=3,
        published_on=date(2019, 5, 17),
    )
    return submission


def _reads(report: Submission) -> list[Rows]:
    return [
        Rows.of(CriterionScore, history=True, submission=report.pk),
        Rows.of(CommunicationItem, submission=report.pk),
        Rows.of(ReportedValue, history=True, submission=report.pk),
    ]


def _fields(rows) -> list[dict]:
    return [
        {
            **{f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields},
            "has_history": getattr(row, "has_history", None),
        }
        for row in rows
    ]


@postgres_only
def test_tables_read_in_one_statement_give_what_separate_reads_give(report):
    apart = [_fields(read.read()) for read in _reads(report)]

    with CaptureQueriesContext(connection) as queries, rows_read_together(*_reads(report)):
        together = [_fields(read.read()) for read in _reads(report)]

    assert len(queries) == 1
    assert together == apart
    scores = together[0]
    assert {score["self_points"] for score in scores} == {Decimal(7), Decimal("10.5")}
    assert all(type(score["self_points"]) is Decimal for score in scores)
    assert together[1][0]["published_on"] == date(2019, 5, 17)
    assert all(value["has_history"] for value in together[2])
    assert (
        together[2][0]["updated_at"]
        == ReportedValue.objects.get(pk=together[2][0]["id"]).updated_at
    )


def test_rows_read_together_are_given_once_then_read_again(report):
    with rows_read_together(*_reads(report)):
        first = stored_rows(CriterionScore, history=True, submission=report.pk)
        CriterionScore.objects.filter(submission=report).update(self_justification="Sửa lại")
        again = stored_rows(CriterionScore, history=True, submission=report.pk)

    assert {row.self_justification for row in first} == {"Đạt", "Có QĐ"}
    assert {row.self_justification for row in again} == {"Sửa lại"}


@postgres_only
def test_batched_writes_reach_the_database_together_at_the_end(report):
    score = CriterionScore.objects.filter(submission=report).first()
    score.self_justification = "Đã rà soát"

    with transaction.atomic(), CaptureQueriesContext(connection) as queries, writes_batched():
        update_rows([score], ["self_justification"])
        report.narrative = "Báo cáo đã sửa"
        update_rows([report], ["narrative"])
        still_old = CriterionScore.objects.get(pk=score.pk).self_justification

    assert still_old != "Đã rà soát"
    assert [q["sql"].count("UPDATE") for q in queries if "UPDATE" in q["sql"]] == [2]
    # Each planned once on the connection, like the reads.
    assert [q["sql"].count("EXECUTE kontum_") for q in queries if "UPDATE" in q["sql"]] == [2]
    assert CriterionScore.objects.get(pk=score.pk).self_justification == "Đã rà soát"
    assert Submission.objects.get(pk=report.pk).narrative == "Báo cáo đã sửa"


def test_batched_writes_are_dropped_when_the_block_fails(report):
    report.narrative = "Không được lưu"

    with pytest.raises(RuntimeError), transaction.atomic(), writes_batched():
        update_rows([report], ["narrative"])
        raise RuntimeError("the save was refused")

    assert Submission.objects.get(pk=report.pk).narrative != "Không được lưu"


def test_a_row_read_with_its_parents_equals_the_orms_select_related(report):
    from campaigns.selectors import unit_report

    with CaptureQueriesContext(connection) as queries:
        found = unit_report(period_pk=report.period_id, unit_pk=report.unit_id)
        names = (found.period.campaign.number, found.period.year, found.unit.name)
    orm = Submission.objects.select_related("period__campaign", "unit").get(pk=report.pk)

    assert len(queries) == 1
    assert _fields([found]) == _fields([orm])
    assert _fields([found.period, found.period.campaign, found.unit]) == _fields(
        [orm.period, orm.period.campaign, orm.unit]
    )
    assert names == (orm.period.campaign.number, orm.period.year, orm.unit.name)
    assert unit_report(period_pk=report.period_id + 1000, unit_pk=report.unit_id) is None


def test_an_id_no_bigint_holds_finds_no_row_as_the_orm_does(report):
    from campaigns.selectors import unit_report

    huge = 10**20  # as a mistyped or forged link may ask for

    assert list(CriterionScore.objects.filter(submission=huge)) == []
    assert stored_rows(CriterionScore, submission=huge) == []
    assert stored_count(CriterionScore, submission=huge) == 0
    assert unit_report(period_pk=huge, unit_pk=report.unit_id) is None
    # In a list, the other ids are still read.
    assert len(stored_rows(CriterionScore, submission=[huge, report.pk])) == 2


def test_the_report_and_the_form_counter_come_in_one_statement_as_each_alone(report):
    from indicators.submissions.selectors import report_with_forms_version
    from indicators.submissions.shapes import forms_changed, forms_version

    forms_changed()  # a counter that has moved, not the "0" of an empty table
    with CaptureQueriesContext(connection) as queries:
        found = report_with_forms_version(period_pk=report.period_id, unit_pk=report.unit_id)

    assert len(queries) == 1
    assert found.pk == report.pk and found.unit.pk == report.unit_id
    assert found.forms_version == forms_version() != "0"
    forms_changed()
    moved = report_with_forms_version(period_pk=report.period_id, unit_pk=report.unit_id)
    assert moved.forms_version == forms_version() != found.forms_version


def _prepared_statements() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@postgres_only
def test_a_save_read_is_prepared_once_on_the_connection_then_executed(report):
    """PostgreSQL plans the statement once, not at every save; what ran still shows."""
    orm = _fields(CriterionScore.objects.filter(submission=report).order_by("pk"))

    with CaptureQueriesContext(connection) as queries:
        first = _fields(stored_rows(CriterionScore, submission=report.pk))
        again = _fields(stored_rows(CriterionScore, submission=report.pk))

    assert first == orm
    assert again == first
    sent = [query["sql"] for query in queries]
    names = {sql.split()[1] for sql in sent}
    assert len(sent) == 2
    assert len(names) == 1
    assert all(sql.startswith("EXECUTE kontum_") for sql in sent)
    assert all('FROM "campaigns_criterionscore" t WHERE t."submission_id" = ?' in s for s in sent)
    statement = _prepared_statements()[names.pop()]
    assert 'FROM "campaigns_criterionscore" t WHERE t."submission_id" = $1' in statement


@pytest.mark.django_db(transaction=True)
def test_reads_go_on_when_the_connection_is_renewed_or_its_transaction_rolled_back(report):
    reads = [Rows.of(ReportedValue, history=True, submission=report.pk)]
    with rows_read_together(*reads):
        before = _fields(reads[0].read())

    with pytest.raises(RuntimeError), transaction.atomic():
        with rows_read_together(*reads):
            reads[0].read()
        raise RuntimeError("the save was refused")
    with rows_read_together(*reads):
        assert _fields(reads[0].read()) == before

    # A new database session (after an error, or CONN_MAX_AGE) has nothing prepared yet.
    connection.close()
    with rows_read_together(*reads):
        assert _fields(reads[0].read()) == before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_past_the_limit_a_read_is_sent_as_it_is(report, monkeypatch):
    monkeypatch.setattr("kontum_poverty.bulk.PREPARED_PER_CONNECTION", 0)
    connection.close()  # a session with nothing prepared yet

    with CaptureQueriesContext(connection) as queries:
        rows = stored_rows(CriterionScore, submission=report.pk)

    assert len(rows) == 2
    assert queries[0]["sql"].startswith('SELECT t."id"')
    assert _prepared_statements() == {}
