from io import StringIO

from django.core.management import call_command

from community.models import Reply, Topic
from tests.conftest import make_reply, make_topic, make_user


def test_rebuild_counters_repairs_drifted_counters_and_says_how_many(customer, other_customer):
    topic = make_topic(author=customer)
    reply = make_reply(topic, author=other_customer)
    Topic.objects.filter(pk=topic.pk).update(score=7, reply_count=0, last_reply_by=None)
    Reply.objects.filter(pk=reply.pk).update(helpful_count=3)
    output = StringIO()

    call_command("rebuild_counters", stdout=output)

    topic.refresh_from_db()
    reply.refresh_from_db()
    assert (topic.score, topic.reply_count, topic.last_reply_by) == (0, 1, other_customer)
    assert reply.helpful_count == 0
    assert "score: 1 row(s) corrected" in output.getvalue()
    assert "reply_count: 1 row(s) corrected" in output.getvalue()
    assert "helpful_count: 1 row(s) corrected" in output.getvalue()


def test_rebuild_counters_on_consistent_counters_corrects_nothing(db):
    make_reply(make_topic(), author=make_user())
    output = StringIO()

    call_command("rebuild_counters", stdout=output)

    assert output.getvalue().count(": 0 row(s) corrected") == 3
