from django.contrib import admin
from django.urls import include, path

from statements import views

handler500 = "newsroom.unavailable.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("", include("statements.urls")),
]
