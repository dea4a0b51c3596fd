"""Form pages read a constant number of queries however many categories there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_category, make_reply, make_topic

# The session, the user, the topic or the reply (with its topic), the category choices (none
# on the reply form).
EXPECTED = {"new topic": 3, "edit topic": 4, "edit reply": 3}


@pytest.mark.parametrize("page", list(EXPECTED))
def test_form_page_query_count_does_not_grow_with_categories(customer, customer_client, page):
    topic = make_topic(author=customer)
    reply = make_reply(topic, author=customer)
    url = {
        "new topic": "/new/",
        "edit topic": f"/t/{topic.pk}/edit/",
        "edit reply": f"/r/{reply.pk}/edit/",
    }[page]
    counts = []
    for _ in range(2):
        for _ in range(4):
            make_category()
        with CaptureQueriesContext(connection) as queries:
            assert customer_client.get(url).status_code == 200
        counts.append(len(queries))

    assert counts == [EXPECTED[page]] * 2
