"""The site under /news/, as a test's URLconf."""

from django.urls import include, path

urlpatterns = [path("news/", include("newsroom.urls"))]
