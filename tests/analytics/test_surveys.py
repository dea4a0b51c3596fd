"""CSAT and NPS: who is asked, once, and the pages with and without JavaScript."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from analytics import surveys
from analytics.models import SurveyKind, SurveyResponse
from community import services
from tests.conftest import make_reply, make_topic
from tests.pages import HTMX, html_of


@pytest.fixture
def answered(question, representative):
    reply = make_reply(question, author=representative)
    services.answer_mark_official(reply=reply, actor=representative)
    question.refresh_from_db()
    return question


# CSAT


def test_csat_is_offered_only_to_the_author_of_an_answered_topic(
    answered, question, customer, other_customer, representative
):
    assert surveys.csat_is_offered(customer, answered)
    assert not surveys.csat_is_offered(other_customer, answered)
    assert not surveys.csat_is_offered(representative, answered)
    unanswered = make_topic(author=customer)
    assert not surveys.csat_is_offered(customer, unanswered)


def test_a_representatives_own_topic_offers_no_rating(representative, other_customer):
    own = make_topic(author=representative)
    services.topic_status_set(topic=own, actor=representative, status="answered")
    assert not surveys.csat_is_offered(representative, own)


def test_one_csat_answer_per_topic(answered, customer):
    response = surveys.csat_answer(user=customer, topic=answered, score=4, comment="Спасибо")
    assert (response.score, response.kind, response.answered_at is not None) == (4, "csat", True)
    with pytest.raises(PermissionDenied):
        surveys.csat_answer(user=customer, topic=answered, score=5)
    assert not surveys.csat_is_offered(customer, answered)


def test_dismissing_the_rating_closes_it(answered, customer):
    surveys.csat_dismiss(user=customer, topic=answered)
    assert not surveys.csat_is_offered(customer, answered)
    with pytest.raises(PermissionDenied):
        surveys.csat_answer(user=customer, topic=answered, score=5)


def test_scores_outside_the_scale_are_refused(answered, customer):
    for score in [0, 6, "пять", None]:
        with pytest.raises(ValidationError):
            surveys.csat_answer(user=customer, topic=answered, score=score)
    assert not SurveyResponse.objects.exists()


def test_card_numbers_in_the_comment_are_masked(answered, customer):
    response = surveys.csat_answer(
        user=customer, topic=answered, score=2, comment="Карта 4111 1111 1111 1111 не работает"
    )
    assert "4111 1111 1111 1111" not in response.comment


def test_the_topic_page_shows_the_rating_form_to_its_author_only(
    answered, customer_client, other_customer_client
):
    url = answered.get_absolute_url()
    page = html_of(customer_client.get(url))
    assert 'id="survey-csat"' in page
    assert f'action="/surveys/csat/{answered.pk}/"' in page
    assert "<legend>" in page and 'type="radio"' in page
    assert 'id="survey-csat"' not in html_of(other_customer_client.get(url))
    assert 'id="survey-csat"' not in html_of(Client().get(url))


def test_rating_without_javascript_goes_back_to_the_topic(answered, customer_client, customer):
    url = f"/surveys/csat/{answered.pk}/"
    response = customer_client.post(
        url, {"csat-score": "5", "csat-comment": "Быстро", "next": answered.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == answered.get_absolute_url()
    assert SurveyResponse.objects.get().score == 5
    assert 'id="survey-csat"' not in html_of(customer_client.get(answered.get_absolute_url()))


def test_rating_with_htmx_replaces_the_box_with_thanks(answered, customer_client):
    response = customer_client.post(f"/surveys/csat/{answered.pk}/", {"csat-score": "3"}, **HTMX)
    assert response.status_code == 200
    assert 'role="status"' in html_of(response)
    assert SurveyResponse.objects.get().score == 3


def test_a_rating_without_a_score_shows_the_error_and_keeps_the_comment(answered, customer_client):
    response = customer_client.post(
        f"/surveys/csat/{answered.pk}/", {"csat-comment": "Мой комментарий"}
    )
    page = html_of(response)
    assert response.status_code == 200
    assert "Мой комментарий" in page
    assert 'class="errorlist"' in page
    assert not SurveyResponse.objects.exists()


def test_someone_else_cannot_rate_the_answer(answered, other_customer_client):
    response = other_customer_client.post(f"/surveys/csat/{answered.pk}/", {"csat-score": "1"})
    assert response.status_code == 403
    assert not SurveyResponse.objects.exists()


def test_survey_posts_need_a_signed_in_user_and_csrf(answered, customer):
    assert Client().post(f"/surveys/csat/{answered.pk}/", {"csat-score": "5"}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(customer)
    assert strict.post(f"/surveys/csat/{answered.pk}/", {"csat-score": "5"}).status_code == 403
    assert not SurveyResponse.objects.exists()


def test_survey_answers_are_rate_limited(customer_client, settings):
    settings.RATE_LIMIT_SURVEY = "2/m"
    for _ in range(2):
        customer_client.post("/surveys/nps/", {"nps-score": "9"})
    response = customer_client.post("/surveys/nps/", {"nps-score": "9"})
    assert response.status_code == 200
    assert 'class="form-errors"' in html_of(response)


# NPS


def test_nps_is_asked_at_most_once_per_90_days(customer):
    now = timezone.now()
    first = surveys.nps_invitation(customer, at=now)
    assert first is not None
    # Still offered on the next pages for a few days, as the same invitation.
    assert surveys.nps_invitation(customer, at=now + timedelta(days=1)) == first
    # Ignored: closed after the prompt days, and not asked again before 90 days.
    assert surveys.nps_invitation(customer, at=now + timedelta(days=4)) is None
    assert surveys.nps_invitation(customer, at=now + timedelta(days=89)) is None
    second = surveys.nps_invitation(customer, at=now + timedelta(days=90))
    assert second is not None and second != first


def test_answering_or_dismissing_nps_counts_as_asked(customer, other_customer):
    now = timezone.now()
    surveys.nps_invitation(customer, at=now)
    surveys.nps_answer(user=customer, score=9, at=now)
    assert surveys.nps_invitation(customer, at=now + timedelta(hours=1)) is None
    with pytest.raises(PermissionDenied):
        surveys.nps_answer(user=customer, score=10, at=now + timedelta(hours=1))

    surveys.nps_invitation(other_customer, at=now)
    surveys.nps_dismiss(user=other_customer, at=now)
    assert surveys.nps_invitation(other_customer, at=now + timedelta(days=30)) is None
    assert SurveyResponse.objects.filter(kind=SurveyKind.NPS).count() == 2


def test_nps_is_not_for_staff_or_anonymous_visitors(representative, manager, moderator):
    from django.contrib.auth.models import AnonymousUser

    for user in [representative, manager, moderator, AnonymousUser()]:
        assert surveys.nps_invitation(user) is None
    with pytest.raises(PermissionDenied):
        surveys.nps_answer(user=representative, score=10)


def test_nps_cannot_be_answered_without_being_asked(customer):
    with pytest.raises(PermissionDenied):
        surveys.nps_answer(user=customer, score=10)


def test_the_nps_prompt_appears_on_pages_and_costs_no_query_once_answered(
    customer_client, customer, settings, django_assert_num_queries
):
    settings.ANALYTICS_NPS_PROMPT = True
    page = html_of(customer_client.get("/"))
    assert 'id="survey-nps"' in page
    response = customer_client.post("/surveys/nps/", {"nps-score": "10", "next": "/"})
    assert response.status_code == 302
    assert SurveyResponse.objects.get().score == 10
    assert 'id="survey-nps"' not in html_of(customer_client.get("/"))
    # Quiet customers are remembered in the cache: the home page reads as many rows as with
    # the prompt switched off.
    settings.ANALYTICS_NPS_PROMPT = False
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as off:
        customer_client.get("/")
    settings.ANALYTICS_NPS_PROMPT = True
    with django_assert_num_queries(len(off)):
        customer_client.get("/")


def test_dismissing_nps_with_htmx(customer_client, customer, settings):
    settings.ANALYTICS_NPS_PROMPT = True
    customer_client.get("/")
    response = customer_client.post("/surveys/nps/dismiss/", **HTMX)
    assert response.status_code == 200
    assert SurveyResponse.objects.get().dismissed_at is not None
    assert 'id="survey-nps"' not in html_of(customer_client.get("/"))
