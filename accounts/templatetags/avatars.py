"""{% avatar person 96 %}: the member's stored picture, or their initials on a coloured square.
Never a provider's URL: every picture a page loads comes from this site."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.models import User

register = template.Library()

SIZES = (32, 48, 96, 128)
COLOURS = 8


def initials(person: User) -> str:
    words = [word for word in person.name.split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "?"


@register.simple_tag
def avatar(person: User, size: int = 48) -> SafeString:
    size = min(SIZES, key=lambda allowed: abs(allowed - int(size)))
    # Decorative: the name is always printed next to it, so screen readers skip it (alt="").
    if person.avatar and not person.is_deleted:
        # Large pictures head a page (profile, settings) and load at once; small ones in lists
        # wait until they scroll into view.
        return format_html(
            '<img class="avatar avatar-{size}" src="{url}" alt="" width="{size}" '
            'height="{size}" loading="{loading}" decoding="async">',
            size=size,
            url=person.avatar.url,
            loading="eager" if size >= 96 else "lazy",
        )
    return format_html(
        '<span class="avatar avatar-{} avatar-initials avatar-colour-{}" aria-hidden="true">'
        "{}</span>",
        size,
        (person.pk or 0) % COLOURS,
        initials(person),
    )
