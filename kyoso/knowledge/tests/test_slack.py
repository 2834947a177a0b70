"""Reading Slack export ZIPs (built in memory) into Q&A threads."""

import json
import struct
import zipfile
from datetime import UTC, datetime
from io import BytesIO

import pytest

from kyoso.knowledge.slack import (
    SlackExport,
    SlackExportError,
    SlackUser,
    convert_text,
    read_export,
)

QUESTION_TS = "1714554000.000100"  # 2024-05-01 09:00 UTC (18:00 JST)
ANSWER1_TS = "1714557600.000200"  # 2024-05-01 10:00 UTC
ANSWER2_TS = "1714640400.000300"  # 2024-05-02 09:00 UTC, in the next day's file

USERS = [
    {
        "id": "U1",
        "name": "yamada",
        "real_name": "yamada taro",
        "profile": {
            "real_name": "山田 太郎",
            "display_name": "やまだ",
            "email": "yamada@pref.example.jp",
        },
    },
    # A guest without e-mail and with only a display name.
    {"id": "U2", "name": "sakura", "profile": {"display_name": "さくら"}},
    {"id": "B1", "name": "workflow", "is_bot": True, "profile": {"real_name": "受付ボット"}},
]
CHANNELS = [
    {"id": "C1", "name": "dx-soudan", "created": 1700000000},
    {"id": "C2", "name": "general", "created": 1700000000},
]


def message(ts, user="U1", text="", **extra):
    return {"type": "message", "user": user, "text": text, "ts": ts, **extra}


def export_files():
    """A small export: one thread whose replies span two day files, plus noise."""
    return {
        "channels.json": CHANNELS,
        "users.json": USERS,
        "integration_logs.json": [],
        "dx-soudan/2024-05-01.json": [
            message("1714550000.000000", subtype="channel_join", text="<@U2> が参加しました"),
            message(
                QUESTION_TS,
                text="RPA の導入事例はありますか？",
                thread_ts=QUESTION_TS,
                reply_count=2,
            ),
            message(ANSWER1_TS, user="U2", text="あります！", thread_ts=QUESTION_TS),
            message("1714560000.000000", user="U2", text="別件です（返信なし）"),
        ],
        "dx-soudan/2024-05-02.json": [
            message(
                ANSWER2_TS,
                text="資料を添付します",
                thread_ts=QUESTION_TS,
                subtype="file_share",
                files=[{"id": "F1", "name": "事例集.pdf", "url_private": "https://files.slack"}],
            ),
            message("1714641000.000000", subtype="channel_leave", thread_ts=QUESTION_TS),
        ],
    }


def make_zip(files, root=""):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            if not isinstance(content, str | bytes):
                content = json.dumps(content, ensure_ascii=False)
            archive.writestr(root + name, content)
    return buffer.getvalue()


def read(files, **limits) -> SlackExport:
    return read_export(make_zip(files), **limits)


def error(data, **limits) -> str:
    with pytest.raises(SlackExportError) as caught:
        read_export(data, **limits)
    return str(caught.value)


# --- threads -------------------------------------------------------------------------


def test_thread_with_replies_across_two_day_files():
    export = read(export_files())

    assert export.channels == ["dx-soudan", "general"]
    [thread] = export.threads
    assert thread.channel == "dx-soudan"
    assert thread.thread_ts == QUESTION_TS
    assert thread.question.text == "RPA の導入事例はありますか？"
    assert thread.question.user_name == "山田 太郎"
    assert thread.question.email == "yamada@pref.example.jp"
    assert thread.question.posted_at == datetime(2024, 5, 1, 9, 0, 0, 100, tzinfo=UTC)
    assert [answer.text for answer in thread.answers] == ["あります！", "資料を添付します"]
    assert [answer.user_id for answer in thread.answers] == ["U2", "U1"]
    assert thread.answers[1].posted_at == datetime(2024, 5, 2, 9, 0, 0, 300, tzinfo=UTC)
    assert thread.answers[1].files == ("事例集.pdf",)


def test_answers_are_in_time_order_whatever_the_file_order():
    files = export_files()
    # Listed after the 10:00 reply, posted before it (9:30); by ts, not by position.
    files["dx-soudan/2024-05-01.json"].append(
        message("1714555800.000000", user="U2", text="先の回答", thread_ts=QUESTION_TS)
    )

    [thread] = read(files).threads

    assert [answer.text for answer in thread.answers] == [
        "先の回答",
        "あります！",
        "資料を添付します",
    ]


def test_lone_messages_are_not_threads():
    files = export_files()
    files["general/2024-05-01.json"] = [
        message("1714554000.000000", text="おはようございます"),
        # Says it has replies, but none are in the export.
        message("1714554100.000000", text="質問です", thread_ts="1714554100.000000", reply_count=3),
    ]

    export = read(files)

    assert [thread.key for thread in export.threads] == [f"dx-soudan/{QUESTION_TS}"]


