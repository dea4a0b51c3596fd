"""Answering and dismissing the CSAT and NPS surveys. Each view: POST only, signed in, rate
limited; the service re-checks that the survey is offered to this user. With htmx the survey box
is replaced by a thank-you; without JavaScript the browser goes back to the page it came from,
or sees the form again with its errors and the comment it typed."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from analytics import surveys
from analytics.models import SurveyKind
from analytics.survey_forms import SurveyForm
from community.htmx import is_htmx
from community.models import Topic
from community.redirects import same_site_url


def _rate(group, request) -> str:
    return settings.RATE_LIMIT_SURVEY


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    return redirect(same_site_url(request, request.POST.get("next", "")) or fallback)


def _get_topic(pk: int) -> Topic:
    # Hidden topics offer no survey: the service refuses them with a 403.
    return get_object_or_404(Topic, pk=pk)


def _answer(request: HttpRequest, form: SurveyForm, record, *, fallback: str, ctx: dict):
    if getattr(request, "limited", False):
        form.add_error(None, _("You are sending too often. Please wait a few minutes."))
    elif form.is_valid():
        try:
            record(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if is_htmx(request):
                return render(request, "analytics/partials/survey_thanks.html", ctx)
            messages.success(request, _("Thank you for your answer!"))
            return _back(request, fallback)
    # survey_page: the page must not show the NPS prompt a second time (analytics_surveys).
    ctx = {**ctx, "form": form, "next": request.POST.get("next", fallback), "survey_page": True}
    if is_htmx(request):
        return render(request, f"analytics/partials/survey_{form.kind}.html", ctx)
    return render(request, "analytics/survey_form_page.html", ctx)


def _dismissed(request: HttpRequest, *, fallback: str) -> HttpResponse:
    if is_htmx(request):
        return render(request, "analytics/partials/survey_dismissed.html")
    return _back(request, fallback)


@require_POST
@login_required
@ratelimit(key="user", rate=_rate, method="POST", block=False)
def csat_answer(request: HttpRequest, topic_pk: int) -> HttpResponse:
    topic = _get_topic(topic_pk)
    form = SurveyForm(request.POST, kind=SurveyKind.CSAT)

    def record(*, score: int, comment: str) -> None:
        surveys.csat_answer(user=request.user, topic=topic, score=score, comment=comment)

    return _answer(request, form, record, fallback=topic.get_absolute_url(), ctx={"topic": topic})


@require_POST
@login_required
@ratelimit(key="user", rate=_rate, method="POST", block=True)
def csat_dismiss(request: HttpRequest, topic_pk: int) -> HttpResponse:
    topic = _get_topic(topic_pk)
    surveys.csat_dismiss(user=request.user, topic=topic)
    return _dismissed(request, fallback=topic.get_absolute_url())


@require_POST
@login_required
@ratelimit(key="user", rate=_rate, method="POST", block=False)
def nps_answer(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST, kind=SurveyKind.NPS)

    def record(*, score: int, comment: str) -> None:
        surveys.nps_answer(user=request.user, score=score, comment=comment)

    return _answer(request, form, record, fallback="/", ctx={})


@require_POST
@login_required
@ratelimit(key="user", rate=_rate, method="POST", block=True)
def nps_dismiss(request: HttpRequest) -> HttpResponse:
    surveys.nps_dismiss(user=request.user)
    return _dismissed(request, fallback="/")
