"""Related articles: the same section first, then other sections sharing a title word."""

from knowledge_base import services
from knowledge_base.models import related_articles, title_stems
from tests.conftest import make_user
from tests.knowledge_base.conftest import make_article, make_section


def test_title_stems_drop_short_and_common_words_and_cut_endings():
    assert title_stems("Почему не приходит СМС с кодом?") == ["приход", "кодо"]
    assert title_stems("Как активировать карту") == ["активирова", "карт"]


def test_related_articles_prefer_the_same_section_then_shared_title_words(db):
    cards, deposits, loans = make_section(), make_section(), make_section()
    main = make_article(title="Как заблокировать карту", section=cards)
    popular = make_article(title="Лимиты по карте", section=cards)
    quiet = make_article(title="Кэшбэк", section=cards)
    word_match = make_article(title="Карта для вклада", section=deposits)
    make_article(title="Ипотека", section=loans)
    make_article(title="Карточный черновик", section=cards, publish=False)
    services.article_view_record(article=popular)

    assert related_articles(main) == [popular, quiet, word_match]


def test_related_articles_are_limited(db):
    section = make_section()
    main = make_article(section=section)
    for n in range(6):
        make_article(title=f"Статья {n}", section=section, author=make_user(is_representative=True))

    assert len(related_articles(main, limit=5)) == 5


def test_a_stem_matches_only_at_the_start_of_a_word(db):
    main = make_article(title="Снять деньги без потери процентов", section=make_section())
    inside_a_word = make_article(title="Платёж по ипотеке", section=make_section())
    word_start = make_article(title="Проценты по вкладу", section=make_section())

    related = related_articles(main)

    assert word_start in related
    assert inside_a_word not in related
