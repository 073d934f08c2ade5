"""CSV for spreadsheets: one line per row of the page, nested fields as "coverage.reported"."""

import csv
import io
from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

# A cell starting with one of these is a formula to a spreadsheet: quote it so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _flatten(row: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = "; ".join(str(v) for v in value if not isinstance(v, Mapping | list))
        else:
            flat[name] = value
    return flat


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if isinstance(data, Mapping) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        flat = [_flatten(row) for row in rows if isinstance(row, Mapping)]
        header: list[str] = []
        for row in flat:
            header.extend(k for k in row if k not in header)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for row in flat:
            writer.writerow([_cell(row.get(k)) for k in header])
        # A byte-order mark so spreadsheet programs read Vietnamese letters as UTF-8.
        return ("\ufeff" + out.getvalue()).encode("utf-8")
