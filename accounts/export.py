""" "Download my data": everything the community stores about a member, as one JSON document.

One query per kind of row, whatever the member has written, so a prolific member's export costs
the same number of queries as a newcomer's. Secrets are never exported: no password hash, no
provider tokens, nothing from a provider's answer whose name says it is a token or a secret."""

from datetime import datetime

from django.apps import apps
from django.utils import timezone

from accounts.models import User

FORMAT = "vmeste-personal-data"
VERSION = 1
SECRET_KEY_PARTS = ("token", "secret", "hash", "password", "code", "signature")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _without_secrets(data):
    """A provider's profile answer with every token-like key removed, at any depth."""
    if isinstance(data, dict):
        return {
            key: _without_secrets(value)
            for key, value in data.items()
            if not any(part in str(key).lower() for part in SECRET_KEY_PARTS)
        }
    if isinstance(data, list):
        return [_without_secrets(item) for item in data]
    return data


def _profile(user: User, base_url: str) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "about": user.about,
        "avatar": f"{base_url}{user.avatar.url}" if user.avatar else None,
        "avatar_url_from_provider": user.avatar_url or None,
        "language": user.language or None,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "notifications": {
            "email_on_official_answer": user.email_on_official_answer,
            "email_on_status_change": user.email_on_status_change,
            "email_on_reply": user.email_on_reply,
        },
    }


def _email_addresses(user: User) -> list[dict]:
    if not apps.is_installed("allauth.account"):
        return []
    from allauth.account.models import EmailAddress

    rows = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    return [{"email": row.email, "verified": row.verified, "primary": row.primary} for row in rows]


def _connected_accounts(user: User) -> list[dict]:
    if not apps.is_installed("allauth.socialaccount"):
        return []
    from allauth.socialaccount.models import SocialAccount

    rows = SocialAccount.objects.filter(user=user).order_by("provider", "pk")
    return [
        {
            "provider": row.provider,
            "uid": row.uid,
            "connected_at": _iso(row.date_joined),
            "last_login": _iso(row.last_login),
            "profile_from_provider": _without_secrets(row.extra_data),
        }
        for row in rows
    ]


def _topics(user: User, base_url: str) -> list[dict]:
    from community.models import Topic

    rows = Topic.objects.filter(author=user).select_related("category").order_by("created_at", "pk")
    return [
        {
            "id": topic.pk,
            "url": f"{base_url}{topic.get_absolute_url()}",
            "kind": topic.kind,
            "title": topic.title,
            "body": topic.body,
            "category": topic.category.name if topic.category else None,
            "status": topic.status,
            "is_hidden": topic.is_hidden,
            "created_at": _iso(topic.created_at),
            "edited_at": _iso(topic.edited_at),
        }
        for topic in rows.iterator(chunk_size=500)
    ]


def _replies(user: User, base_url: str) -> list[dict]:
    from community.models import Reply

    rows = (
        Reply.objects.filter(author=user)
        .select_related("topic")
        .only(
            "body",
            "is_official",
            "is_accepted",
            "created_at",
            "edited_at",
            "topic__title",
            "topic__slug",
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": reply.pk,
            "url": f"{base_url}{reply.get_absolute_url()}",
            "topic": {"id": reply.topic.pk, "title": reply.topic.title},
            "body": reply.body,
            "is_official_answer": reply.is_official,
            "is_accepted_answer": reply.is_accepted,
            "created_at": _iso(reply.created_at),
            "edited_at": _iso(reply.edited_at),
        }
        for reply in rows.iterator(chunk_size=500)
    ]


def _votes(user: User) -> dict:
    from community.models import ReplyVote, TopicVote

    topic_votes = (
        TopicVote.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values("topic_id", "topic__title", "created_at")
    )
    reply_votes = (
        ReplyVote.objects.filter(user=user)
        .order_by("created_at", "pk")
        .values("reply_id", "reply__topic_id", "reply__topic__title", "created_at")
    )
    return {
        "topics": [
            {
                "topic": {"id": vote["topic_id"], "title": vote["topic__title"]},
                "created_at": _iso(vote["created_at"]),
            }
            for vote in topic_votes
        ],
        "replies_marked_helpful": [
            {
                "reply_id": vote["reply_id"],
                "topic": {"id": vote["reply__topic_id"], "title": vote["reply__topic__title"]},
                "created_at": _iso(vote["created_at"]),
            }
            for vote in reply_votes
        ],
    }


def _consents(user: User) -> list[dict]:
    return [
        {
            "document": consent.document,
            "version": consent.version,
            "accepted_at": _iso(consent.accepted_at),
            "withdrawn_at": _iso(consent.withdrawn_at),
        }
        for consent in user.consents.order_by("accepted_at", "pk")
    ]


def _staff_roles(user: User) -> dict:
    return {
        "is_representative": user.is_representative,
        "is_moderator": user.is_moderator,
        "is_manager": user.is_manager,
        "is_community_owner": user.is_community_owner,
        "title": user.title,
        "department": user.department.name if user.department else None,
    }


def personal_data_export(*, user: User, base_url: str, at: datetime | None = None) -> dict:
    """The member's data as a JSON-ready dict. `base_url` ("https://vmeste.bank.ru") makes the
    links in it absolute, so the file still makes sense away from the site."""
    user = User.objects.select_related("department").get(pk=user.pk)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _iso(at or timezone.now()),
        "profile": _profile(user, base_url),
        "email_addresses": _email_addresses(user),
        "connected_accounts": _connected_accounts(user),
        "topics": _topics(user, base_url),
        "replies": _replies(user, base_url),
        "votes": _votes(user),
        # Subscriptions arrive with the notifications issue; until then there are none to list,
        # and the key says so rather than letting an empty list look like lost data.
        "subscriptions": [],
        "subscriptions_note": "The community does not store subscriptions yet.",
        "consents": _consents(user),
        "staff_roles": _staff_roles(user),
    }
