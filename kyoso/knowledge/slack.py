"""Reading a Slack workspace export (ZIP) into question-and-answer threads.

Pure and standard-library only: the ZIP is read in memory, nothing is written to disk, and
nothing in it is trusted. Every thread with at least one reply in a channel listed in
``channels.json`` becomes a ``SlackThread``: the parent message is the question, the replies
in time order are the answers. Direct messages and private channels (``dms.json``,
``groups.json``, ``mpims.json`` and their folders) are never read.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any, BinaryIO

MEGABYTE = 1024 * 1024
# Ordinary messages, replies also sent to the channel, file posts and /me; every other
# subtype (channel_join, channel_leave, bot_message, channel_topic, tombstone…) is skipped.
_KEPT_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}
_TS = re.compile(r"\d{1,10}(?:\.\d{1,6})?")
# Slack escapes &, < and > in text, so every remaining <…> is markup.
_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_BROADCASTS = {"here", "channel", "everyone"}
_UNSAFE_IN_URL = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


class SlackExportError(ValueError):
    """A malformed or foreign ZIP; the message is Japanese, for the user, and names the file."""


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    email: str  # "" when the export has none (bots, guests, exports without e-mail)


@dataclass(frozen=True)
class SlackMessage:
    user_id: str
    user_name: str
    email: str
    text: str  # Markdown-ish plain text; untrusted, render it like any user input
    posted_at: datetime  # aware, UTC
    files: tuple[str, ...]  # names of attached files; Slack files are never downloaded


@dataclass(frozen=True)
class SlackThread:
    channel: str
    thread_ts: str
    question: SlackMessage
    answers: tuple[SlackMessage, ...]

    @property
    def key(self) -> str:
        """The thread's identity across re-imports."""
        return f"{self.channel}/{self.thread_ts}"


@dataclass(frozen=True)
class SlackExport:
    users: dict[str, SlackUser]
    channels: list[str]  # names, sorted
    threads: list[SlackThread]  # sorted by channel, then by the question's time


def read_export(
    data: bytes | BinaryIO, *, max_bytes: int = 200 * MEGABYTE, max_files: int = 20000
) -> SlackExport:
    """Read a Slack export ZIP, or raise ``SlackExportError`` saying what is wrong with it."""
    try:
        archive = zipfile.ZipFile(BytesIO(data) if isinstance(data, bytes | bytearray) else data)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise SlackExportError("ZIP ファイルではありません。") from None
    with archive:
        entries = _checked_entries(archive.infolist(), max_bytes, max_files)
        root = _find_root(entries)
        users = _users(_read_json(archive, entries[root + "users.json"]), root + "users.json")
        channels = _channels(
            _read_json(archive, entries[root + "channels.json"]), root + "channels.json"
        )
        channel_names = set(channels.values())
        day_files: dict[str, list[str]] = {}
        for name in sorted(entries):  # only <channel>/<day>.json; attachments etc. ignored
            folder, _, base = name[len(root) :].rpartition("/")
            if name.startswith(root) and folder in channel_names and base.endswith(".json"):
                day_files.setdefault(folder, []).append(name)
        threads: list[SlackThread] = []
        for channel in sorted(day_files):
            messages: dict[str, dict[str, Any]] = {}
            for name in day_files[channel]:
                for message in _messages(_read_json(archive, entries[name]), name):
                    messages.setdefault(message["ts"], message)  # a message counts once
            threads += _threads(channel, messages, users, channels)
    return SlackExport(users=users, channels=sorted(channel_names), threads=threads)


def convert_text(
    text: str, users: Mapping[str, SlackUser], channels: Mapping[str, str] | None = None
) -> str:
    """Slack markup to Markdown-ish text: mentions named, links as ``[label](url)``."""
    parts = _TOKEN.split(text)
    for i, part in enumerate(parts):
        parts[i] = _token(part, users, channels or {}) if i % 2 else _decode(part)
    return "".join(parts)


def _token(body: str, users: Mapping[str, SlackUser], channels: Mapping[str, str]) -> str:
    target, _, label = (_decode(part) for part in body.partition("|"))
    if target.startswith("@"):
        user = users.get(target[1:])
        return "@" + (user.name if user else label.lstrip("@") or target[1:])
    if target.startswith("#"):
        return "#" + (label or channels.get(target[1:]) or target[1:])
    if target.startswith("!"):  # <!here>, <!subteam^S1|@team>, <!date^…|fallback>
        command = target[1:].split("^", 1)[0]
        return "@" + command if command in _BROADCASTS or not label else label
    if not target.lower().startswith(_LINK_SCHEMES):
        return label or target  # never a link to javascript:, data:, file: …
    url = "".join(_UNSAFE_IN_URL.get(ch, ch) for ch in target)
    if not label or label == target:
        return url
    label = label.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({url})"


def _decode(text: str) -> str:
    # One pass, so "&amp;lt;" (a user who typed "&lt;") stays "&lt;".
    return _ENTITY.sub(lambda match: _ENTITIES[match[1]], text)


