from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # The index follows community and knowledge-base writes through signals, so those
        # apps never import search (STYLE.md, "Layout"); search/receivers.py lists each path.
        from search import receivers

        receivers.connect()

        # A customer who saw suggestions and posted anyway: the attempt ends as posted
        # (community/signals.py; the receiver is in search/views_suggest.py).
        from community.signals import topic_posted
        from search import views_suggest

        topic_posted.connect(
            views_suggest.attempt_posted_receiver, dispatch_uid="search.attempt_posted"
        )
