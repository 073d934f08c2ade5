"""The Board's work on its documents: who issues and signs each kind, the text of sections II–V
in versions, one approval, and the number the clerk registers when the signed paper is issued."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from reports import narratives
from reports.models import (
    BoardDocument,
    DocumentSetup,
    NarrativeKind,
    NarrativeVersion,
    ReportKind,
)
from units.models import User

SETUP_FIELDS = (
    "parent_body",
    "issuing_body",
    "issuer_code",
    "collective",
    "head_title",
    "signing",
    "signer_title",
    "signer_name",
    "recipients",
)


def document_year_check(campaign: Campaign, kind: str, year: int) -> None:
    """Refuse a year the document cannot be about: outside the campaign, or the wrong review."""
    last = campaign.last_year
    if not campaign.first_year <= year <= last:
        raise ValidationError(_("The campaign has no year %(year)s.") % {"year": year}, code="year")
    if kind == NarrativeKind.FINAL and year != last:
        raise ValidationError(
            _("The final review covers the whole campaign: choose its last year, %(year)s.")
            % {"year": last},
            code="year",
        )
    if kind == NarrativeKind.INTERIM and year >= last:
        raise ValidationError(
            _("The mid-term review follows a year before the campaign's last year, %(year)s.")
            % {"year": last},
            code="year",
        )


@transaction.atomic
def document_get_or_create(*, campaign: Campaign, kind: str, year: int) -> BoardDocument:
    """The document of `kind` for `year`, made on first use; one mid-term review a campaign."""
    document_year_check(campaign, kind, year)
    document = BoardDocument.objects.filter(campaign=campaign, kind=kind, year=year).first()
    if document is not None:
        return document
    if kind == NarrativeKind.INTERIM:
        other = BoardDocument.objects.filter(campaign=campaign, kind=kind).first()
        if other is not None:
            raise ValidationError(
                _("The mid-term review is already written for %(year)s.") % {"year": other.year},
                code="one_review_per_campaign",
            )
    return BoardDocument.objects.create(campaign=campaign, kind=kind, year=year)


def _locked(campaign: Campaign, kind: str, year: int) -> BoardDocument:
    document = document_get_or_create(campaign=campaign, kind=kind, year=year)
    return BoardDocument.objects.select_for_update().get(pk=document.pk)


@transaction.atomic
def narrative_save(
    *,
    campaign: Campaign,
    kind: str,
    year: int,
    by: User,
    texts: dict[str, str],
    base_version: int,
    note: str = "",
) -> NarrativeVersion | None:
    """Save sections II–V as a new version; None when nothing changed.

    `base_version` is the version the writer started from: a save over someone else's newer
    version is refused, so nobody's text is lost. An issued document no longer changes.
    """
    if kind == NarrativeKind.AWARDS:
        raise ValidationError(_("This document has no text of its own."), code="no_text")
    # Lock first: two Board members saving together must not both take the same number.
    document = _locked(campaign, kind, year)
    if document.registered_number:
        raise ValidationError(
            _("This document was issued as No. %(number)s: it can no longer change.")
            % {"number": document.registered_number},
            code="issued",
        )
    latest = narratives.latest_version(document)
    current = latest.number if latest else 0
    if base_version != current:
        raise ValidationError(
            _(
                "Someone saved a newer version (%(number)s) while you were writing. Your text is "
                "below: compare it with theirs and save again."
            )
            % {"number": current},
            code="stale_version",
        )
    clean = {
        name: (texts.get(name) or "").strip().replace("\r\n", "\n") for name in narratives.SECTIONS
    }
    if latest is not None and all(getattr(latest, n) == clean[n] for n in narratives.SECTIONS):
        return None
    try:
        with transaction.atomic():
            return NarrativeVersion.objects.create(
                document=document, number=current + 1, written_by=by, note=note.strip(), **clean
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("Someone saved this text meanwhile: reload the page."), code="version_taken"
        ) from exc


@transaction.atomic
def narrative_approve(
    *, campaign: Campaign, kind: str, year: int, by: User, version: int
) -> BoardDocument:
    """Approve the latest version: the paper loses its "DỰ THẢO" mark once the year is closed."""
    document = _locked(campaign, kind, year)
    latest = narratives.latest_version(document)
    if latest is None:
        raise ValidationError(_("There is no text to approve yet."), code="no_text")
    if latest.number != version:
        raise ValidationError(
            _("A newer version (%(number)s) was saved: read it before approving.")
            % {"number": latest.number},
            code="stale_version",
        )
    if not narratives.year_closed(campaign=campaign, year=year):
        raise ValidationError(
            _("The year %(year)s is still open: its figures may change. Close it first.")
            % {"year": year},
            code="year_open",
        )
    document.approved_version = latest
    document.approved_by = by
    document.approved_at = timezone.now()
    document.save(update_fields=["approved_version", "approved_by", "approved_at"])
    return document


@transaction.atomic
def award_letter_approve(*, campaign: Campaign, year: int, by: User, key: str) -> BoardDocument:
    """Approve the award letter as its list stands (`key`); a change to the list undoes it."""
    document = _locked(campaign, NarrativeKind.AWARDS, year)
    if not narratives.year_closed(campaign=campaign, year=year):
        raise ValidationError(
            _("The year %(year)s is still open: its figures may change. Close it first.")
            % {"year": year},
            code="year_open",
        )
    document.approved_key = key
    document.approved_version = None
    document.approved_by = by
    document.approved_at = timezone.now()
    document.save(update_fields=["approved_key", "approved_version", "approved_by", "approved_at"])
    return document


@transaction.atomic
def document_issue(
    *, document: BoardDocument, number: str, issued_on: datetime.date, approved: bool
) -> BoardDocument:
    """Record the number and date the clerk registered for the signed paper."""
    document = BoardDocument.objects.select_for_update().get(pk=document.pk)
    if not approved:
        raise ValidationError(
            _("Only an approved document of a closed year can be issued."), code="not_approved"
        )
    number = number.strip()
    if not number:
        raise ValidationError(_("Give the registered number."), code="number_with_date")
    document.registered_number = number
    document.issued_on = issued_on
    document.full_clean(exclude=["campaign", "approved_version", "approved_by"])
    document.save(update_fields=["registered_number", "issued_on"])
    return document


@transaction.atomic
def setup_save(*, kind: str, by: User, data: dict[str, Any]) -> DocumentSetup:
    """Set who issues and who signs documents of `kind`."""
    if kind not in ReportKind.values or kind == ReportKind.UNIT_SHEETS_ZIP:
        raise ValidationError(_("This kind of report does not exist."), code="kind")
    setup = DocumentSetup.objects.select_for_update().filter(kind=kind).first() or DocumentSetup(
        kind=kind
    )
    for name in SETUP_FIELDS:
        setattr(setup, name, (data.get(name) or "").strip())
    setup.updated_by = by
    setup.full_clean()
    setup.save()
    return setup
