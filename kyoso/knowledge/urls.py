from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("new/", views.entry_create, name="create"),
    path("drafts/", views.drafts, name="drafts"),
    path("<int:pk>/", views.entry_detail, name="detail"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/publish/", views.entry_publish, name="publish"),
    path("<int:pk>/delete/", views.entry_delete, name="delete"),
    path("<int:pk>/history/", views.entry_history, name="history"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("people/", views.people_page, name="people"),
    path("people/me/", views.profile_edit, name="profile_edit"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("slack/", views.slack_import, name="slack"),
]
