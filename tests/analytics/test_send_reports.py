"""manage.py send_reports: the previous complete week or month, e-mailed once per period to
everyone who reads reports and has an address, with the CSV and PDF attached."""

from datetime import date
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from analytics.forms import PeriodKind
from analytics.models import ReportDelivery
from analytics.reporting import last_complete
from tests.analytics.reports_helpers import answered_question, moscow, roll
from tests.conftest import make_user


def _send(*args: str) -> str:
    out = StringIO()
    call_command("send_reports", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def readers(db, department):
    """Who may and who may not get the report."""
    return {
        "manager": make_user(is_manager=True, email="manager@bank.example"),
        "owner": make_user(
            is_community_owner=True,
            is_representative=True,
            email="owner@bank.example",
            language="en",
        ),
        # Not these: no address, no longer at the bank, or no right to read reports.
        "no_email": make_user(is_manager=True, email=""),
        "inactive": make_user(is_manager=True, email="gone@bank.example", is_active=False),
        "representative": make_user(is_representative=True, email="rep@bank.example"),
        "moderator": make_user(is_moderator=True, email="mod@bank.example"),
        "customer": make_user(email="ivan@mail.example"),
    }


@pytest.fixture
def october(customer, representative):
    answered_question(
        author=customer, representative=representative, asked=moscow(2026, 10, 5), hours=2
    )
    roll(date(2026, 9, 1), date(2026, 10, 31))


def test_the_monthly_report_goes_to_managers_and_the_owner(readers, october):
    output = _send("--period", "month", "--date", "2026-11-01")

    assert sorted(message.to[0] for message in mail.outbox) == [
        "manager@bank.example",
        "owner@bank.example",
    ]
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees the others
    delivery = ReportDelivery.objects.get()
    assert (delivery.period_kind, delivery.period_start, delivery.recipient_count) == (
        "month",
        date(2026, 10, 1),
        2,
    )
    assert "2026-10: sent to 2 recipient(s)." in output


def test_the_e_mail_has_text_html_and_both_files(readers, october):
    _send("--period", "month", "--date", "2026-11-03", "--site-url", "https://vmeste.bank.example")

    message = next(m for m in mail.outbox if m.to == ["owner@bank.example"])
    # The owner reads English: the e-mail follows each reader's language.
    assert "October 2026" in message.subject
    assert "https://vmeste.bank.example/reports/month/2026-10/" in message.body
    assert "Answered rate: 100 %" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://vmeste.bank.example/reports/month/2026-10/"' in html
    names = [(name, mimetype) for name, _content, mimetype in message.attachments]
    assert names == [("report-2026-10.csv", "text/csv"), ("report-2026-10.pdf", "application/pdf")]
    csv_text = message.attachments[0][1]
    assert "answered_rate,Answered rate,100.0,1,1,percent,2026-10-01/2026-10-31" in csv_text
    assert message.attachments[1][1].startswith(b"%PDF-")


def test_a_russian_reader_gets_russian_files(readers, october):
    _send("--period", "month", "--date", "2026-11-03")

    message = next(m for m in mail.outbox if m.to == ["manager@bank.example"])
    assert "Октябрь 2026" in message.subject
    assert message.attachments[0][1].startswith("\ufeffkey;label;value")


def test_a_period_is_sent_once(readers, october):
    _send("--period", "month", "--date", "2026-11-01")
    mail.outbox.clear()

    output = _send("--period", "month", "--date", "2026-11-20")

    assert mail.outbox == []
    assert ReportDelivery.objects.count() == 1
    assert "2026-10: already sent on" in output


def test_weeks_and_months_are_separate_deliveries(readers, october):
    _send("--period", "month", "--date", "2026-11-02")
    _send("--period", "week", "--date", "2026-11-02")

    assert sorted(ReportDelivery.objects.values_list("period_kind", "period_start")) == [
        ("month", date(2026, 10, 1)),
        ("week", date(2026, 10, 26)),
    ]
    assert len(mail.outbox) == 4


def test_a_failed_send_records_nothing_so_the_next_run_retries(readers, october):
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=ConnectionRefusedError,
        ),
        pytest.raises(ConnectionRefusedError),
    ):
        _send("--period", "week", "--date", "2026-11-02")

    assert ReportDelivery.objects.count() == 0
    _send("--period", "week", "--date", "2026-11-02")
    assert len(mail.outbox) == 2


def test_with_nobody_to_send_to_nothing_is_recorded(db, october):
    make_user(is_manager=True, email="")

    output = _send("--period", "month", "--date", "2026-11-01")

    assert mail.outbox == []
    assert ReportDelivery.objects.count() == 0
    assert "nobody to send to" in output


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError):
        _send("--period", "month", "--date", "1 ноября")


@pytest.mark.parametrize(
    ("kind", "today", "start", "end"),
    [
        (PeriodKind.MONTH, date(2026, 11, 1), date(2026, 10, 1), date(2026, 10, 31)),
        (PeriodKind.MONTH, date(2026, 1, 15), date(2025, 12, 1), date(2025, 12, 31)),
        (PeriodKind.WEEK, date(2026, 11, 2), date(2026, 10, 26), date(2026, 11, 1)),  # Monday
        (PeriodKind.WEEK, date(2026, 11, 8), date(2026, 10, 26), date(2026, 11, 1)),  # Sunday
    ],
)
def test_the_last_complete_period_ends_before_today(kind, today, start, end):
    selected = last_complete(kind, today)

    assert (selected.start, selected.end) == (start, end)
