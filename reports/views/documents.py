"""The PDF documents page: ask for one, watch it being made (htmx polling), download it."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from reports import access, selectors
from reports.forms import ReportRequestForm, request_forms
from reports.models import JobState, ReportKind
from reports.services import jobs
from units import access as roles

logger = logging.getLogger(__name__)


def _page(request: AuthenticatedRequest, forms: list[ReportRequestForm], status: int = 200):
    return render(
        request,
        "reports/document_list.html",
        {
            "forms": forms,
            "jobs": selectors.jobs_for_user(user=request.user),
            "reads_board_documents": roles.reads_board_pages(request.user),
        },
        status=status,
    )


@login_required
def document_list(request: AuthenticatedRequest) -> HttpResponse:
    """Ask for a report; earlier reports and their progress below."""
    if not access.report_kinds(user=request.user):
        raise Http404
    return _page(request, request_forms(user=request.user))


@login_required
@require_POST
def document_ask(request: AuthenticatedRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    if kind not in access.report_kinds(user=request.user):
        raise Http404
    forms = request_forms(user=request.user, data=request.POST, bound_kind=kind)
    form = next(f for f in forms if f.kind == kind)
    if form.is_valid():
        try:
            job = jobs.report_request(user=request.user, kind=kind, params=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if job.state == JobState.DONE:
                messages.success(
                    request, _("This report is ready: nothing changed since it was made.")
                )
            else:
                messages.info(request, _("Your report is being made. You can leave this page."))
            return redirect(f"{reverse('documents:list')}#job-{job.pk}")
    return _page(request, forms, status=400)


@login_required
def job_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One job's row: polled by htmx every few seconds until the job is done or failed."""
    job = access.job_for_user(user=request.user, pk=pk)
    if not request.htmx:
        return redirect(f"{reverse('documents:list')}#job-{job.pk}")
    response = render(request, "reports/_document_job.html", {"job": job})
    if not job.in_flight:
        response.status_code = 286  # htmx: stop polling
    return response


@login_required
def job_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """A finished report's file, after checking again that the asker may have it."""
    job = access.job_for_user(user=request.user, pk=pk)
    if job.state != JobState.DONE:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        logger.warning("Report job %s has no stored file %s", job.pk, job.file.name)
        raise Http404 from None
    zipped = job.kind == ReportKind.UNIT_SHEETS_ZIP
    return FileResponse(
        handle,
        as_attachment=True,
        filename=selectors.job_filename(job),
        content_type="application/zip" if zipped else "application/pdf",
    )
