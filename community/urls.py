from django.urls import path

from community import views
from community.models import TopicKind

app_name = "community"

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/", views.topic_list, name="topic-list"),
    path("questions/", views.topic_list, {"kind": TopicKind.QUESTION}, name="question-list"),
    path("ideas/", views.topic_list, {"kind": TopicKind.IDEA}, name="idea-list"),
    path("problems/", views.topic_list, {"kind": TopicKind.PROBLEM}, name="problem-list"),
    path("thanks/", views.topic_list, {"kind": TopicKind.THANKS}, name="thanks-list"),
    path("new/", views.topic_create, name="topic-create"),
    path("t/<int:pk>/", views.topic_detail, name="topic-detail-short"),
    path("t/<int:pk>-<str:slug>/", views.topic_detail, name="topic-detail"),
    path("t/<int:pk>/edit/", views.topic_edit, name="topic-edit"),
    path("t/<int:pk>/reply/", views.reply_create, name="reply-create"),
    path("t/<int:pk>/vote/", views.topic_vote, name="topic-vote"),
    path("t/<int:pk>/status/", views.topic_status, name="topic-status"),
    path("t/<int:pk>/moderate/", views.topic_moderate, name="topic-moderate"),
    path("r/<int:pk>/", views.reply_detail, name="reply-detail"),
    path("r/<int:pk>/edit/", views.reply_edit, name="reply-edit"),
    path("r/<int:pk>/helpful/", views.reply_vote, name="reply-vote"),
    path("r/<int:pk>/official/", views.reply_official, name="reply-official"),
    path("r/<int:pk>/accept/", views.reply_accept, name="reply-accept"),
    path("u/<str:username>/", views.user_profile, name="user-profile"),
    path("people/", views.people, name="people"),
]
