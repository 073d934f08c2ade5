"""The Board's texts of its documents (sections II–V), their versions and approval: reads.

A document is a draft until the Board approves its latest version and its year is closed: an
edit after the approval makes a new version, and the document a draft again.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import models

from campaigns.models import Campaign, PeriodState, ReportingPeriod
from reports.models import BoardDocument, NarrativeKind, NarrativeVersion

SECTIONS = ("shortcomings", "lessons", "directions", "proposals")
CLOSED_STATES = (PeriodState.CLOSED, PeriodState.LOCKED)


@dataclass(frozen=True)
class Section:
    """One of sections II–V as printed: its heading, its text and who last wrote it."""

    field: str
    number: str
    heading: str
    text: str
    written_by: str
    version: int | None


@dataclass(frozen=True)
class NarrativeState:
    """What a document's paper shows of the Board's work on it."""

    document: BoardDocument | None
    latest: NarrativeVersion | None
    sections: list[Section]
    approved: bool
    year_closed: bool

    @property
    def draft(self) -> bool:
        return not (self.approved and self.year_closed)


def year_closed(*, campaign: Campaign, year: int) -> bool:
    """Whether the Board has closed or locked `year` of `campaign`: its figures are final."""
    return ReportingPeriod.objects.filter(
        campaign=campaign, year=year, state__in=CLOSED_STATES
    ).exists()


def board_document(*, campaign: Campaign, kind: str, year: int) -> BoardDocument | None:
    return (
        BoardDocument.objects.filter(campaign=campaign, kind=kind, year=year)
        .select_related("approved_by")
        .first()
    )


def latest_version(document: BoardDocument | None) -> NarrativeVersion | None:
    if document is None or document.pk is None:
        return None
    return document.versions.select_related("written_by").order_by("-number").first()


def section_authors(document: BoardDocument) -> dict[str, NarrativeVersion]:
    """For each section, the version that last changed its text: who wrote what."""
    authors: dict[str, NarrativeVersion] = {}
    previous: dict[str, str] = dict.fromkeys(SECTIONS, "")
    for version in document.versions.select_related("written_by").order_by("number"):
        for name in SECTIONS:
            text = getattr(version, name)
            if text != previous[name]:
                authors[name] = version
                previous[name] = text
    return authors


def section_headings() -> list[tuple[str, str, str]]:
    """(field, number, heading) of sections II–V, in the order printed."""
    fields = {f.name: f for f in NarrativeVersion._meta.get_fields() if f.name in SECTIONS}
    out = []
    for name in SECTIONS:
        label = str(fields[name].verbose_name)  # type: ignore[union-attr]
        number, _dot, heading = label.partition(". ")
        out.append((name, number, heading))
    return out


def narrative_state(*, campaign: Campaign, kind: str, year: int) -> NarrativeState:
    """The latest text of the document with who wrote each section, and whether it is a draft."""
    document = board_document(campaign=campaign, kind=kind, year=year)
    latest = latest_version(document)
    authors = section_authors(document) if document is not None else {}
    sections = []
    for name, number, heading in section_headings():
        author = authors.get(name)
        sections.append(
            Section(
                field=name,
                number=number,
                heading=heading,
                text=getattr(latest, name) if latest else "",
                written_by=(author.written_by.get_full_name() or author.written_by.username)
                if author
                else "",
                version=author.number if author else None,
            )
        )
    approved = bool(
        document is not None
        and latest is not None
        and document.approved_version_id == latest.pk
        and kind != NarrativeKind.AWARDS
    )
    return NarrativeState(
        document=document,
        latest=latest,
        sections=sections,
        approved=approved,
        year_closed=year_closed(campaign=campaign, year=year),
    )


def content_key(content: object) -> str:
    """A fingerprint of what a document without text of its own (the award letter) says."""
    raw = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class DocumentRow:
    """One document on the Board's list: what it is, for which year, and where it stands."""

    kind: str
    label: str
    year: int
    versions: int
    approved: bool
    registered_number: str


def document_rows(*, campaign: Campaign) -> list[DocumentRow]:
    """Every document the Board writes for the campaign: reviews first, then year by year."""
    documents = {
        (d.kind, d.year): d
        for d in BoardDocument.objects.filter(campaign=campaign).annotate(
            version_count=models.Count("versions"), latest_id=models.Max("versions__id")
        )
    }
    labels = dict(NarrativeKind.choices)
    interim = next((d for (k, _y), d in documents.items() if k == NarrativeKind.INTERIM), None)
    wanted: list[tuple[str, int]] = []
    if interim is not None:
        wanted.append((NarrativeKind.INTERIM, interim.year))
    wanted.append((NarrativeKind.FINAL, campaign.last_year))
    for year in range(campaign.last_year, campaign.first_year - 1, -1):
        wanted += [(NarrativeKind.PROVINCE, year), (NarrativeKind.AWARDS, year)]
    rows = []
    for kind, year in wanted:
        document = documents.get((kind, year))
        rows.append(
            DocumentRow(
                kind=kind,
                label=str(labels[kind]),
                year=year,
                versions=document.version_count if document else 0,
                approved=bool(
                    document
                    and document.approved_at
                    and (
                        kind == NarrativeKind.AWARDS
                        or document.approved_version_id == document.latest_id
                    )
                ),
                registered_number=document.registered_number if document else "",
            )
        )
    return rows
