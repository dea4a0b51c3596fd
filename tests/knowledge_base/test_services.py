"""Knowledge-base services: rights, four-eyes publication, promotion from a thread, one vote per
visitor with exact counters, and views counted in SQL."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from community import services as community_services
from community.models import TopicKind
from community.sensitive import CARD, LABELS
from knowledge_base import services
from knowledge_base.models import Article, ArticleFeedback, ArticleStatus, Section
from tests.conftest import make_category, make_reply, make_topic, make_user
from tests.knowledge_base.conftest import NOW, make_article, make_section

# Writing -------------------------------------------------------------------------------------


def test_representative_creates_a_draft_with_rendered_text_and_a_latin_slug(
    representative, section
):
    article = services.article_create(
        author=representative,
        title="  Как перевыпустить карту?  ",
        body="Закажите **новую** карту.<script>alert(1)</script>",
        section=section,
        at=NOW,
    )

    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    assert article.title == "Как перевыпустить карту?"
    assert article.slug == "kak-perevypustit-kartu"
    assert "<strong>новую</strong>" in article.body_html
    assert "<script" not in article.body_html
    assert (article.author, article.reviewer) == (representative, None)
    assert article.created_at == article.updated_at == NOW
    assert article.published_at is None


@pytest.mark.parametrize("persona", ["customer", "moderator", "manager"])
def test_only_representatives_write_articles(request, persona, section):
    with pytest.raises(PermissionDenied):
        services.article_create(
            author=request.getfixturevalue(persona), title="Статья", body="Текст", section=section
        )
    assert not Article.objects.exists()


def test_inactive_representative_cannot_write(section):
    former = make_user(is_representative=True, is_active=False)

    with pytest.raises(PermissionDenied):
        services.article_create(author=former, title="Статья", body="Текст", section=section)


@pytest.mark.parametrize("field", ["title", "body"])
def test_empty_title_or_body_is_refused_naming_the_field(representative, section, field):
    values = {"title": "Заголовок", "body": "Текст", field: "   "}

    with pytest.raises(ValidationError) as error:
        services.article_create(author=representative, section=section, **values)

    assert field in error.value.message_dict


def test_too_long_title_is_refused(representative, section):
    with pytest.raises(ValidationError) as error:
        services.article_create(
            author=representative, title="я" * 201, body="Текст", section=section
        )
    assert "title" in error.value.message_dict


def test_card_numbers_in_an_article_are_masked_and_reported(representative, section):
    article = services.article_create(
        author=representative,
        title="Пример",
        body="Клиент прислал 4276 1600 1234 5675, так делать нельзя.",
        section=section,
    )

    assert "4276 1600" not in article.body
    assert "•••• 5675" in article.body
    assert article.masked_labels == [str(LABELS[CARD])]


def test_a_title_without_letters_gets_a_neutral_slug(representative, section):
    article = services.article_create(author=representative, title="???", body="x", section=section)
    assert article.slug == "article"


def test_any_representative_edits_a_draft_and_the_slug_follows_the_title(draft, section):
    colleague = make_user(is_representative=True)
    other_section = make_section()

    services.article_edit(
        article=draft,
        editor=colleague,
        title="Как закрыть вклад досрочно",
        body="Новый текст",
        section=other_section,
        review_by=date(2027, 1, 1),
        at=NOW,
    )

    draft.refresh_from_db()
    assert draft.slug == "kak-zakryt-vklad-dosrochno"
    assert (draft.section, draft.review_by, draft.updated_at) == (
        other_section,
        date(2027, 1, 1),
        NOW,
    )
    assert draft.body_html == "<p>Новый текст</p>"
    assert draft.reviewer is None


def test_the_author_cannot_change_a_published_article_alone(article, representative):
    with pytest.raises(PermissionDenied):
        services.article_edit(
            article=article,
            editor=representative,
            title="Переписано",
            body="Другое",
            section=article.section,
        )
    article.refresh_from_db()
    assert article.title == "Как активировать карту"


def test_another_representative_edits_a_published_article_and_answers_for_it(article):
    colleague = make_user(is_representative=True)

    services.article_edit(
        article=article, editor=colleague, title="Исправлено", body="Текст", section=article.section
    )

    article.refresh_from_db()
    assert (article.title, article.status, article.reviewer) == (
        "Исправлено",
        ArticleStatus.PUBLISHED,
        colleague,
    )


def test_the_owner_edits_even_their_own_published_article(owner, section):
    article = make_article(author=owner, section=section)

    services.article_edit(
        article=article, editor=owner, title="Исправлено", body="Текст", section=section
    )

    article.refresh_from_db()
    assert article.title == "Исправлено"


def test_customers_cannot_edit(article, customer):
    with pytest.raises(PermissionDenied):
        services.article_edit(
            article=article, editor=customer, title="x", body="y", section=article.section
        )


# Publication: four eyes ----------------------------------------------------------------------


def test_the_author_cannot_publish_their_own_article(draft, representative):
    with pytest.raises(PermissionDenied):
        services.article_publish(article=draft, reviewer=representative)
    draft.refresh_from_db()
    assert draft.status == ArticleStatus.DRAFT


def test_another_representative_publishes_with_a_review_date_a_year_ahead(draft):
    reviewer = make_user(is_representative=True)

    services.article_publish(article=draft, reviewer=reviewer, at=NOW)

    draft.refresh_from_db()
    assert draft.status == ArticleStatus.PUBLISHED
    assert (draft.reviewer, draft.published_at) == (reviewer, NOW)
    assert draft.review_by == (NOW + timedelta(days=365)).date()


def test_an_explicit_review_date_is_kept(draft):
    services.article_publish(
        article=draft,
        reviewer=make_user(is_representative=True),
        review_by=date(2026, 6, 1),
        at=NOW,
    )
    draft.refresh_from_db()
    assert draft.review_by == date(2026, 6, 1)


def test_a_future_review_date_set_while_drafting_survives_publication(draft, representative):
    services.article_edit(
        article=draft,
        editor=representative,
        title=draft.title,
        body=draft.body,
        section=draft.section,
        review_by=date(2026, 9, 1),
    )
    services.article_publish(article=draft, reviewer=make_user(is_representative=True), at=NOW)
    draft.refresh_from_db()
    assert draft.review_by == date(2026, 9, 1)


def test_the_community_owner_may_publish_their_own_article(owner, section):
    article = make_article(author=owner, section=section, publish=False)

    services.article_publish(article=article, reviewer=owner, at=NOW)

    article.refresh_from_db()
    assert (article.status, article.reviewer) == (ArticleStatus.PUBLISHED, owner)


@pytest.mark.parametrize("persona", ["customer", "moderator", "manager"])
def test_non_representatives_cannot_publish(request, draft, persona):
    with pytest.raises(PermissionDenied):
        services.article_publish(article=draft, reviewer=request.getfixturevalue(persona))


def test_publishing_twice_is_refused(article):
    with pytest.raises(ValidationError):
        services.article_publish(article=article, reviewer=make_user(is_representative=True))


def test_an_archived_article_comes_back_keeping_its_first_publication_date(article):
    first = article.published_at
    rep = make_user(is_representative=True)
    services.article_archive(article=article, actor=rep)

    services.article_publish(article=article, reviewer=rep, at=NOW + timedelta(days=30))

    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert article.published_at == first


def test_representative_archives_a_published_article(article, representative):
    services.article_archive(article=article, actor=representative)

    article.refresh_from_db()
    assert article.status == ArticleStatus.ARCHIVED


@pytest.mark.parametrize("persona", ["customer", "moderator"])
def test_non_representatives_cannot_archive(request, article, persona):
    with pytest.raises(PermissionDenied):
        services.article_archive(article=article, actor=request.getfixturevalue(persona))


def test_confirming_a_review_moves_the_date_a_year_from_then(article):
    checker = make_user(is_representative=True)
    services.article_review_confirm(article=article, actor=checker, at=NOW)

    article.refresh_from_db()
    assert (article.review_by, article.reviewer) == ((NOW + timedelta(days=365)).date(), checker)


def test_a_draft_has_no_review_to_confirm(draft, representative):
    with pytest.raises(PermissionDenied):
        services.article_review_confirm(article=draft, actor=representative)


# Promotion from a thread ---------------------------------------------------------------------


@pytest.fixture
def answered(customer, category, representative):
    """A question in «Карты» with a customer's reply and the representative's official answer."""
    topic = make_topic(
        author=customer,
        category=category,
        title="Не приходит СМС с кодом",
        body="Пытаюсь войти в приложение.\nКод не приходит.",
    )
    make_reply(topic, body="У меня тоже.")
    official = make_reply(topic, author=representative, body="Проверьте номер в профиле.")
    community_services.answer_mark_official(reply=official, actor=representative)
    return topic


def test_promotion_prefills_a_draft_from_the_question_and_the_official_answer(
    answered, representative, section
):
    article = services.article_promote_from_topic(topic=answered, actor=representative, at=NOW)

    assert article.status == ArticleStatus.DRAFT
    assert (article.title, article.source_topic, article.author) == (
        "Не приходит СМС с кодом",
        answered,
        representative,
    )
    assert article.body == (
        "> Пытаюсь войти в приложение.\n> Код не приходит.\n\nПроверьте номер в профиле."
    )
    assert article.section == section


def test_promotion_uses_the_accepted_answer_when_there_is_no_official_one(
    customer, representative, section
):
    topic = make_topic(author=customer, body="")
    accepted = make_reply(topic, body="Помогло: перезагрузить телефон.")
    community_services.answer_accept(reply=accepted, user=customer)

    article = services.article_promote_from_topic(topic=topic, actor=representative)

    assert article.body == "Помогло: перезагрузить телефон."


def test_the_official_answer_wins_over_the_accepted_one(answered, customer, representative):
    other = make_reply(answered, body="Принятый ответ клиента.")
    community_services.answer_accept(reply=other, user=customer)
    make_section()

    article = services.article_promote_from_topic(topic=answered, actor=representative)

    assert article.body.endswith("Проверьте номер в профиле.")


def test_promotion_suggests_the_section_linked_to_the_category(answered, representative, category):
    make_section(name="Общее", position=0)
    linked = make_section(name="Платёжные карты", category=category, position=5)

    article = services.article_promote_from_topic(topic=answered, actor=representative)

    assert article.section == linked


def test_promotion_falls_back_to_the_first_top_level_section(representative, customer):
    second = make_section(name="Б", position=2)
    first = make_section(name="А", position=1)
    make_section(name="Вложенный", parent=second, position=0)
    topic = make_topic(author=customer, category=make_category(slug="loans"))
    reply = make_reply(topic, author=representative)
    community_services.answer_mark_official(reply=reply, actor=representative)

    article = services.article_promote_from_topic(topic=topic, actor=representative)

    assert article.section == first


def test_promotion_without_sections_explains_what_to_do(answered, representative):
    with pytest.raises(ValidationError):
        services.article_promote_from_topic(topic=answered, actor=representative)
    assert not Article.objects.exists()


def test_a_topic_without_an_answer_cannot_be_promoted(question, representative, section):
    make_reply(question, body="Просто комментарий")

    with pytest.raises(ValidationError):
        services.article_promote_from_topic(topic=question, actor=representative)
    assert not Article.objects.exists()


def test_a_topic_is_promoted_once(answered, representative, section):
    services.article_promote_from_topic(topic=answered, actor=representative)

    with pytest.raises(ValidationError):
        services.article_promote_from_topic(topic=answered, actor=make_user(is_representative=True))
    assert Article.objects.count() == 1


@pytest.mark.parametrize("persona", ["customer", "moderator", "manager"])
def test_only_representatives_promote(request, answered, section, persona):
    with pytest.raises(PermissionDenied):
        services.article_promote_from_topic(topic=answered, actor=request.getfixturevalue(persona))


def test_a_hidden_topic_cannot_be_promoted_by_a_representative(
    answered, representative, moderator, section
):
    community_services.topic_moderate(topic=answered, actor=moderator, action="hide")

    with pytest.raises(PermissionDenied):
        services.article_promote_from_topic(topic=answered, actor=representative)


def test_promoting_an_idea_with_an_official_answer_works(representative, customer, section):
    idea = make_topic(author=customer, kind=TopicKind.IDEA, title="Добавьте тёмную тему", body="")
    reply = make_reply(idea, author=representative, body="Уже в планах.")
    community_services.answer_mark_official(reply=reply, actor=representative)

    article = services.article_promote_from_topic(topic=idea, actor=representative)

    assert article.body == "Уже в планах."


# Feedback: one vote per visitor --------------------------------------------------------------


def _vote(article, key, helpful, **kwargs):
    return services.article_feedback_record(
        article=article, visitor_key=key, is_helpful=helpful, **kwargs
    )


def _counts(article) -> tuple[int, int]:
    article.refresh_from_db()
    return article.helpful_yes, article.helpful_no


def test_a_first_answer_counts(article, customer):
    feedback = _vote(article, "k1", True, user=customer, at=NOW)

    assert _counts(article) == (1, 0)
    assert (feedback.user, feedback.is_helpful, feedback.created_at) == (customer, True, NOW)


def test_the_same_answer_again_changes_nothing(article):
    _vote(article, "k1", True)
    _vote(article, "k1", True)

    assert _counts(article) == (1, 0)
    assert ArticleFeedback.objects.count() == 1


def test_a_changed_answer_moves_the_count_instead_of_adding_one(article):
    _vote(article, "k1", True, at=NOW)
    feedback = _vote(article, "k1", False, at=NOW + timedelta(hours=1))

    assert _counts(article) == (0, 1)
    assert ArticleFeedback.objects.count() == 1
    assert feedback.created_at == NOW + timedelta(hours=1)

    _vote(article, "k1", True)
    assert _counts(article) == (1, 0)


def test_different_visitors_each_count(article):
    _vote(article, "k1", True)
    _vote(article, "k2", True)
    _vote(article, "k3", False)

    assert _counts(article) == (2, 1)
    assert article.helpful_percent == 67


def test_an_anonymous_vote_keeps_no_user(article):
    assert _vote(article, "k1", True).user is None


def test_a_draft_takes_no_votes(draft):
    with pytest.raises(PermissionDenied):
        _vote(draft, "k1", True)
    assert _counts(draft) == (0, 0)


def test_counters_never_go_below_zero_even_after_drift(article):
    _vote(article, "k1", True)
    Article.objects.filter(pk=article.pk).update(helpful_yes=0)

    _vote(article, "k1", False)

    assert _counts(article) == (0, 1)


def test_counter_rebuild_repairs_drift_from_the_feedback_rows(article):
    _vote(article, "k1", True)
    _vote(article, "k2", False)
    untouched = make_article()
    Article.objects.filter(pk=article.pk).update(helpful_yes=9, helpful_no=0)

    assert services.article_counters_rebuild() == 1
    assert _counts(article) == (1, 1)
    assert _counts(untouched) == (0, 0)


def test_visitor_key_is_a_stable_keyed_hash_per_user_or_session(customer, other_customer):
    key = services.visitor_key(user=customer)

    assert key == services.visitor_key(user=customer)
    assert len(key) == 64 and int(key, 16) >= 0
    assert "user" not in key
    assert key != services.visitor_key(user=other_customer)
    assert services.visitor_key(session_key="abc") != services.visitor_key(session_key="abd")
    assert services.visitor_key(session_key="abc") == services.visitor_key(session_key="abc")


def test_visitor_key_needs_a_user_or_a_session():
    with pytest.raises(ValueError):
        services.visitor_key()


def test_visitor_key_depends_on_the_secret_key(customer, settings):
    before = services.visitor_key(user=customer)
    settings.SECRET_KEY = "another-secret"
    assert services.visitor_key(user=customer) != before


# Views ---------------------------------------------------------------------------------------


def test_each_view_adds_one_in_sql(article):
    services.article_view_record(article=article)
    services.article_view_record(article=Article.objects.get(pk=article.pk))

    article.refresh_from_db()
    assert article.view_count == 2


# Sections ------------------------------------------------------------------------------------


def test_a_section_cannot_be_its_own_ancestor(db):
    top = make_section()
    child = make_section(parent=top)
    top.parent = child

    with pytest.raises(ValidationError) as error:
        top.full_clean()
    assert "parent" in error.value.message_dict


def test_sections_nest_at_most_three_levels(db):
    level1 = make_section()
    level2 = make_section(parent=level1)
    level3 = make_section(parent=level2)
    level3.full_clean()

    with pytest.raises(ValidationError):
        Section(name="Четвёртый", slug="fourth", parent=level3).full_clean()


def test_ancestors_run_from_the_root_down(db):
    level1 = make_section()
    level2 = make_section(parent=level1)
    level3 = make_section(parent=level2)

    assert level3.ancestors == [level1, level2]
    assert level1.ancestors == []
