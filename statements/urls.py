from django.urls import path

from statements import views

app_name = "statements"

urlpatterns = [
    path("", views.quote_list, name="quote_list"),
]
