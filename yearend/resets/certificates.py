"""The deletion certificate: counts and times, never student personal data, signed."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import uuid
from pathlib import Path

from django.conf import settings


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def sign(payload: dict) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), _canonical(payload), hashlib.sha256).hexdigest()


def signature_valid(certificate: dict) -> bool:
    body = {k: v for k, v in certificate.items() if k != "signature"}
    return hmac.compare_digest(sign(body), certificate.get("signature", ""))


def certificate_folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _atomic_write(path: Path, data: bytes) -> None:
    # Written aside then renamed: a worker killed half-way leaves no torn certificate.
    temporary = path.with_suffix(f"{path.suffix}.{uuid.uuid4().hex}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def write_certificate(certificate: dict, stem: str) -> tuple[str, str]:
    folder = certificate_folder()
    json_path = folder / f"{stem}.json"
    pdf_path = folder / f"{stem}.pdf"
    _atomic_write(json_path, json.dumps(certificate, indent=2, sort_keys=True).encode())
    _atomic_write(pdf_path, _pdf(certificate))
    return str(json_path), str(pdf_path)


def _pdf(certificate: dict) -> bytes:
    from io import BytesIO

    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=1)
    pdf.setTitle("Deletion certificate")
    y = 740
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, y, "Student data deletion certificate")
    pdf.setFont("Helvetica", 10)
    y -= 30
    lines = [
        f"Organization: {certificate['organization']['name']} "
        f"({certificate['organization']['site_code']})",
        f"Reset cycle: {certificate['cycle']}    Run: {certificate['run_id']}",
        f"Started: {certificate['started_at']}",
        f"Ended: {certificate['ended_at']}",
        f"Verification: {'passed' if certificate['verification']['ok'] else 'FAILED'}",
        "",
        "Deleted (rows per category):",
    ]
    lines += [f"    {name}: {count:,}" for name, count in certificate["deleted"].items()]
    lines += ["", "Retained:"]
    lines += [f"    {name}: {count:,}" for name, count in certificate["retained"].items()]
    archive = certificate.get("year_end_archive")
    if archive:
        lines += [
            "",
            f"Year-end archive: {archive['rows']:,} rows frozen before deletion, kept "
            f"{archive['retention_days']} days, destroyed automatically after "
            f"{archive['expires_at']}.",
        ]
    lines += ["", "HMAC-SHA256 signature:", certificate["signature"]]
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 15
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
