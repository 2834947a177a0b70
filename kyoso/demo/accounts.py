"""Demo accounts: one prefecture admin, two advisors, one staff account per municipality."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from kyoso.accounts.actions import save_account
from kyoso.accounts.models import Role
from kyoso.municipalities.models import Municipality, Prefecture

DEMO_PASSWORD = "kyoso-demo"  # noqa: S105 - printed for the demo on purpose
DEMO_DOMAIN = "demo.kyoso.jp"

# Surnames and given names common in Wakayama; combined deterministically so each
# municipality's demo staff member keeps the same name every run.
_SURNAMES = [
    "田中",
    "山本",
    "中村",
    "松本",
    "前田",
    "岡本",
    "坂本",
    "小川",
    "西川",
    "宮本",
    "谷口",
    "森本",
    "辻",
    "上野",
    "湯川",
    "玉置",
    "榎本",
    "中西",
    "北山",
    "井上",
]
_GIVEN = [
    "健太",
    "美咲",
    "翔太",
    "由佳",
    "大輔",
    "彩",
    "拓也",
    "真由美",
    "誠",
    "千尋",
    "亮",
    "恵",
    "和也",
    "沙織",
    "浩之",
    "麻衣",
    "直樹",
    "智子",
    "悠人",
    "香織",
]
_DEPARTMENTS = {
    "city": "総務部 デジタル推進課",
    "town": "総務課 情報政策係",
    "village": "総務課",
    "ward": "情報政策課",
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    label: str


def staff_name(index: int) -> str:
    return f"{_SURNAMES[index % len(_SURNAMES)]} {_GIVEN[(index * 7 + 3) % len(_GIVEN)]}"


def seed_accounts(prefecture: Prefecture) -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    hashed = make_password(DEMO_PASSWORD)  # hashing once saves ~0.3 s per account
    team = [
        (f"pref@{DEMO_DOMAIN}", "和歌山 県子", Role.PREFECTURE_ADMIN, "県 DX 担当（管理者）"),
        (f"advisor1@{DEMO_DOMAIN}", "紀ノ国 一郎", Role.ADVISOR, "DX アドバイザー"),
        (f"advisor2@{DEMO_DOMAIN}", "高野 さくら", Role.ADVISOR, "DX アドバイザー"),
    ]
    for email, name, role, label in team:
        save_account(email=email, name=name, role=role, prefecture=prefecture, password_hash=hashed)
        logins.append(DemoLogin(email, role, label))
    municipalities = Municipality.objects.served().filter(prefecture=prefecture)
    for index, municipality in enumerate(municipalities):
        email = f"staff-{municipality.code}@{DEMO_DOMAIN}"
        save_account(
            email=email,
            name=staff_name(index),
            role=Role.MUNICIPAL_STAFF,
            municipality=municipality,
            department=_DEPARTMENTS[municipality.kind],
            password_hash=hashed,
        )
        logins.append(DemoLogin(email, Role.MUNICIPAL_STAFF, f"{municipality.name} 職員"))
    return logins
