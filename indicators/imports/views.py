"""Admin pages for importing commune statistics from Excel, and their exports."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Field
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from indicators import exports
from indicators.imports import districts, selectors, services
from indicators.imports.columns import BY_FIELD
from indicators.imports.forms import ImportConfirmForm, ImportUploadForm, TemplateForm
from indicators.imports.problems import message
from indicators.imports.template import build_template
from indicators.models import CommuneStatistics, DistrictConfirmation, ImportBatch
from kontum_poverty.forms import style_fields
from kontum_poverty.http import AuthenticatedRequest
from units import access
from units.models import Unit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANGES_PER_PAGE = 200


def admin_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Only administrators import or export commune statistics."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def importer_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Administrators, and district officers for their own district's uploads."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not access.is_admin(request.user) and districts.officer_district(request.user) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _batch_for(request: AuthenticatedRequest, pk: int, *, light: bool = False) -> ImportBatch:
    """An import the person may see: any for an admin, their district's for its officer."""
    batch = selectors.import_batch(pk=pk, light=light)
    if access.is_admin(request.user):
        return batch
    district = districts.officer_district(request.user)
    if district is None or batch.district_id != district.pk:
        raise Http404
    return batch


def _back_url(request: AuthenticatedRequest) -> str:
    if access.is_admin(request.user):
        return reverse("indicators:import-upload")
    return reverse("indicators:district-figures")


