from django.contrib import admin

from .models import Municipality, Prefecture, Region


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kana", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["code", "name", "kana"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "prefecture", "order"]
    list_filter = ["prefecture"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kana", "kind", "prefecture", "region", "is_active"]
    list_filter = ["prefecture__enabled", "kind", "is_active", "prefecture"]
    search_fields = ["code", "name", "kana"]
    list_select_related = ["prefecture", "region"]
