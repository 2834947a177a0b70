"""Load the bundled reference data (prefectures, regions, municipalities) idempotently.

Reading and checking the files is separate from writing, so a bad file is reported
line by line before anything touches the database, and the write is one transaction.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from kyoso.lib.lgcode import is_valid_code, prefecture_code_of

from .models import Kind, Municipality, Prefecture, Region

DATA_DIR = Path(__file__).resolve().parent / "data"
CODES_FILE = DATA_DIR / "local-government-codes.csv"
REGIONS_FILE = DATA_DIR / "regions.csv"
CODE_COLUMNS = ["code", "prefecture", "name", "prefecture_kana", "name_kana"]
REGION_COLUMNS = ["code", "name", "region", "region_order"]
TOKYO_SPECIAL_WARD_PREFIX = "131"


class ReferenceDataError(Exception):
    """A reference file that cannot be loaded; ``problems`` lists each bad line."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems[:10]))


@dataclass(frozen=True)
class CodeRow:
    code: str
    prefecture: str
    name: str  # empty for a prefecture's own row
    prefecture_kana: str
    name_kana: str


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    region: str
    region_order: int


@dataclass
class LoadReport:
    """What a load changed, by model: created, updated, deactivated."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {
            model: {"created": 0, "updated": 0, "deactivated": 0}
            for model in ("prefecture", "region", "municipality")
        }
    )

    def add(self, model: str, what: str, n: int = 1) -> None:
        self.counts[model][what] += n


def kind_of(code: str, name: str) -> str:
    """市/町/村 from the name's last character; Tokyo's 区 are special wards."""
    if code.startswith(TOKYO_SPECIAL_WARD_PREFIX) and name.endswith("区"):
        return Kind.SPECIAL_WARD
    for suffix, kind in (("市", Kind.CITY), ("町", Kind.TOWN), ("村", Kind.VILLAGE)):
        if name.endswith(suffix):
            return kind
    raise ValueError(f"cannot tell the kind of {code} {name}")


def _read_csv(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != columns:
            raise ReferenceDataError(
                path, [f"header must be {','.join(columns)}, got {reader.fieldnames}"]
            )
        return [(line, row) for line, row in enumerate(reader, start=2)]


def read_codes(path: Path = CODES_FILE) -> list[CodeRow]:
    problems: list[str] = []
    rows: list[CodeRow] = []
    seen: set[str] = set()
    for line, raw in _read_csv(path, CODE_COLUMNS):
        row = CodeRow(**{key: (raw[key] or "").strip() for key in CODE_COLUMNS})
        if not is_valid_code(row.code):
            problems.append(f"line {line}: invalid code {row.code!r}")
            continue
        if row.code in seen:
            problems.append(f"line {line}: duplicate code {row.code}")
            continue
        seen.add(row.code)
        if not row.prefecture or not row.prefecture_kana:
            problems.append(f"line {line}: prefecture and prefecture_kana are required")
            continue
        if row.name:
            try:
                kind_of(row.code, row.name)
            except ValueError:
                problems.append(f"line {line}: {row.name} does not end in 市, 町, 村 or 区")
                continue
            if prefecture_code_of(row.code) == row.code:
                problems.append(f"line {line}: {row.code} is a prefecture code but has a name")
                continue
        elif prefecture_code_of(row.code) != row.code:
            problems.append(f"line {line}: municipality {row.code} has no name")
            continue
        rows.append(row)
    prefectures = {r.code for r in rows if not r.name}
    for r in rows:
        if r.name and prefecture_code_of(r.code) not in prefectures:
            problems.append(f"{r.code} {r.name}: its prefecture has no row")
    if problems:
        raise ReferenceDataError(path, problems)
    return rows


def read_regions(path: Path = REGIONS_FILE) -> list[RegionRow]:
    problems: list[str] = []
    rows: list[RegionRow] = []
    for line, raw in _read_csv(path, REGION_COLUMNS):
        code = (raw["code"] or "").strip()
        if not is_valid_code(code):
            problems.append(f"line {line}: invalid code {code!r}")
            continue
        try:
            order = int(raw["region_order"])
        except (TypeError, ValueError):
            problems.append(f"line {line}: region_order must be a whole number")
            continue
        rows.append(RegionRow(code, raw["name"].strip(), raw["region"].strip(), order))
    if problems:
        raise ReferenceDataError(path, problems)
    return rows


@transaction.atomic
def load_reference(codes_path: Path = CODES_FILE, regions_path: Path = REGIONS_FILE) -> LoadReport:
    """Create or update every prefecture, region and municipality from the files.

    Running it twice changes nothing the second time. A prefecture's ``enabled`` flag
    is never touched. Municipalities missing from the file are marked inactive.
    """
    code_rows = read_codes(codes_path)
    region_rows = read_regions(regions_path)
    by_code = {r.code: r for r in code_rows}
    # Regions are matched by code; the name column is there for people reading the file.
    unknown = [
        f"{r.code} {r.name} is not in the code list" for r in region_rows if r.code not in by_code
    ]
    if unknown:
        raise ReferenceDataError(regions_path, unknown)

    report = LoadReport()
    prefectures = _sync_prefectures([r for r in code_rows if not r.name], report)
    regions = _sync_regions(region_rows, prefectures, report)
    region_of = {r.code: regions[(prefecture_code_of(r.code), r.region)] for r in region_rows}
    _sync_municipalities([r for r in code_rows if r.name], prefectures, region_of, report)
    return report


def _sync_prefectures(rows: list[CodeRow], report: LoadReport) -> dict[str, Prefecture]:
    existing = {p.code: p for p in Prefecture.objects.all()}
    for row in rows:
        prefecture = existing.get(row.code)
        if prefecture is None:
            existing[row.code] = Prefecture.objects.create(
                code=row.code, name=row.prefecture, kana=row.prefecture_kana
            )
            report.add("prefecture", "created")
        elif (prefecture.name, prefecture.kana) != (row.prefecture, row.prefecture_kana):
            prefecture.name, prefecture.kana = row.prefecture, row.prefecture_kana
            prefecture.save(update_fields=["name", "kana"])
            report.add("prefecture", "updated")
    return existing


def _sync_regions(
    rows: list[RegionRow], prefectures: dict[str, Prefecture], report: LoadReport
) -> dict[tuple[str, str], Region]:
    existing = {(r.prefecture.code, r.name): r for r in Region.objects.select_related("prefecture")}
    for row in rows:
        key = (prefecture_code_of(row.code), row.region)
        region = existing.get(key)
        if region is None:
            existing[key] = Region.objects.create(
                prefecture=prefectures[key[0]], name=row.region, order=row.region_order
            )
            report.add("region", "created")
        elif region.order != row.region_order:
            region.order = row.region_order
            region.save(update_fields=["order"])
            report.add("region", "updated")
    return existing


def _sync_municipalities(
    rows: list[CodeRow],
    prefectures: dict[str, Prefecture],
    region_of: dict[str, Region],
    report: LoadReport,
) -> None:
    existing = {m.code: m for m in Municipality.objects.all()}
    fields = ["prefecture_id", "region_id", "name", "kana", "kind", "is_active"]
    to_create: list[Municipality] = []
    to_update: list[Municipality] = []
    for row in rows:
        region = region_of.get(row.code)
        wanted = {
            "prefecture_id": prefectures[prefecture_code_of(row.code)].pk,
            "region_id": region.pk if region else None,
            "name": row.name,
            "kana": row.name_kana,
            "kind": kind_of(row.code, row.name),
            "is_active": True,
        }
        municipality = existing.pop(row.code, None)
        if municipality is None:
            to_create.append(Municipality(code=row.code, **wanted))
        elif any(getattr(municipality, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(municipality, key, value)
            to_update.append(municipality)
    gone = [m for m in existing.values() if m.is_active]
    for municipality in gone:
        municipality.is_active = False
    Municipality.objects.bulk_create(to_create, batch_size=500)
    Municipality.objects.bulk_update(to_update + gone, fields, batch_size=500)
    report.add("municipality", "created", len(to_create))
    report.add("municipality", "updated", len(to_update))
    report.add("municipality", "deactivated", len(gone))
