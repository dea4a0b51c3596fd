from django.urls import path

from search import views, views_suggest

app_name = "search"

urlpatterns: list = [
    path("", views.search_results, name="results"),
    path(
        "open/<int:query_id>/<str:object_type>/<int:object_id>/",
        views.search_open,
        name="open",
    ),
    # Smart search while typing (search/views_suggest.py).
    path("suggest/", views_suggest.suggestion_list, name="suggestions"),
    path(
        "suggest/open/<str:kind>/<int:pk>/",
        views_suggest.suggestion_open,
        name="suggestion-open",
    ),
    path(
        "suggest/attempts/<int:pk>/deflect/",
        views_suggest.attempt_deflect,
        name="attempt-deflect",
    ),
]
