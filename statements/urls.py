from django.urls import path

from statements import views, views_curation, views_indexes, views_relations

app_name = "statements"

urlpatterns = [
    path("", views.quote_list, name="quote_list"),
    path("speakers/", views.speaker_list, name="speaker_list"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker_detail"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("countries/", views_indexes.country_list, name="country_list"),
    path("countries/<str:code>/", views.country_detail, name="country_detail"),
    path("topics/", views_indexes.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("relations/", views_relations.relations, name="relations"),
    path(
        "relations/<str:source>/<str:target>/",
        views_relations.relation_pair,
        name="relation_pair",
    ),
    path("about/", views.about, name="about"),
    # Curation (staff uploads, live annotation status).
    path("upload/", views_curation.upload, name="upload"),
    path("articles/<int:pk>/status/", views_curation.article_status, name="article_status"),
]
