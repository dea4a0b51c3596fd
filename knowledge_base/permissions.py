"""Who may do what in the knowledge base. Views use these to show or hide controls; services call
them again before every write, so a forged request gets the same answer as the page.

Roles come from accounts: official representatives (and the community owner) write, promote and
review articles; moderators may read drafts but not change them. Publication follows the
four-eyes rule: the reviewer is someone other than the author, except the community owner, who
answers for the whole community (docs/knowledge_base.md, "Review")."""

from community import permissions as community_permissions
from community.models import Topic
from knowledge_base.models import Article, ArticleStatus


def _is_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_kb_staff(user) -> bool:
    """Sees drafts, archived articles and the review lists."""
    return _is_member(user) and (user.is_official or user.can_moderate)


def can_write_articles(user) -> bool:
    return _is_member(user) and user.is_official


def can_view_article(user, article: Article) -> bool:
    return article.status == ArticleStatus.PUBLISHED or is_kb_staff(user)


def can_create_article(user) -> bool:
    return can_write_articles(user)


def _is_second_pair_of_eyes(user, article: Article) -> bool:
    return article.author_id != user.pk or user.is_community_owner


def can_edit_article(user, article: Article) -> bool:
    """Drafts and archived articles: any representative. A published article changes only in the
    hands of someone who could publish it, so its author cannot rewrite it after review."""
    if not can_write_articles(user):
        return False
    if article.status == ArticleStatus.PUBLISHED:
        return _is_second_pair_of_eyes(user, article)
    return True


def can_publish_article(user, article: Article) -> bool:
    return (
        can_write_articles(user)
        and article.status != ArticleStatus.PUBLISHED
        and _is_second_pair_of_eyes(user, article)
    )


def can_archive_article(user, article: Article) -> bool:
    return can_write_articles(user) and article.status != ArticleStatus.ARCHIVED


def can_confirm_review(user, article: Article) -> bool:
    """Confirm that a published article is still correct and set its next review date."""
    return can_write_articles(user) and article.status == ArticleStatus.PUBLISHED


def can_promote_topic(user, topic: Topic) -> bool:
    """Representatives turn a thread they can see into a draft article. Whether the thread has an
    answer and is not promoted yet is the service's to check: that is data, not a right."""
    return can_write_articles(user) and community_permissions.can_view_topic(user, topic)


def can_vote_on_article(article: Article) -> bool:
    """Anyone, signed in or not, answers "Was this article helpful?", once per visitor."""
    return article.status == ArticleStatus.PUBLISHED
