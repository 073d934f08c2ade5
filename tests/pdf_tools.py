"""Reading PDFs in tests with poppler's tools, as a person would: text, fonts, pages, pictures."""
# ruff: noqa: S603, S607 - fixed poppler tools on files this module writes, no user input

import re
import subprocess
import tempfile
from pathlib import Path


def _run(args: list[str], content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        return subprocess.run(
            [*args, file.name, *([] if args[0] == "pdffonts" else ["-"])],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def pdf_text(content: bytes, *, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text in reading order, with runs of white space collapsed to one space."""
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return re.sub(r"\s+", " ", _run(["pdftotext", "-enc", "UTF-8", *pages], content))


def pdf_page_texts(content: bytes) -> list[str]:
    """The text of each page (pdftotext separates pages with form feeds)."""
    raw = _run(["pdftotext", "-enc", "UTF-8", "-layout"], content)
    return [re.sub(r"\s+", " ", page) for page in raw.split("\f")[:-1]]


def pdf_fonts(content: bytes) -> set[str]:
    """Embedded font names without their subset prefix, e.g. {"Report-Serif-Bold"}."""
    lines = _run(["pdffonts"], content).splitlines()[2:]
    return {line.split()[0].split("+", 1)[-1] for line in lines if line.strip()}


def pdf_page_size_mm(content: bytes) -> tuple[float, float]:
    """Width and height of the first page in millimetres."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(content)
        file.flush()
        info = subprocess.run(
            ["pdfinfo", file.name], check=True, capture_output=True, text=True
        ).stdout
    width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    return round(float(width) * 25.4 / 72, 1), round(float(height) * 25.4 / 72, 1)


def pdf_to_png(content: bytes, folder: Path, *, prefix: str = "page", dpi: int = 60) -> list[Path]:
    """Each page as a PNG picture, for a person (or a test) to look at."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{prefix}.pdf"
    source.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(source), str(folder / prefix)], check=True
    )
    return sorted(folder.glob(f"{prefix}-*.png"))
