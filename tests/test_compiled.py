"""Queries compiled once and run again with other values (`kontum_poverty.compiled`): the rows
are the ORM's own, each call reads its own values, and a query whose SQL would not fit other
values is refused when first built instead of answering wrong."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Prefetch, Sum, Value
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext

from campaigns.models import CriterionScore, Submission, SubmissionStep
from kontum_poverty.bulk import prepared
from kontum_poverty.compiled import CompiledQuery, attach
from tests.factories import CriterionScoreFactory, SubmissionFactory, SubmissionStepFactory

pytestmark = pytest.mark.django_db


def _steps(report):
    return SubmissionStep.objects.select_related("by__unit").filter(submission_id=report)


def _scores(report):
    return (
        CriterionScore.objects.select_related("criterion__parent")
        .filter(submission_id=report)
        .annotate(group_order=Coalesce("criterion__parent__order", "criterion__order"))
        .order_by("group_order", F("criterion__code").asc(nulls_first=True))
    )


@pytest.fixture
def reports():
    first, second = SubmissionFactory(), SubmissionFactory()
    for report, points in ((first, ("7", "10.5")), (second, ("3", None))):
        SubmissionStepFactory(submission=report)
        for number, point in enumerate(points, start=1):
            CriterionScoreFactory(
                submission=report,
                criterion__code=f"1.{number}",
                criterion__max_points=12,
                self_points=None if point is None else Decimal(point),
            )
    return first, second


def test_rows_are_the_orms_own_with_their_joined_rows_and_annotations(reports):
    steps, scores = CompiledQuery(_steps, report=int), CompiledQuery(_scores, report=int)
    for report in reports:
        expected = list(_scores(report.pk))
        found = scores(report=report.pk)
        assert [s.pk for s in found] == [s.pk for s in expected]
        assert [(s.self_points, s.group_order) for s in found] == [
            (s.self_points, s.group_order) for s in expected
        ]
        step = steps(report=report.pk)[0]
        with CaptureQueriesContext(connection) as joined:
            # Read in the same statement: the person, their unit, the criterion's parent.
            names = (step.by.username, step.by.unit.name, found[0].criterion.code)
        assert names == (report.steps.get().by.username, report.unit.name, "1.1")
        assert len(joined) == 0


def test_each_call_reads_its_own_values_from_a_statement_built_once(reports):
    built = []

    def totals(report):
        built.append(report)
        return (
            CriterionScore.objects.filter(submission_id=report)
            .values("submission_id")
            .annotate(points=Sum("self_points"))
            .order_by()
        )

    query = CompiledQuery(totals, report=int)
    first, second = reports
    assert query(report=first.pk) == [{"submission_id": first.pk, "points": Decimal("17.5")}]
    assert query(report=second.pk) == [{"submission_id": second.pk, "points": Decimal(3)}]
    assert query(report=second.pk + 1000) == []
    # Built with two sets of stand-ins (to find where the values go) and once for the model.
    assert len(built) == 3


def test_an_id_no_bigint_holds_finds_no_row_as_the_orm_does(reports):
    query = CompiledQuery(_steps, report=int)
    for report in (2**63, -(2**63) - 1, 10**20):
        assert list(_steps(report)) == []
        assert query(report=report) == []
    assert len(query(report=reports[0].pk)) == 1


def test_a_value_worked_out_from_an_argument_is_refused():
    query = CompiledQuery(lambda year: Submission.objects.filter(period__year=year - 1), year=int)
    with pytest.raises(ValueError, match="changed"):
        query(year=2020)


def test_an_argument_that_never_reaches_the_statement_is_refused():
    query = CompiledQuery(
        lambda report, unit: Submission.objects.filter(pk=report), report=int, unit=int
    )
    with pytest.raises(ValueError, match="unit"):
        query(report=1, unit=2)


def test_sql_that_changes_with_the_value_is_refused():
    # A slice's bounds are written into the statement's text, not passed as parameters.
    query = CompiledQuery(lambda count: Submission.objects.order_by("pk")[:count], count=int)
    with pytest.raises(ValueError, match="changes"):
        query(count=1)


def test_a_prefetch_is_refused_each_related_read_is_compiled_apart():
    query = CompiledQuery(
        lambda report: Submission.objects.filter(pk=report).prefetch_related(Prefetch("steps")),
        report=int,
    )
    with pytest.raises(TypeError, match="compile each related read"):
        query(report=1)


def test_attached_rows_answer_all_and_know_their_report_without_a_query(reports):
    report = Submission.objects.get(pk=reports[0].pk)
    attach(report, "scores", CompiledQuery(_scores, report=int)(report=report.pk))
    with CaptureQueriesContext(connection) as read:
        scores = list(report.scores.all())
        assert {score.submission is report for score in scores} == {True}
    assert len(read) == 0
    assert [s.criterion.code for s in scores] == ["1.1", "1.2"]


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


@postgres_only
def test_on_postgresql_a_compiled_query_is_planned_once_per_connection(reports):
    scores = CompiledQuery(_scores, report=int)
    with CaptureQueriesContext(connection) as queries:
        found = [scores(report=report.pk) for report in reports]

    assert [[s.pk for s in rows] for rows in found] == [
        [s.pk for s in _scores(report.pk)] for report in reports
    ]
    sent = [query["sql"] for query in queries]
    assert all(sql.startswith("EXECUTE kontum_") for sql in sent)
    assert len({sql.split()[1] for sql in sent}) == 1  # one statement, prepared once
    assert 'FROM "campaigns_criterionscore"' in sent[0]  # what ran still shows


@postgres_only
def test_a_statement_postgresql_cannot_type_is_sent_as_it_is_and_the_transaction_goes_on(
    reports,
):
    untyped = "SELECT count(*) FROM campaigns_submission WHERE %s IS NULL"
    with transaction.atomic():
        sql = prepared(connection, untyped, checked=[None])
        with connection.cursor() as cursor:
            cursor.execute(sql, [None])
            (counted,) = cursor.fetchone()
        again = Submission.objects.filter(pk=reports[1].pk).count()

    assert sql == untyped
    assert counted == 2
    assert again == 1


@postgres_only
def test_a_fraction_compared_with_whole_numbers_is_never_rounded(reports):
    half = CompiledQuery(
        lambda report: Submission.objects.filter(pk=report).annotate(
            half=ExpressionWrapper(
                F("version") * Value(Decimal("0.5")), output_field=DecimalField()
            )
        ),
        report=int,
    )
    Submission.objects.filter(pk=reports[0].pk).update(version=3)

    with CaptureQueriesContext(connection) as queries:
        first, again = half(report=reports[0].pk), half(report=reports[0].pk)

    assert first[0].half == again[0].half == Decimal("1.5")
    assert not queries[0]["sql"].startswith("EXECUTE")
