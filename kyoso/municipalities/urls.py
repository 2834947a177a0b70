from django.urls import path

from . import views

app_name = "municipalities"
urlpatterns = [
    path("", views.municipality_list, name="list"),
    path("<str:code>/", views.municipality_detail, name="detail"),
    path("<str:code>/members/", views.municipality_members, name="members"),
]
