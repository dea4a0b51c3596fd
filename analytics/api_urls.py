from django.urls import path

from analytics import api

app_name = "analytics-api"

urlpatterns = [
    path("summary/", api.report_summary, name="summary"),
]
