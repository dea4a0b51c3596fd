from django.conf import settings
from django.http import HttpRequest


def community(request: HttpRequest) -> dict:
    return {"COMMUNITY_NAME": settings.COMMUNITY_NAME}
