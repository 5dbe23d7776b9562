"""A case and its recommendations as a PDF, to keep or print (QTextDocument onto a QPdfWriter).

Only cases that passed the guard are exported (see `wording.EXPORTABLE`). Every value is
escaped: case text is never read as markup.
"""

from __future__ import annotations

import html
import logging
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from echo_desktop.cases.model import Case, CaseForm
from echo_desktop.ui.cases.wording import session_time, status_words

logger = logging.getLogger(__name__)

PDF_RESOLUTION = 300


def _paragraphs(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.strip().splitlines()) or "—"


def case_html(case: Case, form: CaseForm, local: tzinfo, program_name: str = "") -> str:
    """The case as simple HTML: heading, where it stands, each field, then the recommendations."""
    parts = [f"<h1>{html.escape(case.title(form))}</h1>"]
    facts = []
    if program_name:
        facts.append(f"<b>Program:</b> {html.escape(program_name)}")
    if case.presenter:
        facts.append(f"<b>Presenter:</b> {html.escape(case.presenter)}")
    facts.append(f"<b>Status:</b> {html.escape(status_words(case, local).label)}")
    if case.session is not None:
        facts.append(f"<b>Session:</b> {html.escape(session_time(case.session.start, local))}")
    facts.append(f"<b>Case ID:</b> {html.escape(case.client_id)}")
    parts.append("<p>" + "<br>".join(facts) + "</p>")
    parts.append("<h2>Recommendations</h2>")
    parts.append(
        f"<p>{_paragraphs(case.recommendations)}</p>"
        if case.recommendations.strip()
        else "<p><i>No written recommendations yet.</i></p>"
    )
    parts.append("<h2>The case</h2>")
    for form_field in form.fields:
        value = case.values.get(form_field.key, "")
        parts.append(f"<h3>{html.escape(form_field.label)}</h3><p>{_paragraphs(value)}</p>")
    known = {f.key for f in form.fields}
    for key, value in case.values.items():  # a field the form no longer has is still the case's
        if key not in known and value.strip():
            parts.append(f"<h3>{html.escape(key)}</h3><p>{_paragraphs(value)}</p>")
    parts.append(
        "<p style='color:#4A5866'><small>Exported from ECHO Desktop. De-identified case "
        "text: share it only within the program.</small></p>"
    )
    return "<html><body>" + "".join(parts) + "</body></html>"


def write_case_pdf(case: Case, form: CaseForm, path: Path, local: tzinfo, program_name: str = "") -> None:
    """Write the case as an A4 PDF at `path`; raises OSError when the file cannot be written."""
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_RESOLUTION)
    writer.setTitle(case.title(form))
    writer.setCreator("ECHO Desktop")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF(18, 18, 18, 18)
        )
    )
    document = QTextDocument()
    document.setHtml(case_html(case, form, local, program_name))
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    document.print_(writer)
    del writer  # the file is finished when the writer goes
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"the PDF could not be written to {path.name}")
    logger.info("Exported a case as %s", path.name)
