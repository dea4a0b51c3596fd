"""Tags for the pieces every list row repeats. As Python they cost a fraction of an {% include %},
and a list page renders them dozens of times."""

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import Topic

register = template.Library()


@register.simple_tag
def user_badge(person: User) -> SafeString:
    """The author's name with the badges the bank gives: community creator, representative,
    moderator. The manager role is not shown: it only means reading reports, and customers have
    nothing to expect from it. A deleted member is a plain "Deleted user", with no link."""
    if person.is_deleted:
        return format_html('<span class="author author-deleted">{}</span>', person.name)
    html = format_html(
        '<a href="{}" class="author-name">{}</a>',
        reverse("community:user-profile", args=[person.username]),
        person.name,
    )
    if person.is_community_owner:
        html += format_html(' <span class="badge badge-owner">{}</span>', _("Community creator"))
    if person.is_representative:
        label = _("Official representative")
        if person.title:
            label = f"{label} · {person.title}"
        html += format_html(' <span class="badge badge-official">{}</span>', label)
    if person.is_moderator:
        # Public on purpose: customers should know who may hide or lock their topics.
        html += format_html(' <span class="badge badge-moderator">{}</span>', _("Moderator"))
    return format_html('<span class="author">{}</span>', html)


@register.simple_tag
def status_badge(topic: Topic) -> SafeString:
    return format_html('<span class="status status-{}">{}</span>', topic.status, topic.status_label)


@register.simple_tag
def select_options(field: BoundField) -> SafeString:
    """The <option>s of a choice field, with the current value selected. Django renders each
    option through a template of its own, which on a list page costs more than the rows."""
    current = "" if field.value() is None else str(field.value())
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == current else "", label)
            for value, label in field.field.choices
        ),
    )
