"""How an audit entry's `changes` ({"field": [before, after], …}) reads on the audit-log page."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AuditEntry

register = template.Library()

FIELD_LABELS = {
    "is_representative": gettext_lazy("Official representative"),
    "is_moderator": gettext_lazy("Moderator"),
    "is_manager": gettext_lazy("Manager"),
    "is_community_owner": gettext_lazy("Community owner"),
    "title": gettext_lazy("Title"),
    "department": gettext_lazy("Department"),
    "name": gettext_lazy("Department name"),
    "position": gettext_lazy("Position in lists"),
    "categories": gettext_lazy("Categories"),
    "members": gettext_lazy("Department members"),
    "roles": gettext_lazy("Roles"),
}


def _readable(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(FIELD_LABELS.get(item, item)) for item in value)
    return str(value)


@register.simple_tag
def audit_changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(label, before, after) for each changed field, in a stable order."""
    order = list(FIELD_LABELS)
    fields = sorted(entry.changes, key=lambda f: order.index(f) if f in order else len(order))
    rows = []
    for field in fields:
        change = entry.changes[field]
        before, after = change if isinstance(change, list) and len(change) == 2 else (None, change)
        rows.append((str(FIELD_LABELS.get(field, field)), _readable(before), _readable(after)))
    return rows
