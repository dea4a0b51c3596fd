from django.urls import path  # noqa: F401

app_name = "knowledge_base"

urlpatterns: list = []