@admin_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                upload=form.cleaned_data["file"], year=form.cleaned_data["year"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            services.batch_start_preview(batch=batch)
            return redirect("indicators:import-detail", pk=batch.pk)
    status = 400 if form.errors else 200
    # Lazily as well as by the periodic task: the history must never offer a stale preview.
    services.batches_expire()
    context = {
        "form": form,
        "template_form": TemplateForm(initial={"year": selectors.default_import_year()}),
        "years": selectors.import_years(),
        "batches": selectors.import_batches()[:50],
        "confirmation_year": selectors.default_import_year(),
        "district_confirmations": districts.confirmation_overview(
            year=selectors.default_import_year()
        ),
    }
    return render(request, "indicators/imports/import_upload.html", context, status=status)


@admin_required
@require_GET
def import_template(request: AuthenticatedRequest) -> HttpResponse:
    form = TemplateForm(request.GET)
    if not form.is_valid():
        raise Http404
    year = form.cleaned_data["year"]
    response = HttpResponse(build_template(year=year), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-so-lieu-xa-{year}.xlsx"'
    return response


@importer_required
@require_GET
def import_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    services.batches_expire()
    batch = _batch_for(request, pk)
    return _render_detail(request, batch)


def _render_detail(
    request: AuthenticatedRequest,
    batch: ImportBatch,
    *,
    form: ImportConfirmForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    changed = [change for change in batch.changes if not change.get("new")]
    new = [change for change in batch.changes if change.get("new")]
    page = Paginator(changed, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    is_owner = batch.uploaded_by_id == request.user.pk
    if form is None and batch.can_confirm and is_owner:
        form = ImportConfirmForm(initial={"token": batch.confirm_token})
    context = {
        "batch": batch,
        "refusal_message": refusal or _refusal_message(batch),
        "errors": _described(batch.errors),
        "warnings": _described(batch.warnings),
        "changes": [_described_change(change) for change in page.object_list],
        "page": page,
        "new_rows": new[:CHANGES_PER_PAGE],
        "new_hidden": max(0, len(new) - CHANGES_PER_PAGE),
        "form": form if is_owner else None,
        "is_owner": is_owner,
        "back_url": _back_url(request),
    }
    return render(request, "indicators/imports/import_detail.html", context, status=status)


def _refusal_message(batch: ImportBatch) -> str:
    if not batch.refusal:
        return ""
    return message(batch.refusal.get("code", ""), batch.refusal.get("params"))


def _described(problems: list[dict]) -> list[dict]:
    described = []
    for item in problems:
        field = item.get("field") or ""
        described.append(
            {
                **item,
                "header": BY_FIELD[field].header if field in BY_FIELD else "",
                # Previews stored before the column name went into the parameters kept it
                # as the location.
                "message": message(
                    item["code"], {"column": item.get("column", ""), **(item.get("params") or {})}
                ),
            }
        )
    return described


def _described_change(change: dict) -> dict:
    return {
        **change,
        "diffs": [(_field_name(name), old, new) for name, old, new in change.get("diffs", [])],
    }


def _field_name(name: str) -> "StrOrPromise":
    field = CommuneStatistics._meta.get_field(name)
    # Changes are to the stored figures, which are all plain fields with a name to show.
    return field.verbose_name if isinstance(field, Field) else name


@importer_required
@require_GET
def import_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Polled by htmx while a job runs; reloads the page once the job is done."""
    batch = _batch_for(request, pk, light=True)
    if not batch.is_running:
        return HttpResponseClientRefresh()
    return render(request, "indicators/imports/_import_progress.html", {"batch": batch})


@importer_required
@require_POST
def import_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, batch, form=form, status=400)
    try:
        services.batch_confirm(
            batch=batch,
            by=request.user,
            token=form.cleaned_data["token"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        batch.refresh_from_db()
        status = 403 if exc.code == "not_owner" else 409
        if exc.code == "note_required":
            form.add_error("note", exc)
        return _render_detail(request, batch, form=form, refusal=exc.messages[0], status=status)
    return redirect("indicators:import-detail", pk=batch.pk)


@importer_required
@require_GET
def import_file(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The original upload, for whoever may see the import: media files have no public URL."""
    batch = _batch_for(request, pk, light=True)
    return FileResponse(
        batch.file.open("rb"),
        as_attachment=True,
        filename=batch.original_name,
        content_type=XLSX,
    )


@admin_required
@require_GET
def statistics_export(request: AuthenticatedRequest, year: int, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(exports.to_xlsx(year=year), content_type=XLSX)
    elif fmt == "csv":
        response = HttpResponse(exports.to_csv(year=year), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="so-lieu-xa-{year}.{fmt}"'
    return response


# --- A district's own communes ---------------------------------------------------------------


def _district_or_403(request: AuthenticatedRequest) -> Unit:
    district = districts.officer_district(request.user)
    if district is None:
        raise PermissionDenied
    return district


@login_required
@require_http_methods(["GET", "POST"])
def district_figures(request: AuthenticatedRequest) -> HttpResponse:
    """A district officer enters or corrects the year's figures of the district's communes
    (the same import, restricted to them) and confirms them."""
    district = _district_or_403(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                upload=form.cleaned_data["file"],
                year=form.cleaned_data["year"],
                by=request.user,
                district=district,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            services.batch_start_preview(batch=batch)
            return redirect("indicators:import-detail", pk=batch.pk)
    year = form.data.get("year") if form.is_bound else request.GET.get("year")
    return _render_district(
        request, district, year=_year(year), upload_form=form, status=400 if form.errors else 200
    )


def _year(value: object) -> int:
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        return selectors.default_import_year()
    return year if 2000 <= year <= 2100 else selectors.default_import_year()


def _render_district(
    request: AuthenticatedRequest,
    district: Unit,
    *,
    year: int,
    upload_form: ImportUploadForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    form = upload_form or ImportUploadForm(initial={"year": year})
    style_fields(form, errors=form.errors)
    context = {
        "district": district,
        "year": year,
        "form": form,
        "confirmation": DistrictConfirmation.objects.filter(year=year, district=district).first(),
        "missing": districts.communes_without_figures(year=year, district=district),
        "communes": districts.district_communes(district),
        "batches": selectors.import_batches().filter(district=district)[:20],
        "refusal": refusal,
    }
    return render(request, "indicators/imports/district_figures.html", context, status=status)


@login_required
@require_GET
def district_template(request: AuthenticatedRequest) -> HttpResponse:
    """The workbook with the district's communes only."""
    district = _district_or_403(request)
    year = _year(request.GET.get("year"))
    content = build_template(year=year, district=district)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="mau-so-lieu-xa-{district.code}-{year}.xlsx"'
    )
    return response


@login_required
@require_POST
def district_confirm(request: AuthenticatedRequest) -> HttpResponse:
    district = _district_or_403(request)
    year = _year(request.POST.get("year"))
    try:
        districts.district_confirm(year=year, district=district, by=request.user)
    except ValidationError as exc:
        return _render_district(request, district, year=year, refusal=exc.messages[0], status=409)
    messages.success(request, _("The commune figures of %(year)s are confirmed.") % {"year": year})
    return redirect(f"{reverse('indicators:district-figures')}?year={year}")
