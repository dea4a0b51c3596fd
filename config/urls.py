from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

api_v1 = [
    path("search/", include("search.api_urls")),
    path("reports/", include("analytics.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("kb/", include("knowledge_base.urls")),
    path("search/", include("search.urls")),
    path("reports/", include("analytics.urls")),
    path("surveys/", include("analytics.survey_urls")),
    path("", include("accounts.urls")),
    path("", include("community.urls")),
]

# Uploaded avatars. `static()` adds the route only when DEBUG is on: in production the web server
# serves MEDIA_ROOT itself (README, "Media files").
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
