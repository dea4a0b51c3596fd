from allauth.socialaccount.adapter import get_adapter
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signin_providers(context) -> list:
    """The configured sign-in providers in the adapter's order (allauth's own tag sorts them by
    name, which would put Google first for a Russian bank's customers)."""
    providers = get_adapter().list_providers(context["request"])
    return [p for p in providers if not p.uses_apps or not p.app.settings.get("hidden")]
