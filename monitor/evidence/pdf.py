"""report.pdf: report.html printed by headless Chromium (Debian package `chromium`), offline: the
report has no external resources and its own CSP forbids fetching any."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 120


def find_browser() -> str | None:
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def html_to_pdf(html: bytes) -> tuple[bytes | None, str | None]:
    """(the PDF, None) or (None, why not)."""
    browser = find_browser()
    if browser is None:
        return None, "no Chromium found (install the Debian package chromium)"
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        source.write_bytes(html)
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return None, f"Chromium did not finish printing within {TIMEOUT_S} s"
        if not target.exists() or target.stat().st_size == 0:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            return None, f"Chromium printed no PDF (exit {proc.returncode}: {detail[0][:200]})"
        return target.read_bytes(), None