def test_join_leave_and_bot_messages_are_skipped():
    files = export_files()
    files["dx-soudan/2024-05-01.json"].append(
        message("1714558000.000000", user="B1", subtype="bot_message", thread_ts=QUESTION_TS)
    )
    # A thread whose only reply is a bot's is no Q&A, and neither is a bot's question.
    files["general/2024-05-01.json"] = [
        message("1714554000.000000", text="質問", thread_ts="1714554000.000000"),
        message(
            "1714554001.000000", user="B1", subtype="bot_message", thread_ts="1714554000.000000"
        ),
        message(
            "1714555000.000000", user="B1", subtype="bot_message", thread_ts="1714555000.000000"
        ),
        message("1714555001.000000", text="回答", thread_ts="1714555000.000000"),
    ]

    export = read(files)

    [thread] = export.threads
    assert [answer.text for answer in thread.answers] == ["あります！", "資料を添付します"]


def test_thread_broadcast_counts_once():
    files = export_files()
    broadcast = message(
        "1714558000.000000",
        user="U2",
        text="全体にも共有",
        thread_ts=QUESTION_TS,
        subtype="thread_broadcast",
    )
    files["dx-soudan/2024-05-01.json"].append(broadcast)
    files["dx-soudan/2024-05-02.json"].append(broadcast)

    [thread] = read(files).threads

    assert [answer.text for answer in thread.answers] == [
        "あります！",
        "全体にも共有",
        "資料を添付します",
    ]


def test_direct_messages_and_non_channel_files_are_ignored():
    files = export_files()
    files["dms.json"] = [{"id": "D1", "members": ["U1", "U2"]}]
    files["groups.json"] = [{"id": "G1", "name": "secret"}]
    private = [
        message("1.000000", text="秘密", thread_ts="1.000000"),
        message("2.0", thread_ts="1.000000"),
    ]
    files["D1/2024-05-01.json"] = private
    files["secret/2024-05-01.json"] = private
    files["dx-soudan/attachments/2024-05-01.json"] = private  # not directly in the folder
    files["dx-soudan/readme.txt"] = "not json {"
    files["dx-soudan/image.png"] = b"\x89PNG\r\n\x1a\n"

    export = read(files)

    assert [thread.key for thread in export.threads] == [f"dx-soudan/{QUESTION_TS}"]


# --- text ------------------------------------------------------------------------------

KNOWN = {"U1": SlackUser("U1", "山田 太郎", "yamada@pref.example.jp")}


@pytest.mark.parametrize(
    ("slack", "expected"),
    [
        ("<@U1> さん、ありがとうございます", "@山田 太郎 さん、ありがとうございます"),
        ("<@U999> さん", "@U999 さん"),
        ("<@U999|suzuki> さん", "@suzuki さん"),
        ("<#C1|dx-soudan> で聞いてください", "#dx-soudan で聞いてください"),
        ("<#C2> へ", "#general へ"),
        (
            "<https://www.pref.example.jp/dx|県のDXページ> を参照",
            "[県のDXページ](https://www.pref.example.jp/dx) を参照",
        ),
        ("<https://example.jp/a?b=1&amp;c=2>", "https://example.jp/a?b=1&c=2"),
        (
            "<mailto:dx@pref.example.jp|dx@pref.example.jp>",
            "[dx@pref.example.jp](mailto:dx@pref.example.jp)",
        ),
        ("<javascript:alert(1)|押して>", "押して"),
        (
            "<https://example.jp/x_(1)|[重要] 資料>",
            "[\\[重要\\] 資料](https://example.jp/x_%281%29)",
        ),
        ("<!here> <!channel> <!subteam^S1|@dx-team>", "@here @channel @dx-team"),
        ("a &amp; b &lt;tag&gt; &amp;lt;", "a & b <tag> &lt;"),
        ("*太字* _斜体_ ~取消~ ```code``` :smile:", "*太字* _斜体_ ~取消~ ```code``` :smile:"),
    ],
)
def test_convert_text(slack, expected):
    assert convert_text(slack, KNOWN, {"C1": "dx-soudan", "C2": "general"}) == expected


def test_mentions_in_an_export_use_names_from_users_json():
    files = export_files()
    files["dx-soudan/2024-05-01.json"][2]["text"] = "<@U1> さん、<#C2> をご覧ください &amp; 以上"

    [thread] = read(files).threads

    assert thread.answers[0].text == "@山田 太郎 さん、#general をご覧ください & 以上"


# --- people ----------------------------------------------------------------------------


def test_users_with_and_without_email():
    export = read(export_files())

    assert export.users["U1"] == SlackUser("U1", "山田 太郎", "yamada@pref.example.jp")
    assert export.users["U2"] == SlackUser("U2", "さくら", "")
    [thread] = export.threads
    assert (thread.answers[0].user_name, thread.answers[0].email) == ("さくら", "")


