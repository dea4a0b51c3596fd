"""Who may read reports. Pages, the API and the e-mail delivery ask the same functions, so a
report never reaches someone the dashboard would have refused."""

from rest_framework.permissions import BasePermission


def _is_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and not user.is_deleted)


def can_read_reports(user) -> bool:
    """Managers and the community owner (accounts.User.can_read_reports). Representatives and
    moderators see single topics all day, but not the community's figures."""
    return _is_member(user) and user.can_read_reports


def can_edit_report_costs(user) -> bool:
    """The ROI inputs are the readers' own estimates: whoever reads the reports maintains them."""
    return can_read_reports(user)


def can_use_reports_api(user) -> bool:
    return can_read_reports(user)


def can_receive_reports(user) -> bool:
    """The scheduled e-mail goes to readers who have an address to send it to."""
    return can_read_reports(user) and bool(user.email)


class CanReadReports(BasePermission):
    """DRF form of can_use_reports_api. DRF answers 401 with a WWW-Authenticate header when no
    valid token came, and 403 when the token belongs to someone who may not read reports."""

    def has_permission(self, request, view) -> bool:
        return can_use_reports_api(request.user)
