from community.filters import TopicFilter
from community.models import Topic, TopicKind, TopicStatus
from community.templatetags.community import select_options, status_badge, user_badge
from tests.conftest import make_user


def test_user_badge_escapes_the_name_and_title(db):
    person = make_user(
        username="x",
        display_name='<script>alert("name")</script>',
        is_representative=True,
        title="<img src=x onerror=alert(1)>",
    )

    html = user_badge(person)

    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html


def test_user_badge_shows_the_owner_and_representative_badges(db):
    owner = make_user(
        username="yana", display_name="Яна", is_community_owner=True, is_representative=True
    )
    customer = make_user(username="ivan", display_name="Иван")

    assert 'href="/u/yana/"' in user_badge(owner)
    assert "badge-owner" in user_badge(owner) and "badge-official" in user_badge(owner)
    assert "badge" not in user_badge(customer)


def test_status_badge_names_the_status_class_and_label():
    topic = Topic(kind=TopicKind.IDEA, status=TopicStatus.IN_PROGRESS)

    assert status_badge(topic).startswith('<span class="status status-in_progress">')


def test_select_options_marks_the_current_value_and_escapes_labels(db):
    form = TopicFilter({"sort": "top"}, queryset=Topic.objects.all()).form

    html = select_options(form["sort"])

    assert '<option value="top" selected>' in html
    assert '<option value="new">' in html
    assert html.count("selected") == 1
