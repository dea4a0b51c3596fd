from django.urls import path

from search import api

app_name = "search-api"

urlpatterns = [
    path("similar/", api.search_similar, name="similar"),
]
