from django.urls import path

from knowledge_base import views

app_name = "knowledge_base"

urlpatterns = [
    path("", views.kb_home, name="home"),
    path("s/<slug:slug>/", views.section_detail, name="section-detail"),
    path("a/<int:pk>/", views.article_detail, name="article-detail-short"),
    path("a/<int:pk>-<str:slug>/", views.article_detail, name="article-detail"),
    path("a/<int:pk>/helpful/", views.article_feedback, name="article-feedback"),
    path("a/<int:pk>/edit/", views.article_edit, name="article-edit"),
    path("a/<int:pk>/publish/", views.article_publish, name="article-publish"),
    path("a/<int:pk>/archive/", views.article_archive, name="article-archive"),
    path("a/<int:pk>/reviewed/", views.article_review_confirm, name="article-review-confirm"),
    path("new/", views.article_create, name="article-create"),
    path("promote/<int:topic_pk>/", views.article_promote, name="article-promote"),
    path("review/", views.review_drafts, name="review-drafts"),
    path("review/overdue/", views.review_overdue, name="review-overdue"),
]
