"""The knowledge base's pieces on other apps' pages (the thread's link to its article, its
canonical URL) and the article's structured data. Community templates load these tags, so the
community app's Python never imports the knowledge base (STYLE.md, "Layout")."""

import json

from django import template
from django.conf import settings
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from community.models import Topic
from knowledge_base import permissions
from knowledge_base.models import Article

register = template.Library()

# JSON inside <script> must not be able to close the element or open a comment.
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _article_of(topic: Topic) -> Article | None:
    # `topic_detail` reads the article with the topic (select_related); a missing one is None.
    return getattr(topic, "article", None)


@register.simple_tag(takes_context=True)
def topic_canonical_url(context, topic: Topic) -> str:
    """Once its answer is a published article, the article is the page search engines should
    show for the thread."""
    request = context["request"]
    article = _article_of(topic)
    target = article if article is not None and article.is_published else topic
    return request.build_absolute_uri(target.get_absolute_url())


@register.inclusion_tag("knowledge_base/partials/thread_panel.html", takes_context=True)
def kb_thread_panel(context, topic: Topic) -> dict:
    """On the thread: the link to its published article, or for staff the draft, or for
    representatives the button that starts one from an answered thread."""
    user = context["request"].user
    article = _article_of(topic)
    has_answer = bool(context.get("official_answer") or context.get("accepted_answer"))
    return {
        "topic": topic,
        "article": article,
        "is_staff": permissions.is_kb_staff(user),
        "can_promote": article is None
        and has_answer
        and permissions.can_promote_topic(user, topic),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def article_json_ld(context, article: Article) -> SafeString:
    """schema.org Article as a data block (type application/ld+json): browsers never execute
    it, so the strict CSP (`script-src 'self'`) stays as it is."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": Truncator(article.title).chars(110),
        "description": Truncator(strip_tags(article.body_html)).chars(200),
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "dateModified": article.updated_at.isoformat(),
        "publisher": {"@type": "Organization", "name": settings.COMMUNITY_NAME},
    }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author.name}
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308
