"""The officer's pages: the year's emulation registration and the yearly report form."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns import access, deadlines
from campaigns import selectors as campaign_selectors
from campaigns import services as campaign_services
from campaigns.models import Submission, SubmissionStatus
from campaigns.reporting.forms import ExtensionRequestForm, RegistrationForm, ReportForm
from campaigns.services import extensions
from indicators.models import RegisteredTarget
from indicators.progress import MODEL_SOURCES, indicator_source
from indicators.submissions import selectors, services
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from kontum_poverty.numbers import format_vn_number
from units.models import Unit


def _officer_unit(request: AuthenticatedRequest) -> Unit:
    # Only a unit's own officers fill its forms; anyone else finds nothing here.
    if access.fills_reports_of(request.user) is None or request.user.unit is None:
        raise Http404
    return request.user.unit


@login_required
def registration(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The unit's emulation registration for a year: fund pledge, sponsorship, target values."""
    unit = _officer_unit(request)
    period = campaign_selectors.period_or_404(period_pk)
    indicators = services.registration_indicators(period=period, unit=unit)
    current = campaign_selectors.unit_registration(period=period, unit=unit)
    targets = (
        dict(
            RegisteredTarget.objects.filter(registration=current).values_list(
                "indicator_id", "value"
            )
        )
        if current
        else {}
    )
    initial = (
        {
            "fund_pledge_vnd": current.fund_pledge_vnd,
            "sponsorship_commitment": current.sponsorship_commitment,
            "other_commitments": current.other_commitments,
        }
        if current
        else {}
    )
    form = RegistrationForm(
        request.POST or None, initial=initial, indicators=indicators, initial_targets=targets
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_with_targets_save(
                period=period,
                unit=unit,
                by=request.user,
                fund_pledge_vnd=form.cleaned_data["fund_pledge_vnd"],
                sponsorship_commitment=form.cleaned_data["sponsorship_commitment"],
                other_commitments=form.cleaned_data["other_commitments"],
                targets=form.targets(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your registration is saved."))
            return redirect("report:registration", period_pk=period.pk)
    is_open = campaign_selectors.period_open_for_unit(
        period=period, unit=unit, on=timezone.localdate()
    )
    return render(
        request,
        "campaigns/reporting/registration_form.html",
        {
            "period": period,
            "unit": unit,
            "form": form,
            "registration": current,
            "is_open": is_open,
            "target_fields": [form[f"target-{i.code}"] for i in indicators],
        },
    )


@login_required
def report_form(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """The unit's yearly report: save a draft at any time, submit when the checklist is met."""
    if access.fills_reports_of(request.user) is None:
        raise Http404
    # The report with its year, unit and the form counter in one read; the year and unit apart
    # only before the first save.
    submission = selectors.report_with_forms_version(
        period_pk=period_pk, unit_pk=request.user.unit_id
    )
    version = getattr(submission, "forms_version", None)
    if submission is None:
        unit = _officer_unit(request)
        period = campaign_selectors.period_or_404(period_pk)
        try:
            # An unsaved draft until the first save: looking at the page creates nothing. The
            # read above found no report: not read again.
            submission = campaign_services.submission_new(period=period, unit=unit)
        except ValidationError as exc:
            return render(
                request,
                "campaigns/reporting/report_closed.html",
                {"period": period, "unit": unit, "error": exc},
                status=200,
            )
    period = submission.period
    if not access.may_edit_report(user=request.user, submission=submission):
        return redirect("campaigns:submission-detail", pk=submission.pk)
    if request.method != "POST":
        form = ReportForm(context=selectors.report_context(submission=submission, version=version))
        saved_key = _saved_key(submission)
        saved_here = request.COOKIES.get(saved_key) == str(submission.version)
        response = _render_form(request, form, saved_here=saved_here)
        if saved_key in request.COOKIES:
            response.delete_cookie(saved_key, path=request.path, samesite="Lax")
        return response

    # Validating needs the form's fields, not the page: the whole page is read only to show
    # the form again with its errors.
    context = selectors.report_context(submission=submission, for_save=True, version=version)
    form = ReportForm(request.POST, request.FILES, context=context)
    if not form.is_valid():
        return _render_form(request, _bound_for_page(request, submission), status=422)
    try:
        outcome = services.report_save(
            submission=submission,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            draft=form.draft_input(),
            values=form.value_inputs(),
            results=form.result_inputs(),
            new_model=form.new_model(),
            evidence_files=form.evidence_files(),
            remove_evidence=[
                # isdigit() alone lets "²" through, which int() then refuses.
                int(pk)
                for pk in request.POST.getlist("remove_evidence")
                if pk.isascii() and pk.isdigit()
            ],
            submit=request.POST.get("action") == "submit",
            shape=context.shape,  # read just now for the form: not read again
        )
    except ValidationError as exc:
        code = getattr(exc, "code", None)  # a ValidationError with per-field errors has none
        if code == "not_editable":
            messages.info(request, exc.messages[0])
            return redirect("campaigns:submission-detail", pk=submission.pk)
        data = None
        if code == "stale":
            # Keep what the officer typed; the next save knowingly replaces the other change.
            data = request.POST.copy()
            current = Submission.objects.get(period=submission.period, unit=submission.unit)
            data["version"] = str(current.version)
        form = _bound_for_page(request, submission, data=data)
        add_service_errors(form, exc)
        return _render_form(request, form, status=409 if code == "stale" else 422)

    for criterion_id, error in outcome.evidence_errors:
        code = next((c.code for c in context.criteria if c.pk == criterion_id), "")
        messages.error(request, f"{code}: {' '.join(error.messages)}")
    if outcome.submission.status == SubmissionStatus.SUBMITTED:
        messages.success(request, _("Your report has been sent to the Board."))
        # The saved report: a first save that submits at once started it just now.
        return redirect("campaigns:submission-detail", pk=outcome.submission.pk)
    if outcome.submit_error is not None:
        messages.error(request, " ".join(outcome.submit_error.messages))
    response = redirect("report:form", period_pk=period.pk)
    # Tells this browser's next page that its own save went through: the page says "Draft
    # saved." and drops the browser's copy (static/js/report.js). A cookie, not the session or
    # the messages framework: a save then writes and signs nothing but the report.
    response.set_cookie(
        _saved_key(outcome.submission),
        str(outcome.submission.version),
        max_age=SAVED_COOKIE_SECONDS,
        path=request.path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


# Long enough for the redirect after a save to arrive, even on a slow phone connection.
SAVED_COOKIE_SECONDS = 300


@login_required
@require_POST
def report_autosave(request: AuthenticatedRequest, period_pk: int) -> JsonResponse:
    """The draft saved while the officer types (static/js/report.js): the same save as the
    form's button, without files and never a submission; the answer says when, or why not."""
    unit = _officer_unit(request)
    period = campaign_selectors.period_or_404(period_pk)
    try:
        submission = campaign_services.submission_get_or_new(period=period, unit=unit)
    except ValidationError as exc:
        return JsonResponse({"saved": False, "message": " ".join(exc.messages)}, status=409)
    if not access.may_edit_report(user=request.user, submission=submission):
        return JsonResponse(
            {"saved": False, "message": _("This report cannot be changed now.")}, status=409
        )
    form = ReportForm(request.POST, context=selectors.report_context(submission=submission))
    if not form.is_valid():
        return JsonResponse(
            {
                "saved": False,
                "message": _("Not saved: check the fields marked in red, then save."),
                "fields": sorted(form.errors),
            },
            status=422,
        )
    try:
        outcome = services.report_save(
            submission=submission,
            by=request.user,
            expected_version=form.cleaned_data["version"],
            draft=form.draft_input(),
            values=form.value_inputs(),
            results=form.result_inputs(),
            # A new model is added by the save button only: typing its name must not add it
            # once per pause.
        )
    except ValidationError as exc:
        stale = getattr(exc, "code", None) == "stale"
        return JsonResponse(
            {"saved": False, "message": " ".join(exc.messages), "stale": stale},
            status=409 if stale else 422,
        )
    saved = outcome.submission
    return JsonResponse(
        {
            "saved": True,
            "version": saved.version,
            "saved_at": date_format(timezone.localtime(saved.updated_at), "H:i"),
        }
    )


def _saved_key(submission: Submission) -> str:
    return f"report-saved-{submission.pk}"


def _bound_for_page(
    request: AuthenticatedRequest, submission: Submission, data: Any = None
) -> ReportForm:
    """The posted form again, over everything the page shows, to show it with its errors."""
    form = ReportForm(
        request.POST if data is None else data,
        request.FILES,
        context=selectors.report_context(submission=submission),
    )
    form.is_valid()
    return form


def _render_form(
    request: AuthenticatedRequest,
    form: ReportForm,
    status: int = 200,
    *,
    saved_here: bool = False,
) -> HttpResponse:
    context = form.context
    submission = context.submission
    # The rubric, the indicators and the report's own rows were read for the form: the
    # checklist and the warnings are worked out from them, not read again.
    values = context.value_rows
    found = services.report_warnings(submission=submission, values=values)
    warnings = {w.key: w for w in found}
    checklist = [
        *campaign_selectors.submission_checklist(
            submission=submission,
            criteria=context.criteria,
            scored=context.scored,
            with_evidence=context.with_evidence,
        ),
        *services.report_checklist(
            submission=submission, warnings=found, indicators=context.indicators, values=values
        ),
    ]
    comments = context.field_comments
    deadline = deadlines.unit_deadline(period=submission.period, unit=submission.unit)
    known = {"narrative", "fund_mobilised_vnd", "models", "sponsorship_support", "communication"}
    known |= {i.code for i in context.indicators} | {c.code for c in context.criteria}
    return render(
        request,
        "campaigns/reporting/report_form.html",
        {
            "form": form,
            "submission": submission,
            "period": submission.period,
            "unit": submission.unit,
            "ctx": context,
            "rows": _rows(form, warnings, comments),
            # A browser never re-fills a file input: say so when a refused form carried files.
            "files_dropped": bool(request.FILES),
            "saved_here": saved_here,
            "saved_today": submission.updated_at is not None
            and timezone.localdate(submission.updated_at) == timezone.localdate(),
            "is_open": campaign_selectors.report_open_for_unit(
                submission=submission, on=timezone.localdate(), deadline=deadline
            ),
            "checklist": checklist,
            "ready": all(item.done for item in checklist),
            "warnings": warnings,
            "comments": comments,
            "other_comments": _other_comments(submission, comments, known),
            "deadline": deadline,
            "model_targets": [
                (t.indicator.name, format_vn_number(t.value), t.indicator.unit_of_measure)
                for t in context.targets.values()
                if indicator_source(t.indicator) in MODEL_SOURCES
            ],
            "new_model": {
                "name": form["newmodel-name"],
                "participating": form["newmodel-participating"],
            },
            "pledge_display": format_vn_number(
                context.registration.fund_pledge_vnd if context.registration else None
            ),
        },
        status=status,
    )


def _other_comments(
    submission: Submission, comments: dict[str, str], known: set[str]
) -> list[tuple[str, str]]:
    """Board comments on keys the form has no place for (an indicator the unit does not report,
    a criterion no longer in its rubric), under the names the Board's return form gave them."""
    others = [(key, comment) for key, comment in comments.items() if key not in known]
    if not others:
        return []
    labels = campaign_selectors.comment_labels(submission=submission)
    return [(labels.get(key) or campaign_selectors.field_label(key), text) for key, text in others]


def _rows(form: ReportForm, warnings: dict, comments: dict[str, str]) -> dict[str, list[dict]]:
    """Bound fields grouped per item, so the template only lays them out."""
    ctx = form.context
    return {
        "values": [
            {
                "indicator": i,
                "target": ctx.targets.get(i.pk),
                "target_display": format_vn_number(
                    ctx.targets[i.pk].value if i.pk in ctx.targets else None
                ),
                "numerator": form[f"value-{i.code}-numerator"],
                "denominator": form[f"value-{i.code}-denominator"],
                "comment": form[f"value-{i.code}-comment"],
                "explanation": form[f"value-{i.code}-explanation"],
                "warning": warnings.get(f"value-{i.code}"),
                "board_comment": comments.get(i.code),
            }
            for i in ctx.indicators
        ],
        "models": [
            {
                "model": m,
                "participating": form[f"model-{m.pk}-participating"],
                "income": form[f"model-{m.pk}-income"],
                "escaped": form[f"model-{m.pk}-escaped"],
                "explanation": form[f"model-{m.pk}-explanation"],
                "warning": warnings.get(f"model-{m.pk}"),
            }
            for m in ctx.models
        ],
        "support": [
            {
                "commune": c,
                "money": form[f"support-{c.pk}-money"],
                "in_kind_value": form[f"support-{c.pk}-in_kind_value"],
                "in_kind": form[f"support-{c.pk}-in_kind"],
                "works": form[f"support-{c.pk}-works"],
            }
            for c in ctx.communes
        ],
        "communication": [
            {
                "kind": form[f"comm-{n}-kind"],
                "title": form[f"comm-{n}-title"],
                "url": form[f"comm-{n}-url"],
                "count": form[f"comm-{n}-count"],
            }
            for n in range(form.communication_rows)
        ],
        "criteria": [
            {
                "criterion": c,
                "max_display": format_vn_number(c.max_points),
                "points": form[f"score-{c.pk}-points"],
                "justification": form[f"score-{c.pk}-justification"],
                "file": form[f"evidence-{c.pk}"],
                "evidence": ctx.evidence.get(c.pk, []),
                "board_comment": comments.get(c.code),
            }
            for c in ctx.criteria
        ],
    }


@login_required
def extension(request: AuthenticatedRequest, period_pk: int) -> HttpResponse:
    """Ask the Board for more time, and the unit's requests for the year with their answers."""
    unit = _officer_unit(request)
    period = campaign_selectors.period_or_404(period_pk)
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            extensions.extension_request(
                period=period,
                unit=unit,
                by=request.user,
                deadline=form.cleaned_data["deadline"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your request is sent to the Board."))
            return redirect("report:extension", period_pk=period.pk)
    context = {
        "period": period,
        "unit": unit,
        "form": form,
        "deadline": deadlines.unit_deadline(period=period, unit=unit),
        "requests": campaign_selectors.extension_requests(period=period, unit=unit),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "campaigns/reporting/extension.html", context, status=status)
