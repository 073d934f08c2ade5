"""HTML to PDF with WeasyPrint, and long reports cut into parts that render apart and merge.

WeasyPrint's time and memory grow faster than the page count (WeasyPrint 70 took 29 s and
740 MB for 99 pages of one table; docs/performance.md), so a long annex is rendered as parts of a
few pages each. Annex rows have a fixed height, so every part but the last has exactly
`pages_per_part` pages and each part can be told its first page number before any other part is
rendered; `assemble` checks that promise.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pypdf
from django.template.loader import render_to_string
from weasyprint import HTML

from reports.pdf.fetcher import StaticFilesFetcher, static_root


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def pdf_render(html: str) -> RenderedPdf:
    """Render one HTML document; relative URLs resolve inside `static/` and nowhere else."""
    document = HTML(
        string=html, base_url=static_root().as_uri() + "/", url_fetcher=StaticFilesFetcher()
    ).render()
    return RenderedPdf(content=document.write_pdf(), pages=len(document.pages))


def pdf_merge(parts: Sequence[bytes]) -> bytes:
    """One PDF with the pages of `parts` in order; the first part's metadata is kept."""
    writer = pypdf.PdfWriter()
    for content in parts:
        writer.append(pypdf.PdfReader(io.BytesIO(content)))
    first = pypdf.PdfReader(io.BytesIO(parts[0]))
    if first.metadata:
        writer.add_metadata(dict(first.metadata))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_page_count(content: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


@dataclass(frozen=True)
class Annex:
    """A long table at the end of a report, rendered in parts.

    `template` renders one part from `context` plus `rows`, `first_row` (1-based number of the
    part's first row) and `first_page`; `rows(start, stop)` loads a slice, so a worker rendering
    one part reads only its own rows. Rows must not wrap (fixed height): `rows_per_page` of them
    fill exactly one page.
    """

    template: str
    count: int
    rows: Callable[[int, int], list]
    rows_per_page: int
    pages_per_part: int = 4
    context: dict = field(default_factory=dict)

    @property
    def rows_per_part(self) -> int:
        return self.rows_per_page * self.pages_per_part

    @property
    def part_count(self) -> int:
        return -(-self.count // self.rows_per_part) if self.count else 0

    def part_pages(self, index: int) -> int:
        """Pages that part `index` fills."""
        start = index * self.rows_per_part
        rows = min(self.rows_per_part, self.count - start)
        return -(-rows // self.rows_per_page)

    def first_page(self, index: int, *, main_pages: int) -> int:
        return main_pages + 1 + index * self.pages_per_part

    def part_html(self, index: int, *, first_page: int) -> str:
        start = index * self.rows_per_part
        stop = min(start + self.rows_per_part, self.count)
        return render_to_string(
            self.template,
            {
                **self.context,
                "rows": self.rows(start, stop),
                "first_row": start + 1,
                "first_page": first_page,
            },
        )

    def render_part(self, index: int, *, main_pages: int) -> RenderedPdf:
        rendered = pdf_render(
            self.part_html(index, first_page=self.first_page(index, main_pages=main_pages))
        )
        if rendered.pages != self.part_pages(index):
            # A row wrapped after all: the page numbers of later parts would be wrong.
            raise AnnexLayoutError(
                f"annex part {index} has {rendered.pages} pages, expected {self.part_pages(index)}"
            )
        return rendered


class AnnexLayoutError(RuntimeError):
    """An annex part did not fill the pages its rows promise (a row wrapped or grew)."""


def render_with_annex(main_html: str, annex: Annex | None) -> RenderedPdf:
    """Render a whole report in this process, part after part (commands, eager mode, tests)."""
    main = pdf_render(main_html)
    if annex is None or annex.count == 0:
        return main
    parts = [main.content]
    parts += [annex.render_part(i, main_pages=main.pages).content for i in range(annex.part_count)]
    content = pdf_merge(parts)
    return RenderedPdf(content=content, pages=pdf_page_count(content))
