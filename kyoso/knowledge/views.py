"""Knowledge pages: search, entries (with history and attachments), people, Slack import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kyoso.accounts.access import own_municipalities
from kyoso.accounts.models import Role, User
from kyoso.core.uploads import attachment_response
from kyoso.municipalities.models import Municipality, Prefecture

from . import actions, people, recommend
from .access import (
    can_edit,
    can_write,
    contact_visible,
    editable,
    get_attachment_for_user,
    get_entry_for_user,
    is_admin,
    is_team,
    published_visible,
)
from .forms import AttachmentForm, EntryForm, ProfileForm, SearchForm, SlackUploadForm
from .models import Entry, Profile, Status
from .search import FACETS, search
from .slack import SlackExportError
from .slack_import import import_slack_export

PAGE_SIZE = 20
SLACK_MAX_BYTES = 100 * 1024 * 1024  # a workspace export of text; files are not included


def prefecture_of(user: User) -> Prefecture | None:
    if not user.is_authenticated:
        return None
    if user.prefecture_id:
        return user.prefecture
    municipality = own_municipalities(user).select_related("prefecture").first()
    return municipality.prefecture if municipality else None


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    filters = {f: request.GET.get(f, "") for f in FACETS}
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    result = search(
        query, request.user, filters, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
    )
    pages = max(1, -(-result.ranked_total // PAGE_SIZE))
    kept = {k: v for k, v in {"q": query, **result.filters}.items() if v}
    return render(
        request,
        "knowledge/search.html",
        {
            "form": form,
            "result": result,
            "page_number": page_number,
            "pages": pages,
            "previous_url": _search_url(kept, page=page_number - 1) if page_number > 1 else "",
            "next_url": _search_url(kept, page=page_number + 1) if page_number < pages else "",
            "facet_links": _facet_links(result, kept),
            "can_write": can_write(request.user),
        },
    )


def _search_url(params: dict[str, str], **changes) -> str:
    merged = {k: v for k, v in {**params, **changes}.items() if v not in ("", None)}
    if merged.get("page") == 1:
        del merged["page"]
    return reverse("knowledge:search") + ("?" + urlencode(merged) if merged else "")


def _facet_links(result, kept: dict[str, str]) -> list[dict]:
    """Per facet: its values with counts and the link that toggles each as a filter."""
    titles = {
        "kind": _("種類"),
        "theme": _("テーマ"),
        "item": _("アセスメント項目"),
        "municipality": _("団体"),
        "region": _("振興局"),
        "year": _("年度"),
        "tag": _("タグ"),
    }
    groups = []
    for facet in FACETS:
        values = result.facets.get(facet, [])
        if not values:
            continue
        links = []
        for value in values[:12]:
            toggled = "" if value.selected else value.value
            links.append({"value": value, "url": _search_url(kept, **{facet: toggled, "page": ""})})
        groups.append({"name": facet, "title": titles[facet], "links": links})
    return groups


@require_safe
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk)
    editor = can_edit(request.user, entry)
    return render(
        request,
        "knowledge/detail.html",
        {
            "entry": entry,
            "themes": entry.themes.all(),
            "authors": entry.authors.all(),
            "attachments": entry.attachments.all(),
            "related": recommend.related_entries(entry, request.user) if entry.is_published else [],
            "can_edit": editor,
            "attachment_form": AttachmentForm() if editor else None,
        },
    )


def _entry_form(request: HttpRequest, entry: Entry | None) -> HttpResponse:
    user = request.user
    prefecture = entry.prefecture if entry else prefecture_of(user)
    if prefecture is None or not can_write(user):
        raise Http404
    team = is_team(user)
    municipalities = (
        Municipality.objects.served().filter(prefecture=prefecture)
        if team
        else own_municipalities(user)
    )
    kwargs = {
        "municipalities": municipalities,
        "prefecture_id": prefecture.pk,
        "municipality_required": not team,
    }
    if request.method == "POST":
        form = EntryForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            publish = {"publish": True, "draft": False}.get(request.POST.get("action", ""))
            try:
                saved = actions.save_entry(
                    prefecture,
                    actions.EntryData(
                        kind=data["kind"],
                        title=data["title"],
                        summary=data["summary"],
                        body=data["body"],
                        municipality=data["municipality"],
                        themes=list(data["themes"]),
                        items=data["items"],
                        tags=data["tags"],
                        fiscal_year=data["fiscal_year"],
                        visibility=data["visibility"],
                        authors=list(entry.authors.all()) if entry else [user],
                        author_names=entry.author_names if entry else "",
                    ),
                    user=user,
                    entry=entry,
                    publish=publish,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("公開しました。") if saved.is_published else _("下書きを保存しました。"),
                )
                return redirect("knowledge:detail", pk=saved.pk)
    elif entry is not None:
        form = EntryForm(
            initial={
                "kind": entry.kind,
                "title": entry.title,
                "summary": entry.summary,
                "body": entry.body,
                "municipality": entry.municipality,
                "themes": list(entry.themes.all()),
                "items": "、".join(entry.items),
                "tags": "、".join(entry.tags),
                "fiscal_year": entry.fiscal_year,
                "visibility": entry.visibility,
            },
            **kwargs,
        )
    else:
        form = EntryForm(
            initial={"municipality": municipalities.first() if not team else None}, **kwargs
        )
    return render(request, "knowledge/form.html", {"form": form, "entry": entry})


@require_http_methods(["GET", "POST"])
def entry_create(request: HttpRequest) -> HttpResponse:
    return _entry_form(request, None)


@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_form(request, get_entry_for_user(request.user, pk, write=True))


@require_POST
def entry_publish(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk, write=True)
    publish = request.POST.get("action") == "publish"
    actions.set_published(entry, publish, user=request.user)
    messages.success(request, _("公開しました。") if publish else _("下書きに戻しました。"))
    return redirect("knowledge:detail", pk=entry.pk)


@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk, write=True)
    title = entry.title
    actions.delete_entry(entry)
    messages.success(request, _("「%(title)s」を削除しました。") % {"title": title})
    return redirect("knowledge:search")


@require_safe
def entry_history(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk, write=True)
    return render(
        request,
        "knowledge/history.html",
        {"entry": entry, "revisions": entry.revisions.select_related("edited_by")},
    )


@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("添付するファイルを選んでください。"))
    else:
        try:
            actions.add_attachment(entry, form.cleaned_data["file"], user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("ファイルを添付しました。"))
    return redirect("knowledge:detail", pk=entry.pk)


@require_safe
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_attachment_for_user(request.user, pk)
    return attachment_response(attachment.file, attachment.original_name, attachment.content_type)


@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_attachment_for_user(request.user, pk, write=True)
    entry_id = attachment.entry_id
    actions.delete_attachment(attachment)
    messages.success(request, _("添付ファイルを削除しました。"))
    return redirect("knowledge:detail", pk=entry_id)


@require_safe
def drafts(request: HttpRequest) -> HttpResponse:
    entries = (
        Entry.objects.filter(editable(request.user), status=Status.DRAFT)
        .select_related("municipality")
        .distinct()
        .order_by("-updated_at")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "knowledge/drafts.html", {"page": page})


@require_safe
def people_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    item = request.GET.get("item", "").strip()[:20]
    found = (
        people.who_knows(request.user, query=query, item=item, limit=20) if query or item else []
    )
    profiles = (
        Profile.objects.select_related("user")
        .prefetch_related("themes", "user__memberships__municipality")
        .filter(user__is_active=True)
        .order_by("user__name")
    )
    prefecture = prefecture_of(request.user)
    if prefecture is not None:  # the people of the asker's own prefecture
        profiles = profiles.filter(
            Q(user__prefecture=prefecture)
            | Q(user__memberships__municipality__prefecture=prefecture)
        ).distinct()
    return render(
        request,
        "knowledge/people.html",
        {"query": query, "item": item, "found": found, "profiles": profiles},
    )


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = User.objects.filter(
        pk=pk, is_active=True, role__in=[Role.MUNICIPAL_STAFF, Role.ADVISOR]
    ).first()
    if person is None:
        raise Http404
    profile = Profile.objects.filter(user=person).prefetch_related("themes").first()
    written = (
        Entry.objects.filter(published_visible(request.user), authors=person)
        .select_related("municipality")
        .order_by("-published_at")
    )
    led = person.consultations_led.filter(status="held").order_by("-starts_at")
    return render(
        request,
        "knowledge/person.html",
        {
            "person": person,
            "profile": profile,
            "municipalities": [
                m.municipality for m in person.memberships.select_related("municipality")
            ],
            "written": written[:20],
            "written_count": written.count(),
            "led_count": led.count(),
            "show_contact": profile is not None and contact_visible(request.user, profile),
            "is_me": person.pk == request.user.pk,
        },
    )


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    prefecture = prefecture_of(user)
    if user.role not in (Role.MUNICIPAL_STAFF, Role.ADVISOR) or prefecture is None:
        raise Http404
    profile = Profile.objects.filter(user=user).prefetch_related("themes").first()
    if request.method == "POST":
        form = ProfileForm(request.POST, prefecture_id=prefecture.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.save_profile(
                    user,
                    actions.ProfileData(
                        title=data["title"],
                        bio=data["bio"],
                        themes=list(data["themes"]),
                        items=data["items"],
                        tags=data["tags"],
                        contact=data["contact"],
                        contact_visibility=data["contact_visibility"],
                    ),
                    prefecture,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("プロフィールを保存しました。"))
                return redirect("knowledge:person", pk=user.pk)
    else:
        initial = {}
        if profile is not None:
            initial = {
                "title": profile.title,
                "bio": profile.bio,
                "themes": list(profile.themes.all()),
                "items": "、".join(profile.items),
                "tags": "、".join(profile.tags),
                "contact": profile.contact,
                "contact_visibility": profile.contact_visibility,
            }
        form = ProfileForm(initial=initial, prefecture_id=prefecture.pk)
    return render(request, "knowledge/profile_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def slack_import(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise Http404
    created = None
    if request.method == "POST":
        form = SlackUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > SLACK_MAX_BYTES:
                    raise SlackExportError(
                        _("ファイルが大きすぎます（%(mb)s MB まで）。")
                        % {"mb": SLACK_MAX_BYTES // (1024 * 1024)}
                    )
                result = import_slack_export(request.user.prefecture, upload, user=request.user)
            except SlackExportError as error:
                form.add_error("file", str(error))
            else:
                created = result.created
                messages.success(
                    request,
                    _(
                        "%(created)s 件のスレッドを Q&A の下書きにしました"
                        "（取り込み済みで飛ばしたもの %(skipped)s 件）。"
                    )
                    % {"created": len(result.created), "skipped": result.skipped},
                )
    else:
        form = SlackUploadForm()
    return render(request, "knowledge/slack.html", {"form": form, "created": created})
