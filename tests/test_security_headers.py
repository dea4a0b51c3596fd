"""Every page is served with a strict Content-Security-Policy, and no template breaks it: no
inline script, inline style or event-handler attribute anywhere (they would be blocked)."""

from html.parser import HTMLParser

import pytest

from config.middleware import CONTENT_SECURITY_POLICY
from tests.conftest import make_reply, make_topic

PAGES = [
    "/",
    "/topics/",
    "/questions/",
    "/ideas/?sort=top",
    "/people/",
    "/u/ivan/",
    "/accounts/login/",
    "/accounts/signup/",
    "/new/",
    "/t/999999-missing/",
]


class _InlineCode(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("inline <style>")
        self.problems += [f"{tag} {name}=" for name in names if name.startswith("on")]
        if "style" in names:
            self.problems.append(f"{tag} style=")


@pytest.fixture
def pages_with_content(customer, representative, moderator):
    topic = make_topic(author=customer, title="Как активировать карту?")
    reply = make_reply(topic, author=representative)
    return [*PAGES, topic.get_absolute_url(), f"/t/{topic.pk}/edit/", f"/r/{reply.pk}/edit/"]


@pytest.mark.parametrize("persona", ["anonymous", "customer", "moderator"])
def test_pages_send_the_policy_and_contain_no_inline_code(
    client, request, pages_with_content, persona
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    for path in pages_with_content:
        response = client.get(path)
        assert response.status_code in (200, 302, 403, 404), path
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert response["X-Frame-Options"] == "DENY", path
        parser = _InlineCode()
        parser.feed(response.content.decode())
        assert parser.problems == [], path


def test_the_policy_allows_nothing_from_other_sites():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))

    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY
