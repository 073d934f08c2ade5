"""What WeasyPrint may read while rendering a report: the portal's own static files only."""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)


class RefusedResource(ValueError):
    """A report asked for something other than one of the portal's static files."""


def static_root() -> Path:
    """The folder report templates load their stylesheet, fonts and images from."""
    return (Path(settings.BASE_DIR) / "static").resolve()


class StaticFilesFetcher(URLFetcher):
    """Serve `file:` URLs inside `static/`; refuse every other path and every other scheme.

    WeasyPrint's default fetcher would read any local file and follow any http(s) URL, so a
    template slip or a crafted value could leak server files into a PDF or reach the network.
    """

    def __init__(self, root: Path | None = None) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=False)
        self.root = (root or static_root()).resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise self._refuse(url)
        # resolve() follows symlinks and "..": the real file must still lie under the root.
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise self._refuse(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def _refuse(self, url: str) -> RefusedResource:
        logger.warning("PDF rendering refused to load %s", url[:200])
        return RefusedResource(f"refused: {url[:200]}")
