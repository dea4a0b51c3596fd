"""Public JSON: GET /api/v1/search/similar/?q=<text>&limit=<n> (docs/search.md, "API")."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from search import engine
from search.models import SearchSource
from search.query_log import log_query


class SimilarQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=engine.MAX_QUERY_LENGTH,
        error_messages={
            "required": _("Enter the text to find similar answers for (q)."),
            "blank": _("Enter the text to find similar answers for (q)."),
        },
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=engine.MAX_SIMILAR,
        default=5,
        error_messages={"invalid": _("The limit must be a whole number from 1 to 10.")},
    )


class HitSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()
    snippet = serializers.CharField()
    score = serializers.FloatField()


class SimilarThrottle(SimpleRateThrottle):
    """Per user, or per client IP for anonymous callers. The rate is read from settings on each
    request (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["search_similar"], set from the
    API_THROTTLE_SEARCH_SIMILAR environment variable), not frozen at import."""

    scope = "search_similar"

    def get_rate(self) -> str | None:
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def get_cache_key(self, request, view) -> str:
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SimilarView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [SimilarThrottle]

    def get(self, request):
        params = SimilarQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        text = params.validated_data["q"]
        hits = engine.similar(text, limit=params.validated_data["limit"])
        log_query(request, text=text, source=SearchSource.API, result_count=len(hits))
        return Response({"results": HitSerializer(hits, many=True).data})


search_similar = SimilarView.as_view()