def _checked_entries(
    infos: list[zipfile.ZipInfo], max_bytes: int, max_files: int
) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > max_files:
        raise SlackExportError(
            f"ZIP の中のファイルが多すぎます（{len(infos)} 個。上限は {max_files} 個です）。"
        )
    if sum(info.file_size for info in infos) > max_bytes:
        raise SlackExportError(f"ZIP を展開すると大きすぎます（上限は {_size(max_bytes)}）。")
    entries = {}
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts:
            raise SlackExportError(f"ZIP に不正なファイル名があります（{name}）。")
        if not info.is_dir():
            entries[name] = info
    return entries


def _size(limit: int) -> str:
    return f"{limit // MEGABYTE} MB" if limit >= MEGABYTE else f"{limit} バイト"


def _find_root(names: Mapping[str, Any]) -> str:
    """The folder holding channels.json and users.json: the ZIP's root or a top folder."""
    folders = sorted({name.split("/", 1)[0] + "/" for name in names if "/" in name})
    for root in ["", *folders]:
        if root + "channels.json" in names and root + "users.json" in names:
            return root
    raise SlackExportError(
        "Slack のエクスポートではありません（channels.json / users.json がありません）。"
    )


def _read_json(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Any:
    try:
        with archive.open(info) as handle:
            raw = handle.read(info.file_size + 1)  # never more than the size checked
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, zlib.error):
        raise SlackExportError(f"{info.filename} を読めません（ZIP が壊れています）。") from None
    if len(raw) > info.file_size:
        raise SlackExportError(f"{info.filename} を読めません（ZIP が壊れています）。")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise SlackExportError(
            f"{info.filename} を読めません（JSON の形式が正しくありません）。"
        ) from None


def _bad_shape(name: str, why: str) -> SlackExportError:
    return SlackExportError(f"{name} の形式が正しくありません（{why}）。")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first_text(*values: Any) -> str:
    return next((text for value in values if (text := _text(value))), "")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _users(data: Any, name: str) -> dict[str, SlackUser]:
    if not isinstance(data, list) or not all(isinstance(_dict(u).get("id"), str) for u in data):
        raise _bad_shape(name, "ユーザーの一覧ではありません")
    users = {}
    for raw in data:
        profile = _dict(raw.get("profile"))
        names = (profile.get("real_name"), raw.get("real_name"), profile.get("display_name"))
        display = _first_text(*names, raw.get("name")) or raw["id"]
        users[raw["id"]] = SlackUser(raw["id"], display, _text(profile.get("email")))
    return users


def _channels(data: Any, name: str) -> dict[str, str]:
    """Channel names by id (by name when a channel has no id)."""
    if not isinstance(data, list) or not all(_text(_dict(c).get("name")) for c in data):
        raise _bad_shape(name, "チャンネルの一覧ではありません")
    return {_text(c.get("id")) or _text(c["name"]): _text(c["name"]) for c in data}


def _messages(data: Any, name: str) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise _bad_shape(name, "メッセージの一覧ではありません")
    for message in data:
        if not isinstance(message, dict):
            raise _bad_shape(name, "メッセージではない項目があります")
        if not isinstance(message.get("ts"), str) or not _TS.fullmatch(message["ts"]):
            raise _bad_shape(name, "ts が正しくないメッセージがあります")
    return data


def _kept(message: dict[str, Any]) -> bool:
    return (
        message.get("type", "message") == "message"
        and message.get("subtype") in _KEPT_SUBTYPES
        and bool(_text(message.get("user")))
    )


def _threads(
    channel: str,
    messages: dict[str, dict[str, Any]],
    users: Mapping[str, SlackUser],
    channels: Mapping[str, str],
) -> list[SlackThread]:
    kept = {ts: message for ts, message in messages.items() if _kept(message)}
    replies: dict[str, list[dict[str, Any]]] = {}
    for ts, message in kept.items():
        parent = message.get("thread_ts")
        # A reply whose parent is missing (deleted, a bot's, outside the exported period)
        # is dropped with it: an answer without its question is no Q&A.
        if isinstance(parent, str) and parent != ts and parent in kept:
            replies.setdefault(parent, []).append(message)
    threads = []
    for parent_ts in sorted(replies, key=_ts_key):
        question = _message(kept[parent_ts], users, channels)
        answers = sorted(replies[parent_ts], key=lambda message: _ts_key(message["ts"]))
        answered = tuple(_message(answer, users, channels) for answer in answers)
        threads.append(SlackThread(channel, parent_ts, question, answered))
    return threads


def _message(
    raw: dict[str, Any], users: Mapping[str, SlackUser], channels: Mapping[str, str]
) -> SlackMessage:
    user_id = _text(raw["user"])
    user = users.get(user_id)
    if user:
        name, email = user.name, user.email
    else:
        name, email = _first_text(_dict(raw.get("user_profile")).get("real_name")) or user_id, ""
    files = raw.get("files") if isinstance(raw.get("files"), list) else []
    return SlackMessage(
        user_id=user_id,
        user_name=name,
        email=email,
        text=convert_text(raw["text"] if isinstance(raw.get("text"), str) else "", users, channels),
        posted_at=_posted_at(raw["ts"]),
        files=tuple(
            n for f in files if (n := _first_text(_dict(f).get("name"), _dict(f).get("title")))
        ),
    )


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int(fraction.ljust(6, "0"))


def _posted_at(ts: str) -> datetime:
    seconds, microseconds = _ts_key(ts)
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=microseconds)
