"""Prefectures, regions (振興局) and municipalities: Japan's reference data."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PrefectureQuerySet(models.QuerySet):
    def enabled(self) -> PrefectureQuerySet:
        return self.filter(enabled=True)


class Prefecture(models.Model):
    """One of the 47 prefectures. ``enabled`` marks those this deployment serves."""

    code = models.CharField(_("団体コード"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=10)
    kana = models.CharField(_("よみ"), max_length=20)
    enabled = models.BooleanField(
        _("利用中"),
        default=False,
        help_text=_("この環境で支援事業を行う都道府県。職員はここに属する団体にだけ所属できます。"),
    )

    objects = PrefectureQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("都道府県")
        verbose_name_plural = _("都道府県")

    def __str__(self) -> str:
        return self.name

    @property
    def number(self) -> str:
        """Two-digit prefecture number: 30 for 和歌山県."""
        return self.code[:2]


class Region(models.Model):
    """A prefecture's administrative region, such as Wakayama's 振興局."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="regions")
    name = models.CharField(_("名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["prefecture__code", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name"], name="region_unique_name"),
        ]
        verbose_name = _("地域（振興局）")
        verbose_name_plural = _("地域（振興局）")

    def __str__(self) -> str:
        return self.name

    @property
    def short_name(self) -> str:
        """``海草`` for ``海草振興局``."""
        return self.name.removesuffix("振興局")


class Kind(models.TextChoices):
    CITY = "city", _("市")
    TOWN = "town", _("町")
    VILLAGE = "village", _("村")
    SPECIAL_WARD = "ward", _("特別区")


class MunicipalityQuerySet(models.QuerySet):
    def active(self) -> MunicipalityQuerySet:
        return self.filter(is_active=True)

    def served(self) -> MunicipalityQuerySet:
        """Active municipalities of the prefectures this deployment serves."""
        return self.filter(is_active=True, prefecture__enabled=True)


class Municipality(models.Model):
    """A municipality (市区町村) identified by its 6-digit local government code."""

    code = models.CharField(_("団体コード"), max_length=6, unique=True)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="municipalities"
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="municipalities",
        verbose_name=_("地域"),
    )
    name = models.CharField(_("名称"), max_length=20)
    kana = models.CharField(_("よみ"), max_length=40)
    kind = models.CharField(_("区分"), max_length=10, choices=Kind.choices)
    is_active = models.BooleanField(
        _("現存"),
        default=True,
        help_text=_("合併などで現在のコード表から消えた団体は無効になります。"),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("市区町村")
        verbose_name_plural = _("市区町村")

    def __str__(self) -> str:
        return self.name
