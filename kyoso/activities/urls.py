from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("dispatches/", views.dispatch_list, name="dispatches"),
    path("dispatches/new/", views.dispatch_create, name="dispatch_create"),
    path("profile/<str:code>/", views.municipality_profile, name="profile"),
]
