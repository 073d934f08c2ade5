"""WeasyPrint reads the portal's own static files and nothing else: no other file, no network."""

import http.server
import threading
from pathlib import Path

import pytest

from reports.pdf import RefusedResource, StaticFilesFetcher, pdf_render, static_root
from tests.pdf_tools import pdf_fonts, pdf_text


@pytest.fixture
def web_server():
    """A local web server that records every request made to it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_the_portals_stylesheet_and_fonts_are_served():
    fetcher = StaticFilesFetcher()
    css = fetcher.fetch((static_root() / "reports" / "pdf.css").as_uri())
    assert b"@font-face" in css.read()
    font = fetcher.fetch((static_root() / "reports/fonts/LiberationSerif-Regular.ttf").as_uri())
    assert font.headers["Content-Type"] == "font/ttf"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        (static_root() / ".." / "manage.py").as_uri(),
        (static_root() / "reports" / "does-not-exist.css").as_uri(),
        "file://attacker.example/share/x.css",
        "https://example.org/x.css",
        "ftp://example.org/x.css",
        "data:text/css,body{color:red}",
    ],
)
def test_everything_else_is_refused(url):
    with pytest.raises(RefusedResource):
        StaticFilesFetcher().fetch(url)


def test_a_symlink_out_of_static_is_refused(tmp_path: Path):
    root = tmp_path / "static"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("database password")
    (root / "innocent.css").symlink_to(secret)

    with pytest.raises(RefusedResource):
        StaticFilesFetcher(root=root).fetch((root / "innocent.css").as_uri())


def test_a_report_that_points_elsewhere_renders_without_reaching_out(web_server):
    url, hits = web_server
    html = f"""<html><head>
      <link rel="stylesheet" href="reports/pdf.css">
      <link rel="stylesheet" href="{url}/evil.css">
      <link rel="stylesheet" href="file:///etc/passwd">
    </head><body>
      <p>Ban Thi đua – Khen thưởng</p>
      <img src="{url}/tracker.png"><img src="file:///etc/hostname">
    </body></html>"""

    pdf = pdf_render(html)

    assert hits == []  # the web server never heard from the renderer
    assert "Ban Thi đua – Khen thưởng" in pdf_text(pdf.content)
    assert "root:" not in pdf_text(pdf.content)
    assert pdf_fonts(pdf.content) == {"Report-Serif"}  # the shipped font, through the fetcher
