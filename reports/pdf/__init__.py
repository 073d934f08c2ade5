"""PDF rendering: a locked-down fetcher, WeasyPrint, and long annexes rendered in parts."""

from reports.pdf.fetcher import RefusedResource, StaticFilesFetcher, static_root
from reports.pdf.render import (
    Annex,
    AnnexLayoutError,
    RenderedPdf,
    pdf_merge,
    pdf_page_count,
    pdf_render,
    render_with_annex,
)

__all__ = [
    "Annex",
    "AnnexLayoutError",
    "RefusedResource",
    "RenderedPdf",
    "StaticFilesFetcher",
    "pdf_merge",
    "pdf_page_count",
    "pdf_render",
    "render_with_annex",
    "static_root",
]
