"""Demo support work: advisors' assignments, a year of よろず相談, events and dispatches.

Follows the seed: ten advisors, one assigned to every municipality; 定例 about every two
months, テーマ別 6 themes × 3, 地域別 2 per 振興局, 随時 from chat; DX入門研修 (28 団体・
約1,000名), 合同研修 in 紀北 and 紀南 (25 市町村・48 名), トップセミナー, 成果報告会; and the
経営・財務マネジメント強化事業 table R4 0 団体 0 件, R5 22 団体 23 件, R6 20 団体 34 件.
Consultations fill the current fiscal year: those before today are held, with minutes
and follow-ups; the rest are planned.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.utils import timezone

from kyoso.accounts.models import Role, User
from kyoso.activities.models import Attendance, Dispatch, Event, EventKind, Programme
from kyoso.consultations.models import (
    Assignment,
    Consultation,
    FollowUp,
    FollowUpStatus,
    Kind,
    Mode,
    Plan,
    Status,
    Theme,
)
from kyoso.lib.fiscal import current_fiscal_year
from kyoso.municipalities.models import Municipality, Prefecture

TOKYO = ZoneInfo("Asia/Tokyo")

ADVISORS = [
    ("advisor1", "紀ノ国 一郎", "元 政令市 CIO補佐官"),
    ("advisor2", "高野 さくら", "BPR コンサルタント"),
    ("advisor3", "熊野 大地", "自治体システム標準化 支援"),
    ("advisor4", "白浜 涼子", "デジタル人材育成"),
    ("advisor5", "有田 誠", "情報セキュリティ"),
    ("advisor6", "日高 美穂", "窓口 DX・書かない窓口"),
    ("advisor7", "那智 健司", "データ利活用・オープンデータ"),
    ("advisor8", "串本 真理", "地域社会 DX"),
    ("advisor9", "湯浅 拓海", "共同調達・共同利用"),
    ("advisor10", "橋本 智子", "生成 AI・RPA 活用"),
]

THEMES = [
    "R8以降の事業のあり方・枠組み",
    "窓口BPR・庁内BPR",
    "DX人材育成・確保",
    "共同利用・共同調達",
    "オープンデータ・利活用",
    "地域社会DX",
]

# Seed 「KPI設定」 ポイント②: 経営・財務マネジメント強化事業 — fiscal year: (municipalities, cases)
MANAGEMENT_DISPATCHES = {2022: (0, 0), 2023: (22, 23), 2024: (20, 34)}
DISPATCH_THEMES = [
    "DX推進計画の策定",
    "窓口業務の改革（BPR）",
    "自治体システム標準化への対応",
    "データに基づく業務改善",
    "情報セキュリティ対策",
    "DX推進体制の構築",
    "公共施設予約のオンライン化",
]
DISPATCH_ADVISORS = ["松田 浩二", "石井 恵美", "大野 修", "村上 彩子", "藤井 剛"]

REGULAR_TOPICS = [
    ("行政手続のオンライン化の進め方", ["3-3"]),
    ("BPR の対象業務の選び方", ["3-12"]),
    ("DX推進計画の見直し", ["1-1"]),
    ("職員研修の企画", ["0-3", "D2"]),
    ("国のアドバイザー派遣制度の活用", ["D7"]),
    ("庁内の推進体制づくり", ["2-1"]),
]


def seed_support(prefecture: Prefecture, hashed_password: str) -> list[User]:
    """Everything above, once: a second run leaves existing records alone."""
    from kyoso.accounts.actions import save_account

    advisors = [
        save_account(
            email=f"{login}@demo.kyoso.jp",
            name=name,
            role=Role.ADVISOR,
            prefecture=prefecture,
            department=f"DX アドバイザー（{speciality}）",
            password_hash=hashed_password,
        )
        for login, name, speciality in ADVISORS
    ]
    municipalities = list(
        Municipality.objects.served().filter(prefecture=prefecture).select_related("region")
    )
    this_year = current_fiscal_year()
    _seed_assignments(municipalities, advisors, range(2024, this_year + 1))
    themes = [
        Theme.objects.get_or_create(prefecture=prefecture, name=name, defaults={"order": i})[0]
        for i, name in enumerate(THEMES)
    ]
    if not Consultation.objects.filter(prefecture=prefecture).exists():
        _seed_consultations(prefecture, municipalities, themes, this_year)
    if not Event.objects.filter(prefecture=prefecture).exists():
        _seed_events(prefecture, municipalities)
    if not Dispatch.objects.filter(municipality__prefecture=prefecture).exists():
        _seed_dispatches(municipalities)
    return advisors


def _seed_assignments(municipalities, advisors, years) -> None:
    # Neighbours share an advisor: municipalities in code order, three per advisor.
    for year in years:
        for index, municipality in enumerate(municipalities):
            Assignment.objects.get_or_create(
                fiscal_year=year,
                municipality=municipality,
                defaults={"advisor": advisors[index * len(advisors) // len(municipalities)]},
            )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TOKYO)


def _minutes(topic: str, items: list[str], rng: random.Random) -> str:
    points = rng.sample(
        [
            "現状の課題を共有し、優先順位を確認した。",
            "先行団体の事例（ポータル掲載）を紹介した。",
            "庁内の関係課を巻き込む進め方を相談した。",
            "次回までに業務量の簡易調査を行うことにした。",
            "予算要求の時期に合わせて計画を見直すことを確認した。",
            "国の派遣制度の申請手順を説明した。",
        ],
        3,
    )
    lines = [f"## {topic}", ""]
    if items:
        lines += [f"関連項目: {'、'.join(items)}", ""]
    lines += ["### 主な内容", ""]
    lines += [f"- {p}" for p in points]
    lines += ["", "### 次回に向けて", "", "- 進捗を定例相談で確認する。"]
    return "\n".join(lines)


def _consultation(prefecture, kind, title, start, advisors, municipalities, **extra):
    now = timezone.now()
    status = Status.HELD if start < now else Status.PLANNED
    if extra.pop("cancel", False):
        status = Status.CANCELLED
    minutes = extra.pop("minutes", "")
    minutes = minutes if status == Status.HELD else ""
    consultation = Consultation.objects.create(
        prefecture=prefecture,
        kind=kind,
        title=title,
        starts_at=start,
        status=status,
        minutes=minutes,
        **extra,
    )
    consultation.advisors.set(advisors)
    consultation.municipalities.set(municipalities)
    return consultation


def _follow_ups(consultation, municipalities, rng: random.Random) -> None:
    if consultation.status != Status.HELD:
        return
    today = timezone.localdate()
    for municipality in municipalities[:2]:
        due = consultation.starts_at.astimezone(TOKYO).date() + dt.timedelta(days=30)
        done = due < today - dt.timedelta(days=20) and rng.random() < 0.8
        FollowUp.objects.create(
            consultation=consultation,
            municipality=municipality,
            action=rng.choice(
                [
                    "対象業務の洗い出し結果を共有する",
                    "庁内説明資料の案を作成する",
                    "先行団体に問い合わせる",
                    "研修の参加者を募る",
                    "派遣制度の申請書を準備する",
                ]
            ),
            owner=f"{municipality.name} 担当",
            due_on=due,
            status=FollowUpStatus.DONE if done else FollowUpStatus.OPEN,
            done_on=due - dt.timedelta(days=3) if done else None,
        )


def _seed_consultations(prefecture, municipalities, themes, year: int) -> None:
    rng = random.Random(f"consultations-{year}")  # noqa: S311 - demo data, not security
    start = dt.date(year, 4, 1)
    for kind, per_unit in ((Kind.REGULAR, 6), (Kind.THEME, 3), (Kind.REGIONAL, 2)):
        Plan.objects.get_or_create(
            prefecture=prefecture, fiscal_year=year, kind=kind, defaults={"per_unit": per_unit}
        )
    advisor_of = {
        a.municipality_id: a.advisor
        for a in Assignment.objects.filter(fiscal_year=year).select_related("advisor")
    }
    # 定例: every two months; a few municipalities skipped some (thin support shows).
    for index, municipality in enumerate(municipalities):
        skipped = {2, 4} if index % 7 == 3 else set()
        for n in range(6):
            if n in skipped:
                continue
            day = start + dt.timedelta(days=61 * n + 7 + index % 20)
            topic, items = REGULAR_TOPICS[(index + n) % len(REGULAR_TOPICS)]
            consultation = _consultation(
                prefecture,
                Kind.REGULAR,
                f"定例よろず相談（{municipality.name}）{topic}",
                _at(day, 10 if index % 2 else 14),
                [advisor_of[municipality.pk]],
                [municipality],
                items=items,
                agenda=f"{topic}について",
                minutes=_minutes(topic, items, rng),
                duration_minutes=60,
            )
            _follow_ups(consultation, [municipality], rng)
    # テーマ別: 6 themes × 3, two hours online, with the municipalities that asked for it.
    for t, theme in enumerate(themes):
        for n in range(3):
            day = start + dt.timedelta(days=30 + 110 * n + 9 * t)
            chosen = rng.sample(municipalities, 6 + t)
            consultation = _consultation(
                prefecture,
                Kind.THEME,
                f"テーマ別よろず相談「{theme.name}」第{n + 1}回",
                _at(day, 14),
                rng.sample(list(set(advisor_of.values())), 2),
                chosen,
                theme=theme,
                duration_minutes=120,
                agenda=f"{theme.name}：各団体の取組状況の共有と意見交換",
                minutes=_minutes(theme.name, ["3-12"] if t == 1 else [], rng),
            )
            _follow_ups(consultation, chosen, rng)
    # 地域別: twice a year for each 振興局.
    regions = []
    for m in municipalities:
        if m.region not in regions:
            regions.append(m.region)
    for r, region in enumerate(regions):
        members = [m for m in municipalities if m.region_id == region.pk]
        for n in range(2):
            day = start + dt.timedelta(days=75 + 150 * n + 5 * r)
            _consultation(
                prefecture,
                Kind.REGIONAL,
                f"地域別よろず相談（{region.name}）第{n + 1}回",
                _at(day, 13),
                sorted({advisor_of[m.pk] for m in members}, key=lambda u: u.pk),
                members,
                region=region,
                duration_minutes=120,
                agenda="管内市町村の情報交換",
                minutes=_minutes(f"{region.name}管内の情報交換", [], rng),
            )
    # 随時: questions that came in by chat.
    for n in range(12):
        municipality = municipalities[(n * 7) % len(municipalities)]
        day = start + dt.timedelta(days=20 + 27 * n)
        _consultation(
            prefecture,
            Kind.AD_HOC,
            f"チャット相談：{REGULAR_TOPICS[n % len(REGULAR_TOPICS)][0]}",
            _at(day, 11),
            [advisor_of[municipality.pk]],
            [municipality],
            mode=Mode.CHAT,
            duration_minutes=30,
            minutes="チャットでの質問に回答した。",
        )


def _attend(event, municipalities, people_per) -> None:
    Attendance.objects.bulk_create(
        Attendance(event=event, municipality=m, people=people_per(i, m))
        for i, m in enumerate(municipalities)
    )


def _spread(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` people over municipalities in proportion to weights (each ≥ 1)."""
    shares = [max(1, total * w // sum(weights)) for w in weights]
    shares[0] += total - sum(shares)
    return shares


def _seed_events(prefecture, municipalities) -> None:
    cities = [m for m in municipalities if m.kind == "city"]
    # 令和5年度: トップセミナー at the mayors' meeting, DX入門研修 for 28 municipalities
    # (about 1,000 people), 合同研修 in 紀北 and 紀南 (25 municipalities, 48 people).
    top = Event.objects.create(
        prefecture=prefecture,
        kind=EventKind.TOP_SEMINAR,
        title="トップセミナー（市町村長会議）",
        held_on=dt.date(2023, 5, 24),
        place="和歌山県庁",
        audience="市町村長",
    )
    _attend(top, municipalities, lambda i, m: 1)
    intro = Event.objects.create(
        prefecture=prefecture,
        kind=EventKind.DX_INTRO,
        title="DX入門研修（動画配信・集合研修）",
        held_on=dt.date(2023, 8, 1),
        online=True,
        audience="全職員",
    )
    attending = [m for m in municipalities if m.code not in ("304221", "304271")]  # 28
    weights = [12 if m.kind == "city" else 3 for m in attending]
    shares = _spread(1000, weights)
    _attend(intro, attending, lambda i, m: shares[i])
    north = [m for m in municipalities if m.code < "303800"]
    south = [m for m in municipalities if m.code >= "303800"]
    for title, place, day, members, people in (
        ("市町村DX合同研修（紀北）", "和歌山市", dt.date(2023, 11, 9), north[:13], 26),
        ("市町村DX合同研修（紀南）", "田辺市", dt.date(2023, 11, 16), south[:12], 22),
    ):
        event = Event.objects.create(
            prefecture=prefecture,
            kind=EventKind.JOINT,
            title=title,
            held_on=day,
            place=place,
            audience="DX担当職員",
        )
        shares = _spread(people, [2 if m in cities else 1 for m in members])
        _attend(event, members, lambda i, m, s=shares: s[i])
    # 令和6年度 and 令和7年度.
    for title, kind, day, place in (
        (
            "トップセミナー（市町村長会議）",
            EventKind.TOP_SEMINAR,
            dt.date(2024, 5, 22),
            "和歌山県庁",
        ),
        ("市町村DX合同研修", EventKind.JOINT, dt.date(2025, 10, 2), "白浜町"),
        ("よろず相談 成果報告会", EventKind.RESULTS, dt.date(2026, 2, 18), "和歌山県民文化会館"),
    ):
        event = Event.objects.create(
            prefecture=prefecture, kind=kind, title=title, held_on=day, place=place
        )
        members = municipalities if kind == EventKind.TOP_SEMINAR else municipalities[::2]
        people = 1 if kind == EventKind.TOP_SEMINAR else 2
        _attend(event, members, lambda i, m, n=people: n)


def _seed_dispatches(municipalities) -> None:
    rng = random.Random("dispatches")  # noqa: S311 - demo data, not security
    for year, (count, cases) in MANAGEMENT_DISPATCHES.items():
        chosen = rng.sample(municipalities, count)
        # Every chosen municipality once, the remaining cases to the first ones again.
        users = chosen + [chosen[i % count] for i in range(cases - count)] if count else []
        for n, municipality in enumerate(users):
            Dispatch.objects.create(
                municipality=municipality,
                programme=Programme.MANAGEMENT,
                held_on=dt.date(year, 6, 1) + dt.timedelta(days=(n * 9) % 280),
                theme=DISPATCH_THEMES[n % len(DISPATCH_THEMES)],
                advisor_name=DISPATCH_ADVISORS[n % len(DISPATCH_ADVISORS)],
            )
    # 令和7年度 plan: 経営・財務マネジメント強化事業 5 回, 地域情報化アドバイザー派遣制度 3 回.
    for n, municipality in enumerate(rng.sample(municipalities, 8)):
        programme = Programme.MANAGEMENT if n < 5 else Programme.REGIONAL_INFORMATISATION
        Dispatch.objects.create(
            municipality=municipality,
            programme=programme,
            held_on=dt.date(2025, 7, 1) + dt.timedelta(days=21 * n),
            theme=DISPATCH_THEMES[(n + 3) % len(DISPATCH_THEMES)],
            advisor_name=DISPATCH_ADVISORS[n % len(DISPATCH_ADVISORS)],
        )