def test_unknown_users_are_named_from_the_message_or_by_id():
    files = export_files()
    day1 = files["dx-soudan/2024-05-01.json"]
    day1[1]["user"] = "U404"
    day1[1]["user_profile"] = {"real_name": "退職 花子", "display_name": "hanako"}
    day1[2]["user"] = "U405"

    [thread] = read(files).threads

    assert (thread.question.user_id, thread.question.user_name) == ("U404", "退職 花子")
    assert thread.question.email == ""
    assert (thread.answers[0].user_id, thread.answers[0].user_name) == ("U405", "U405")


# --- layout, identity, order ---------------------------------------------------------


def test_export_inside_one_top_level_folder():
    files = export_files()
    buffer = BytesIO(make_zip(files, root="Kyoso Slack export May 1 2024/"))

    assert read_export(buffer) == read(files)


def test_key_is_channel_and_parent_ts_and_survives_a_later_export():
    first = read(export_files())
    files = export_files()
    files["dx-soudan/2024-05-03.json"] = [
        message("1714726800.000000", user="U2", text="追記です", thread_ts=QUESTION_TS)
    ]
    later = read(files)

    assert first.threads[0].key == f"dx-soudan/{QUESTION_TS}"
    assert later.threads[0].key == first.threads[0].key
    assert len(later.threads[0].answers) == 3


def test_output_is_deterministic_and_sorted_by_channel_then_time():
    files = export_files()
    files["general/2024-04-01.json"] = [
        message("1711962000.000000", text="後の質問", thread_ts="1711962000.000000"),
        message("1711962001.000000", user="U2", text="回答", thread_ts="1711962000.000000"),
        message("1711900000.000000", text="先の質問", thread_ts="1711900000.000000"),
        message("1711900001.000000", user="U2", text="回答", thread_ts="1711900000.000000"),
    ]
    reordered = dict(reversed(list(files.items())))

    export = read(files)

    assert read(reordered) == export
    assert [(t.channel, t.question.text) for t in export.threads] == [
        ("dx-soudan", "RPA の導入事例はありますか？"),
        ("general", "先の質問"),
        ("general", "後の質問"),
    ]


# --- rejected ZIPs ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"channels.json,users.json", b"PK\x03\x04broken"])
def test_not_a_zip(data):
    assert error(data) == "ZIP ファイルではありません。"


def test_missing_users_json():
    files = export_files()
    del files["users.json"]

    assert "channels.json / users.json がありません" in error(make_zip(files))


def test_invalid_json_names_the_file():
    files = export_files()
    files["dx-soudan/2024-05-01.json"] = '[{"type": "message", "ts": '

    assert error(make_zip(files, root="export/")) == (
        "export/dx-soudan/2024-05-01.json を読めません（JSON の形式が正しくありません）。"
    )


def test_message_file_that_is_not_a_list():
    files = export_files()
    files["dx-soudan/2024-05-02.json"] = {"messages": []}

    assert error(make_zip(files)) == (
        "dx-soudan/2024-05-02.json の形式が正しくありません（メッセージの一覧ではありません）。"
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("users.json", {"U1": {}}),
        ("channels.json", [{"id": "C1"}]),
        ("dx-soudan/2024-05-01.json", [message("yesterday")]),
        ("dx-soudan/2024-05-01.json", ["hello"]),
    ],
)
def test_wrong_structure_names_the_file(name, content):
    files = export_files()
    files[name] = content

    assert error(make_zip(files)).startswith(f"{name} の形式が正しくありません")


def test_zip_bomb_is_refused_by_declared_size_before_reading(monkeypatch):
    files = export_files()
    files["dx-soudan/zeros.bin"] = bytes(2 * 1024 * 1024)  # compresses to about 2 KB
    data = make_zip(files)
    assert len(data) < 100 * 1024

    def no_reading(*args, **kwargs):
        raise AssertionError("read before the sizes were checked")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)

    assert error(data, max_bytes=1024 * 1024) == "ZIP を展開すると大きすぎます（上限は 1 MB）。"


def test_entry_that_is_larger_than_declared_is_refused():
    files = export_files()
    data = bytearray(make_zip(files))
    # Shrink the size the central directory declares for users.json.
    header = data.index(b"PK\x01\x02")
    while not data[header + 46 :].startswith(b"users.json"):  # the name follows the header
        header = data.index(b"PK\x01\x02", header + 4)
    struct.pack_into("<I", data, header + 24, 10)

    assert error(bytes(data)) == "users.json を読めません（ZIP が壊れています）。"


def test_too_many_files():
    assert "ファイルが多すぎます" in error(make_zip(export_files()), max_files=3)


@pytest.mark.parametrize(
    "name", ["../users.json", "dx-soudan/../../etc/passwd.json", "/etc/x.json", "C:/x.json"]
)
def test_entry_names_that_leave_the_folder_are_refused(name):
    files = export_files()
    files[name] = []

    assert error(make_zip(files)) == f"ZIP に不正なファイル名があります（{name}）。"
