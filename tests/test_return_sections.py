"""A Board return with a comment on any part of a report leaves every page that shows it working:
the review page, the report's page with its history (Board, leader, the unit) and the unit's form.

The parts are the comment boxes the Board's return form offers, taken from the same function the
review page uses, so a part added to the form is tested here without editing this file."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import override

from campaigns import selectors as campaign_selectors
from campaigns.models import StepAction, SubmissionStatus
from indicators.submissions import review
from tests.report_setup import IN_2019, year_build
from tests.test_board_review import sent

pytestmark = pytest.mark.django_db

# The parts every report has (its fields, then its rows: models, support, communication) ...
FIXED_KEYS = [key for key, _label in review.comment_keys([], [])]
# ... and the ones `year_build` gives this report: its reported indicators and its criteria.
REPORT_KEYS = ["LABOUR", "EDU", "1.1", "1.2"]
KEYS = FIXED_KEYS + REPORT_KEYS


@pytest.fixture
def year(unit_officer, time_machine):
    time_machine.move_to(IN_2019, tick=False)
    return year_build(unit_officer)


def returned_with(client, year, board_staff, key: str, comment: str):
    submission = sent(year)
    client.force_login(board_staff)
    response = client.post(
        reverse("board:return", kwargs={"pk": submission.pk}),
        {"version": str(submission.version), "reason": "", f"comment-{key}": comment},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    assert submission.steps.last().field_comments == {key: comment}
    return submission


def test_the_report_parts_have_comment_boxes():
    assert {"narrative", "fund_mobilised_vnd", "models"} <= set(FIXED_KEYS)
    assert "communication" in FIXED_KEYS
    assert "sponsorship_support" in FIXED_KEYS
    assert set(campaign_selectors.REPORT_PARTS) <= set(FIXED_KEYS)


def test_the_keys_tested_here_are_every_comment_box_the_return_form_offers(
    client, year, board_staff
):
    submission = sent(year)
    client.force_login(board_staff)

    form = client.get(reverse("board:review", kwargs={"pk": submission.pk})).context["return_form"]

    assert sorted(key for key, _label in form.keys) == sorted(KEYS)
    assert sorted(field.name for field in form.comment_fields()) == sorted(
        f"comment-{k}" for k in KEYS
    )


@pytest.mark.parametrize("key", KEYS)
def test_a_comment_on_any_part_shows_under_its_name_on_every_page(
    client, year, board_staff, leader, key
):
    comment = f"Bổ sung phần {key} cho đầy đủ"
    submission = returned_with(client, year, board_staff, key, comment)
    review_url = reverse("board:review", kwargs={"pk": submission.pk})
    detail_url = reverse("campaigns:submission-detail", kwargs={"pk": submission.pk})
    form_url = reverse("report:form", kwargs={"period_pk": year.period.pk})

    with override("vi"):
        page = client.get(review_url)
        label = dict(page.context["return_form"].keys)[key]
        label = str(label)
    assert page.status_code == 200
    _assert_comment_under(page.content.decode(), label, comment)

    for reader in (board_staff, leader, year.officer):
        client.force_login(reader)
        page = client.get(detail_url)
        assert page.status_code == 200, reader
        _assert_comment_under(page.content.decode(), label, comment)

    client.force_login(year.officer)
    page = client.get(form_url)
    assert page.status_code == 200
    content = page.content.decode()
    assert escape(comment) in content
    step = submission.steps.last()
    assert step.action == StepAction.RETURN


def _assert_comment_under(content: str, label: str, comment: str) -> None:
    """The timeline's line for the comment: the part's name, then the comment."""
    line = f'<span class="fw-semibold">{escape(label)}</span>: {escape(comment)}'
    assert line in content, label
