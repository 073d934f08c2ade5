"""The Board's documents: the text of sections II–V in versions, one approval, the registered
number, and who issues and signs each kind. The Board writes; leaders read."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.models import Campaign
from kontum_poverty.forms import add_service_errors
from kontum_poverty.http import AuthenticatedRequest
from reports import narratives, selectors
from reports.documents.awards import AwardLetter, award_list_key
from reports.documents.signing import issuer_for
from reports.forms import (
    ApproveForm,
    IssueForm,
    NarrativeForm,
    SetupForm,
)
from reports.models import DocumentSetup, NarrativeKind, ReportKind
from reports.services import texts
from units import access

UNPROCESSABLE = 422
SETUP_KINDS = [
    ReportKind.PROVINCE,
    ReportKind.INTERIM,
    ReportKind.FINAL,
    ReportKind.AWARDS,
    ReportKind.UNIT_SHEET,
]


View = Callable[..., HttpResponse]


def board_reads(view: View) -> View:
    """The Board and leaders read; only the Board sends forms."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.reads_board_pages(request.user):
            raise PermissionDenied
        if request.method == "POST" and not access.is_board(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _campaign() -> Campaign:
    campaign = selectors.current_campaign()
    if campaign is None:
        raise Http404
    return campaign


@board_reads
@require_http_methods(["GET"])
def document_index(request: AuthenticatedRequest) -> HttpResponse:
    """Every document the Board writes for the campaign, with where each stands."""
    campaign = _campaign()
    rows = narratives.document_rows(campaign=campaign)
    years = list(range(campaign.last_year - 1, campaign.first_year - 1, -1))
    has_interim = any(row.kind == NarrativeKind.INTERIM for row in rows)
    return render(
        request,
        "reports/board_documents.html",
        {
            "campaign": campaign,
            "rows": rows,
            "interim_years": [] if has_interim else years,
            "can_act": access.is_board(request.user),
        },
    )


@dataclass
class VersionRow:
    number: int
    written_by: str
    written_at: Any
    note: str
    changed: list[str]


def _version_rows(document: Any) -> list[VersionRow]:
    headings = {name: number for name, number, _h in narratives.section_headings()}
    rows: list[VersionRow] = []
    previous = dict.fromkeys(narratives.SECTIONS, "")
    if document is None:
        return rows
    for version in document.versions.select_related("written_by").order_by("number"):
        changed = [headings[n] for n in narratives.SECTIONS if getattr(version, n) != previous[n]]
        previous = {n: getattr(version, n) for n in narratives.SECTIONS}
        rows.append(
            VersionRow(
                number=version.number,
                written_by=version.written_by.get_full_name() or version.written_by.username,
                written_at=version.written_at,
                note=version.note,
                changed=changed,
            )
        )
    return list(reversed(rows))


def _check_kind_year(campaign: Campaign, kind: str, year: int) -> None:
    if kind not in NarrativeKind.values:
        raise Http404
    try:
        texts.document_year_check(campaign, kind, year)
    except ValidationError:
        raise Http404 from None


@board_reads
@require_http_methods(["GET", "POST"])
def document_page(request: AuthenticatedRequest, kind: str, year: int) -> HttpResponse:
    """One document: its text (sections II–V) in versions, its approval and its number."""
    campaign = _campaign()
    _check_kind_year(campaign, kind, year)
    action = request.POST.get("action", "")
    status = 200
    form = issue_form = approve_form = None
    if kind == NarrativeKind.AWARDS:
        letter = AwardLetter.build(year=year, on=_today())
        key = award_list_key(letter.groups)
        draft = letter.header.draft
    else:
        letter, key = None, ""
    state = narratives.narrative_state(campaign=campaign, kind=kind, year=year)
    if kind != NarrativeKind.AWARDS:
        draft = state.draft
    latest = state.latest.number if state.latest else 0
    if request.method == "POST":
        if action == "save":
            form = NarrativeForm(request.POST)
            if form.is_valid() and _save(request, form, campaign, kind, year):
                return redirect("documents:board-document", kind=kind, year=year)
        elif action == "approve":
            approve_form = ApproveForm(request.POST)
            if approve_form.is_valid() and _approve(
                request, approve_form, campaign, kind, year, key
            ):
                return redirect("documents:board-document", kind=kind, year=year)
        elif action == "issue":
            issue_form = IssueForm(request.POST)
            if issue_form.is_valid() and _issue(request, issue_form, campaign, kind, year, draft):
                return redirect("documents:board-document", kind=kind, year=year)
        else:
            raise Http404
        status = UNPROCESSABLE
    if form is None and kind != NarrativeKind.AWARDS:
        initial = {s.field: s.text for s in state.sections}
        form = NarrativeForm(initial={**initial, "base_version": latest})
    document = state.document
    return render(
        request,
        "reports/board_document.html",
        {
            "campaign": campaign,
            "kind": kind,
            "kind_label": NarrativeKind(kind).label,
            "year": year,
            "state": state,
            "draft": draft,
            "letter": letter,
            "list_key": key,
            "form": form,
            "approve_form": approve_form,
            "issue_form": issue_form or IssueForm(),
            "document": document,
            "versions": _version_rows(document),
            "issuer": issuer_for(kind),
            "can_act": access.is_board(request.user),
            "ask_field": f"{kind}-year",
        },
        status=status,
    )


def _save(
    request: AuthenticatedRequest, form: NarrativeForm, campaign: Campaign, kind: str, year: int
) -> bool:
    data = form.cleaned_data
    try:
        version = texts.narrative_save(
            campaign=campaign,
            kind=kind,
            year=year,
            by=request.user,
            texts=data,
            base_version=data["base_version"],
            note=data["note"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    if version is None:
        messages.info(request, _("Nothing changed: no new version was saved."))
    else:
        messages.success(request, _("Saved as version %(number)s.") % {"number": version.number})
    return True


def _approve(
    request: AuthenticatedRequest,
    form: ApproveForm,
    campaign: Campaign,
    kind: str,
    year: int,
    key: str,
) -> bool:
    try:
        if kind == NarrativeKind.AWARDS:
            # The list may have changed since the page was read: approve only what was read.
            if form.cleaned_data["key"] != key:
                raise ValidationError(
                    _("The list changed while you were reading it: read it again."),
                    code="stale_version",
                )
            texts.award_letter_approve(campaign=campaign, year=year, by=request.user, key=key)
        else:
            texts.narrative_approve(
                campaign=campaign,
                kind=kind,
                year=year,
                by=request.user,
                version=form.cleaned_data["version"] or 0,
            )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, _("Approved: the paper no longer says “draft”."))
    return True


def _issue(
    request: AuthenticatedRequest,
    form: IssueForm,
    campaign: Campaign,
    kind: str,
    year: int,
    draft: bool,
) -> bool:
    try:
        document = texts.document_get_or_create(campaign=campaign, kind=kind, year=year)
        texts.document_issue(
            document=document,
            number=form.cleaned_data["number"],
            issued_on=form.cleaned_data["issued_on"],
            approved=not draft,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, _("The registered number is recorded."))
    return True


def _today() -> datetime.date:
    return timezone.localdate()


@board_reads
@require_http_methods(["GET"])
def version_page(request: AuthenticatedRequest, kind: str, year: int, number: int) -> HttpResponse:
    """One earlier version of a document's text, as it was saved."""
    campaign = _campaign()
    _check_kind_year(campaign, kind, year)
    document = narratives.board_document(campaign=campaign, kind=kind, year=year)
    version = (
        document.versions.select_related("written_by").filter(number=number).first()
        if document
        else None
    )
    if version is None:
        raise Http404
    sections = [
        (number_, heading, getattr(version, name))
        for name, number_, heading in narratives.section_headings()
    ]
    return render(
        request,
        "reports/board_document_version.html",
        {
            "kind": kind,
            "kind_label": NarrativeKind(kind).label,
            "year": year,
            "version": version,
            "sections": sections,
        },
    )


@board_reads
@require_http_methods(["GET", "POST"])
def document_setup(request: AuthenticatedRequest) -> HttpResponse:
    """Who issues and who signs each kind of document."""
    setups = {s.kind: s for s in DocumentSetup.objects.all()}
    bound = request.POST.get("kind", "") if request.method == "POST" else ""
    if bound and bound not in SETUP_KINDS:
        raise Http404
    forms = []
    status = 200
    for kind in SETUP_KINDS:
        setup = setups.get(kind)
        if setup is None:
            issuer = issuer_for(kind)
            initial = {name: getattr(issuer, name) for name in texts.SETUP_FIELDS}
            initial["recipients"] = "\n".join(issuer.recipients)
        else:
            initial = {name: getattr(setup, name) for name in texts.SETUP_FIELDS}
        form = SetupForm(request.POST if kind == bound else None, initial=initial, prefix=kind)
        if kind == bound:
            if form.is_valid():
                try:
                    texts.setup_save(kind=kind, by=request.user, data=form.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("The signer is set up."))
                    return redirect("documents:setup")
            status = UNPROCESSABLE
        forms.append((kind, ReportKind(kind).label, form, issuer_for(kind).signer_lines))
    return render(
        request,
        "reports/document_setup.html",
        {"forms": forms, "can_act": access.is_board(request.user)},
        status=status,
    )
