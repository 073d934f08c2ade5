"""One prefix per audience, each served by the app that owns the workflow; every address that
moved keeps working through a permanent redirect that loses neither the query nor a form."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic import RedirectView

from campaigns import services as campaign_services
from campaigns.models import StepAction, SubmissionStatus
from indicators.submissions import services
from tests.report_setup import IN_2019, complete_draft, year_build

# Which app serves every page under each prefix.
OWNERS = {
    "report/": "campaigns",
    "campaigns/": "campaigns",
    "board/": "campaigns",
    "review/": "campaigns",
    "import/": "indicators",
    "dashboard/": "reports",
    "public/": "reports",
    "documents/": "reports",
    "reports/": "reports",
}
# Prefixes that only say where a page went.
MOVED = ("review/", "reports/")


def _routes(patterns, prefix="", owner=""):
    """(route, view function, the urls module that routes it) for every page of the site."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            module = pattern.urlconf_module
            name = module.__name__ if hasattr(module, "__name__") else owner
            yield from _routes(pattern.url_patterns, route, name)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback, owner


def _app_of_view(callback) -> str:
    view_class = getattr(callback, "view_class", None)
    return (view_class or callback).__module__.split(".")[0]


def test_every_page_is_served_by_the_app_that_owns_its_prefix():
    seen = set()
    for route, callback, urlconf in _routes(get_resolver().url_patterns):
        prefix = next((p for p in OWNERS if route.startswith(p)), None)
        if prefix is None:
            continue
        seen.add(prefix)
        assert urlconf.split(".")[0] == OWNERS[prefix], route
        if issubclass(getattr(callback, "view_class", object), RedirectView):
            continue
        assert prefix not in MOVED, f"{route} still serves a page at its old address"
        assert _app_of_view(callback) == OWNERS[prefix], route
    assert seen == set(OWNERS)


def test_every_old_address_is_a_permanent_redirect_view():
    old = [
        (route, callback)
        for route, callback, _urlconf in _routes(get_resolver().url_patterns)
        if route.startswith(MOVED)
    ]
    assert len(old) == 11
    for route, callback in old:
        assert issubclass(callback.view_class, RedirectView), route
        assert callback.view_initkwargs["pattern_name"].split(":")[0] in ("board", "documents")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/review/", "/board/"),
        ("/review/{period}/", "/board/{period}/queue/"),
        ("/review/submissions/{submission}/", "/board/submissions/{submission}/"),
        ("/reports/", "/documents/"),
        ("/reports/jobs/{submission}/", "/documents/jobs/{submission}/"),
        ("/reports/jobs/{submission}/download/", "/documents/jobs/{submission}/download/"),
    ],
)
def test_a_bookmarked_page_answers_301_with_its_query(client, db, old, new):
    ids = {"period": 7, "submission": 42}

    response = client.get(old.format(**ids) + "?state=submitted&sort=-deadline")

    assert response.status_code == 301
    assert response["Location"] == new.format(**ids) + "?state=submitted&sort=-deadline"


def test_a_form_sent_to_an_old_address_is_forwarded_with_308_and_nothing_is_lost(
    client, unit_officer, board_staff, time_machine
):
    time_machine.move_to(IN_2019, tick=False)
    year = year_build(unit_officer)
    draft = complete_draft(year)
    submission = campaign_services.submission_submit(
        submission=draft,
        by=unit_officer,
        expected_version=draft.version,
        extra_checklist=services.report_checklist(submission=draft),
        extra_snapshot=services.report_snapshot(submission=draft),
    )
    client.force_login(board_staff)
    data = {"version": str(submission.version), "reason": "Thiếu số liệu lao động."}

    response = client.post(f"/review/submissions/{submission.pk}/return/", data)

    assert response.status_code == 308
    assert response["Location"] == reverse("board:return", kwargs={"pk": submission.pk})
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED  # nothing done at the old address

    # A browser sends the same form again to the new address.
    followed = client.post(f"/review/submissions/{submission.pk}/return/", data, follow=True)

    assert followed.redirect_chain[0] == (response["Location"], 308)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    step = submission.steps.get(action=StepAction.RETURN)
    assert step.comment == "Thiếu số liệu lao động."
