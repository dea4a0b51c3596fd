"""Signal receivers that keep the search index current (connected in SearchConfig.ready(), so
community and knowledge_base never import search).

They run in the same transaction as the change, not in transaction.on_commit(): the index then
commits or rolls back with the change itself, a crash between the two cannot leave it stale, and
a test sees the index without capturing on-commit callbacks. Re-indexing one object costs a few
small queries and is skipped when nothing indexed changed.

Which write reaches which receiver (tests/search/test_index_updates.py checks each):

- topic_create, topic_edit, topic_moderate (hide / unhide) save the Topic → Topic post_save;
- answer_mark_official / unmark and answer_accept / unaccept save the Reply (the previous
  official or accepted reply is cleared with queryset.update(), but the save of the new one
  re-reads every answer of the topic) → Reply post_save; reply_edit of an answer likewise;
- status changes are written with queryset.update() and send no post_save, but every one writes
  a STATUS_CHANGED Event in the same transaction → Event post_save; so does merging, if it
  writes a "topic_merged" Event;
- deletes → post_delete of Topic, Reply and Article;
- articles are saved by the knowledge-base services and the admin → Article post_save.

Votes, views and reply counts are written with queryset.update() too, but the index does not
hold them: ranking reads popularity from the live tables.
"""

from django.db.models.signals import post_delete, post_save

from community.models import Event, EventKind, Reply, Topic
from knowledge_base.models import Article
from search import indexing
from search.engine import forget_synonyms
from search.models import SynonymGroup

# Events whose change is written with queryset.update() (no post_save of the topic).
_REINDEX_EVENTS = {EventKind.STATUS_CHANGED, "topic_merged"}


def topic_saved(sender, instance: Topic, raw: bool = False, **kwargs) -> None:
    if not raw:
        indexing.index_topic(instance.pk)


def topic_deleted(sender, instance: Topic, **kwargs) -> None:
    indexing.index_topic(instance.pk)


def reply_saved(sender, instance: Reply, created: bool, raw: bool = False, **kwargs) -> None:
    # A new reply is in the index only once it is marked official or accepted (a save).
    if raw or (created and not (instance.is_official or instance.is_accepted)):
        return
    indexing.index_topic(instance.topic_id)


def reply_deleted(sender, instance: Reply, **kwargs) -> None:
    if instance.is_official or instance.is_accepted:
        indexing.index_topic(instance.topic_id)


def event_saved(sender, instance: Event, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.topic_id and instance.kind in _REINDEX_EVENTS:
        indexing.index_topic(instance.topic_id)


def article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    if not raw:
        indexing.index_article(instance.pk)


def article_deleted(sender, instance: Article, **kwargs) -> None:
    indexing.index_article(instance.pk)


def synonyms_changed(sender, **kwargs) -> None:
    forget_synonyms()


def connect() -> None:
    uid = "search.receivers"
    post_save.connect(topic_saved, sender=Topic, dispatch_uid=f"{uid}.topic_saved")
    post_delete.connect(topic_deleted, sender=Topic, dispatch_uid=f"{uid}.topic_deleted")
    post_save.connect(reply_saved, sender=Reply, dispatch_uid=f"{uid}.reply_saved")
    post_delete.connect(reply_deleted, sender=Reply, dispatch_uid=f"{uid}.reply_deleted")
    post_save.connect(event_saved, sender=Event, dispatch_uid=f"{uid}.event_saved")
    post_save.connect(article_saved, sender=Article, dispatch_uid=f"{uid}.article_saved")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid=f"{uid}.article_deleted")
    for signal in (post_save, post_delete):
        signal.connect(synonyms_changed, sender=SynonymGroup, dispatch_uid=f"{uid}.synonyms")
