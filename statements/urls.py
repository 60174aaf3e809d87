from django.urls import path

from statements import views, views_curation

app_name = "statements"

urlpatterns = [
    path("", views.quote_list, name="quote_list"),
    # Curation (staff uploads, live annotation status).
    path("upload/", views_curation.upload, name="upload"),
    path("articles/<int:pk>/status/", views_curation.article_status, name="article_status"),
]
