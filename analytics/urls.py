from django.urls import path, re_path

from analytics import views

app_name = "analytics"

# A report has a page (…/2026-10/) and two files beside it (…/2026-10.csv, …/2026-10.pdf).
MONTH = r"month/(?P<year>\d{4})-(?P<month>\d{2})"
WEEK = r"week/(?P<year>\d{4})-W(?P<week>\d{2})"
RANGE = r"range/(?P<start>\d{4}-\d{2}-\d{2})--(?P<end>\d{4}-\d{2}-\d{2})"
FILE = r"(?P<fmt>\.csv|\.pdf)$"

urlpatterns = [
    path("", views.report_dashboard, name="dashboard"),
    path("definitions/", views.report_definitions, name="definitions"),
    path("costs/", views.report_costs, name="costs"),
    path("api-token/", views.report_api_token, name="api-token"),
    re_path(rf"^{MONTH}/$", views.report_month, name="report-month"),
    re_path(rf"^{MONTH}{FILE}", views.report_month, name="report-month-file"),
    re_path(rf"^{WEEK}/$", views.report_week, name="report-week"),
    re_path(rf"^{WEEK}{FILE}", views.report_week, name="report-week-file"),
    re_path(rf"^{RANGE}/$", views.report_range, name="report-range"),
    re_path(rf"^{RANGE}{FILE}", views.report_range, name="report-range-file"),
]
