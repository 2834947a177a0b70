from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("events/", views.event_list, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("dispatches/", views.dispatch_list, name="dispatches"),
    path("profile/<str:code>/", views.municipality_profile, name="profile"),
]
