"""Public XSS corpora posted as topics and replies must not run anything in a real browser."""

from pathlib import Path

import pytest

from tests.conftest import make_reply, make_topic, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SECURITY = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "security" / "xss"
PAYLOADS_PER_PAGE = 40


def _payloads() -> list[str]:
    if not SECURITY.is_dir():
        pytest.skip(f"{SECURITY} is not available")
    lines: list[str] = []
    for path in sorted(SECURITY.glob("*.txt")):
        lines += [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return lines


def test_no_payload_from_the_xss_corpora_executes(page, live_server):
    payloads = _payloads()
    author = make_user()
    topics = []
    # A slice of every corpus file in every page keeps the browser run short but broad.
    for start in range(0, len(payloads), PAYLOADS_PER_PAGE * 8):
        chunk = payloads[start : start + PAYLOADS_PER_PAGE]
        topic = make_topic(author=author, title="XSS " + chunk[0][:150], body="\n\n".join(chunk))
        make_reply(topic, author=author, body="\n\n".join(reversed(chunk)))
        topics.append(topic)

    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: fired.append(f"pageerror: {error}"))
    for topic in topics:
        page.goto(f"{live_server.url}{topic.get_absolute_url()}")
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.xss === 'undefined'")
        scripts = page.eval_on_selector_all(
            "script", "nodes => nodes.map(n => n.getAttribute('src'))"
        )
        assert scripts == ["/static/js/htmx.min.js"], scripts
    page.goto(f"{live_server.url}/topics/")
    assert fired == []
