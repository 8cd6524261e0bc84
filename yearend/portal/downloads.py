"""How the portal hands out a deletion certificate: the PDF opens, the JSON downloads."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse


def certificate_response(path: Path, kind: str) -> FileResponse:
    return FileResponse(
        path.open("rb"),  # FileResponse closes it
        as_attachment=kind == "json",
        filename=path.name,
        content_type="application/pdf" if kind == "pdf" else "application/json",
    )
