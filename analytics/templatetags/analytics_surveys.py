"""The survey prompts, loaded by templates so no app imports analytics: `{% csat_prompt topic %}`
on the topic page and `{% nps_prompt %}` in base.html."""

from django import template
from django.conf import settings
from django.template.loader import render_to_string

from analytics import surveys
from analytics.models import SurveyKind
from analytics.survey_forms import SurveyForm

register = template.Library()


@register.simple_tag(takes_context=True)
def csat_prompt(context, topic) -> str:
    request = context.get("request")
    if request is None:
        return ""
    # The topic page already read the official and accepted answers: no second query.
    has_answer = bool(context.get("official_answer") or context.get("accepted_answer"))
    if not surveys.csat_is_offered(request.user, topic, has_answer=has_answer):
        return ""
    return render_to_string(
        "analytics/partials/survey_csat.html",
        {"topic": topic, "form": SurveyForm(kind=SurveyKind.CSAT), "next": request.path},
        request=request,
    )


@register.simple_tag(takes_context=True)
def nps_prompt(context) -> str:
    request = context.get("request")
    if request is None or not settings.ANALYTICS_NPS_PROMPT:
        return ""
    # Error pages and the survey's own form page do not ask.
    if context.get("survey_page") or getattr(request, "resolver_match", None) is None:
        return ""
    if surveys.nps_invitation(request.user) is None:
        return ""
    return render_to_string(
        "analytics/partials/survey_nps.html",
        {"form": SurveyForm(kind=SurveyKind.NPS), "next": request.get_full_path()},
        request=request,
    )
