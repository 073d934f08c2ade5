"""What every Board page checks first: who may read it, who may act on it, which year it is about.

The rules themselves are `units.access.reads_board_pages` and `units.access.is_board`; these
decorators only apply them to a view, on the server, before anything is looked up.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from campaigns.models import ReportingPeriod
from campaigns.selectors import period_or_404 as period_or_404  # re-exported for the views
from kontum_poverty.http import AuthenticatedRequest
from units import access

View = Callable[..., HttpResponse]

# A form the Board sent that a rule refused: the page comes back with the reason.
UNPROCESSABLE = 422
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def board_page(view: View) -> View:
    """The Board and leaders read; only the Board sends forms. Anyone else, admins included,
    is refused, and a leader's POST is refused before anything is looked at."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.reads_board_pages(request.user):
            raise PermissionDenied
        if request.method not in SAFE_METHODS and not access.is_board(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def board_action(view: View) -> View:
    """An action only the Board takes: refused to everyone else, whatever the method."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.is_board(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


Action = Callable[[AuthenticatedRequest, ReportingPeriod], Form | None]
Render = Callable[..., HttpResponse]


def run_page_action(
    request: AuthenticatedRequest,
    period: ReportingPeriod,
    *,
    actions: dict[str, Action],
    render_page: Render,
    done_url: str,
) -> HttpResponse:
    """A Board page with several forms posts `action=…`: run it, then show the page again with
    the failed form (422) or go back to it (redirect after POST)."""
    action = actions.get(request.POST.get("action", ""))
    if action is None:
        form = Form(request.POST)
        form.is_valid()
        form.add_error(None, _("Unknown action."))
        return render_page(request, period, failed=form, status=UNPROCESSABLE)
    failed = action(request, period)
    if failed is not None:
        return render_page(request, period, failed=failed, status=UNPROCESSABLE)
    return redirect(done_url)
