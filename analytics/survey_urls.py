from django.urls import path

from analytics import survey_views

app_name = "surveys"

urlpatterns = [
    path("csat/<int:topic_pk>/", survey_views.csat_answer, name="csat-answer"),
    path("csat/<int:topic_pk>/dismiss/", survey_views.csat_dismiss, name="csat-dismiss"),
    path("nps/", survey_views.nps_answer, name="nps-answer"),
    path("nps/dismiss/", survey_views.nps_dismiss, name="nps-dismiss"),
]
