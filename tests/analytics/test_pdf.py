"""The PDF export: a real PDF whose text layer holds the report in Cyrillic."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from analytics.forms import PeriodKind, SelectedPeriod
from analytics.metrics import Period
from analytics.models import ReportCosts
from analytics.pdf import report_pdf
from analytics.reporting import report_for
from tests.analytics import reports_helpers
from tests.analytics.reports_helpers import answered_question, moscow, roll
from tests.conftest import _client_for

fake_metrics = reports_helpers.fake_metrics


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_download_is_a_pdf_with_the_report_in_its_text(manager_client, fake_metrics):
    response = manager_client.get("/reports/month/2026-10.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report-2026-10.pdf"'
    assert response.content.startswith(b"%PDF-")
    text = _text(response.content)
    # Cyrillic survives: the labels (Russian in the fake figures) and the community's name.
    assert "Метрика answered_rate" in text
    assert "Банк Вместе" in text
    assert "75" in text


def test_the_pdf_of_real_figures_carries_labels_values_and_roi_inputs(
    db, customer, representative, manager
):
    answered_question(
        author=customer, representative=representative, asked=moscow(2026, 10, 2), hours=4
    )
    roll(date(2026, 9, 1), date(2026, 10, 31))
    ReportCosts.objects.create(
        call=Decimal("350"),
        email=Decimal("120"),
        monthly=Decimal("150000"),
        updated_at=moscow(2026, 10, 1),
        updated_by=manager,
    )

    with translation.override("en"):
        report = report_for(SelectedPeriod(PeriodKind.MONTH, Period.month(2026, 10)))
        text = _text(report_pdf(report, at=moscow(2026, 11, 1)))

    text = " ".join(text.split())  # labels may wrap inside their table cell
    assert "Community report: October 2026" in text
    assert "Answered rate" in text
    assert "Time to first official response, median" in text
    assert "4 h" in text
    assert "150,000 ₽" in text
    assert "1 November 2026" in text


def test_the_pdf_has_every_page_numbered(db, fake_metrics):
    fake_metrics.default = fake_metrics.default * 40  # long enough for several pages

    report = report_for(SelectedPeriod(PeriodKind.WEEK, Period.week(date(2026, 10, 21))))
    reader = PdfReader(io.BytesIO(report_pdf(report)))

    assert len(reader.pages) > 1
    assert "Метрика topics_created" in reader.pages[0].extract_text()
    for number, page in enumerate(reader.pages, start=1):
        assert str(number) in page.extract_text().split("\n")
