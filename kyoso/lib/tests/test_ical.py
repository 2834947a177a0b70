import dataclasses
import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kyoso.lib.ical import CalendarEvent, calendar, escape_text, fold_line, format_utc

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2025, 3, 25, 12, 0, tzinfo=UTC)


def make_event(**overrides) -> CalendarEvent:
    fields = {
        "uid": "consultation-42@kyoso",
        "starts_at": datetime(2025, 4, 1, 10, 0, tzinfo=JST),
        "ends_at": datetime(2025, 4, 1, 11, 0, tzinfo=JST),
        "summary": "定例相談",
    }
    fields.update(overrides)
    return CalendarEvent(**fields)


# A tiny reader, just enough to check what the writer produced: unfold (RFC 5545
# section 3.1), split content lines, unescape TEXT (section 3.3.11).

_ESCAPES = {"\\": "\\", ";": ";", ",": ",", "n": "\n", "N": "\n"}


def unfold(data: bytes) -> list[str]:
    # Unfold on bytes, as a reader must: a fold between the octets of one character
    # would only be repaired here, so per-line checks elsewhere catch that mistake.
    text = re.sub(rb"\r\n[ \t]", b"", data).decode("utf-8")
    assert text.endswith("\r\n")
    return text[: -len("\r\n")].split("\r\n")


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda match: _ESCAPES[match.group(1)], value)


def parse(data: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Return the calendar's own properties and one dict of properties per VEVENT."""
    calendar_props: dict[str, str] = {}
    events: list[dict[str, str]] = []
    stack: list[str] = []
    for line in unfold(data):
        name, _, value = line.partition(":")
        name = name.split(";")[0]
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack == ["VCALENDAR", "VEVENT"]:
            assert name not in events[-1], f"{name} written twice"
            events[-1][name] = value
        else:
            assert stack == ["VCALENDAR"]
            calendar_props[name] = value
    assert stack == []
    return calendar_props, events


# The whole document


def test_simple_event_is_written_exactly():
    event = make_event(
        summary="Annual review",
        description="Bring the survey",
        location="Wakayama",
        url="https://kyoso.example/consultations/42/",
        updated_at=datetime(2025, 3, 20, 15, 30, tzinfo=JST),
        sequence=1,
    )

    data = calendar([event], name="Consultations", now=NOW)

    assert data == (
        b"BEGIN:VCALENDAR\r\n"
        b"VERSION:2.0\r\n"
        b"PRODID:-//Kyoso//Kyoso//JA\r\n"
        b"CALSCALE:GREGORIAN\r\n"
        b"METHOD:PUBLISH\r\n"
        b"X-WR-CALNAME:Consultations\r\n"
        b"X-WR-TIMEZONE:Asia/Tokyo\r\n"
        b"BEGIN:VEVENT\r\n"
        b"UID:consultation-42@kyoso\r\n"
        b"DTSTAMP:20250325T120000Z\r\n"
        b"DTSTART:20250401T010000Z\r\n"
        b"DTEND:20250401T020000Z\r\n"
        b"SUMMARY:Annual review\r\n"
        b"DESCRIPTION:Bring the survey\r\n"
        b"LOCATION:Wakayama\r\n"
        b"URL:https://kyoso.example/consultations/42/\r\n"
        b"LAST-MODIFIED:20250320T063000Z\r\n"
        b"STATUS:CONFIRMED\r\n"
        b"SEQUENCE:1\r\n"
        b"END:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )


def test_japanese_calendar_name_and_summary_are_utf8():
    data = calendar([make_event(summary="定例相談（海南市）")], name="よろず相談", now=NOW)

    assert "X-WR-CALNAME:よろず相談\r\n".encode() in data
    assert "SUMMARY:定例相談（海南市）\r\n".encode() in data


def test_every_line_ends_with_crlf():
    data = calendar([make_event(description="一行目\n二行目\r\n三行目")], name="相談", now=NOW)

    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"\r") == data.count(b"\r\n")


def test_empty_optional_properties_are_omitted():
    data = calendar([make_event()], name="相談", now=NOW)

    _, [event] = parse(data)
    assert set(event) == {
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "STATUS",
        "SEQUENCE",
    }


def test_calendar_without_events_has_only_its_own_properties():
    data = calendar([], name="相談", now=NOW)

    props, events = parse(data)
    assert events == []
    assert props["X-WR-CALNAME"] == "相談"


def test_custom_product_id_is_written_escaped():
    data = calendar([], name="相談", now=NOW, product_id="-//Pref, Wakayama//Kyoso//JA")

    assert b"PRODID:-//Pref\\, Wakayama//Kyoso//JA\r\n" in data


def test_events_keep_the_given_order():
    events = [make_event(uid=f"consultation-{n}@kyoso") for n in (3, 1, 2)]

    _, parsed = parse(calendar(events, name="相談", now=NOW))

    assert [event["UID"] for event in parsed] == [
        "consultation-3@kyoso",
        "consultation-1@kyoso",
        "consultation-2@kyoso",
    ]


# Times


def test_tokyo_time_is_written_in_utc():
    nine_am_jst = datetime(2025, 4, 1, 9, 0, tzinfo=JST)

    assert format_utc(nine_am_jst) == "20250401T000000Z"


def test_early_morning_in_tokyo_is_the_previous_day_in_utc():
    assert format_utc(datetime(2025, 4, 1, 8, 30, tzinfo=JST)) == "20250331T233000Z"


def test_fixed_offsets_convert_like_named_zones():
    plus_nine = timezone(timedelta(hours=9))

    assert format_utc(datetime(2025, 4, 1, 9, 0, tzinfo=plus_nine)) == "20250401T000000Z"


def test_microseconds_are_dropped():
    assert format_utc(datetime(2025, 4, 1, 0, 0, 5, 999999, tzinfo=UTC)) == "20250401T000005Z"


def test_event_times_and_stamp_are_utc_in_the_document():
    event = make_event(
        starts_at=datetime(2025, 4, 1, 9, 0, tzinfo=JST),
        ends_at=datetime(2025, 4, 1, 10, 30, tzinfo=JST),
        updated_at=datetime(2025, 3, 31, 18, 0, tzinfo=JST),
    )
    now_in_tokyo = datetime(2025, 3, 31, 21, 0, tzinfo=JST)

    _, [parsed] = parse(calendar([event], name="相談", now=now_in_tokyo))

    assert parsed["DTSTART"] == "20250401T000000Z"
    assert parsed["DTEND"] == "20250401T013000Z"
    assert parsed["LAST-MODIFIED"] == "20250331T090000Z"
    assert parsed["DTSTAMP"] == "20250331T120000Z"


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "updated_at"])
def test_naive_event_datetime_is_refused(field):
    naive = datetime(2025, 4, 1, 9, 0)
    if field == "starts_at":
        # Keep the end after the start so only naivety can be the reason for refusal.
        overrides = {"starts_at": naive, "ends_at": datetime(2025, 4, 1, 10, 0)}
    else:
        overrides = {field: naive}

    with pytest.raises(ValueError, match="timezone-aware"):
        make_event(**overrides)


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar([make_event()], name="相談", now=datetime(2025, 3, 25, 12, 0))


def test_naive_datetime_is_refused_by_format_utc():
    with pytest.raises(ValueError, match="timezone-aware"):
        format_utc(datetime(2025, 4, 1, 9, 0))


def test_event_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before it starts"):
        make_event(
            starts_at=datetime(2025, 4, 1, 10, 0, tzinfo=JST),
            ends_at=datetime(2025, 4, 1, 9, 0, tzinfo=JST),
        )


def test_zero_length_event_has_no_dtend():
    # RFC 5545 section 3.8.2.2 wants DTEND strictly later than DTSTART.
    moment = datetime(2025, 4, 1, 10, 0, tzinfo=JST)

    _, [parsed] = parse(
        calendar([make_event(starts_at=moment, ends_at=moment)], name="相談", now=NOW)
    )

    assert parsed["DTSTART"] == "20250401T010000Z"
    assert "DTEND" not in parsed


# Status, sequence and other fields


def test_cancelled_event_has_cancelled_status():
    _, [parsed] = parse(calendar([make_event(cancelled=True)], name="相談", now=NOW))

    assert parsed["STATUS"] == "CANCELLED"


def test_event_is_confirmed_by_default():
    _, [parsed] = parse(calendar([make_event()], name="相談", now=NOW))

    assert parsed["STATUS"] == "CONFIRMED"
    assert parsed["SEQUENCE"] == "0"


def test_negative_sequence_is_refused():
    with pytest.raises(ValueError, match="sequence"):
        make_event(sequence=-1)


def test_empty_uid_is_refused():
    with pytest.raises(ValueError, match="uid"):
        make_event(uid="")


@pytest.mark.parametrize("url", ["https://a.example/\r\nSTATUS:CANCELLED", "https://a.example/\n"])
def test_url_with_line_break_is_refused(url):
    with pytest.raises(ValueError, match="url"):
        make_event(url=url)


def test_events_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        make_event().summary = "changed"  # type: ignore[misc]


# TEXT escaping


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain", "plain"),
        ("", ""),
        ("a\\b", "a\\\\b"),
        ("a;b", "a\\;b"),
        ("a,b", "a\\,b"),
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\nb"),
        ("a\rb", "a\\nb"),
        ("a\n\nb", "a\\n\\nb"),
        ("a:b", "a:b"),
        ('say "hi"', 'say "hi"'),
        ("\\n stays literal", "\\\\n stays literal"),
        ("\\;", "\\\\\\;"),
        ("tab\tkept", "tab\tkept"),
        ("bell\x07 and nul\x00 dropped\x7f", "bell and nul dropped"),
        ("和歌山県、海南市。", "和歌山県、海南市。"),
        ("会議室A,B;オンライン", "会議室A\\,B\\;オンライン"),
    ],
)
def test_text_escaping(raw, escaped):
    assert escape_text(raw) == escaped


def test_uid_location_and_description_are_escaped_in_the_document():
    event = make_event(uid="a;b", location="本庁舎, 3階", description="1行目\n2行目")

    data = calendar([event], name="相談; 海南市", now=NOW)

    assert b"UID:a\\;b\r\n" in data
    assert "LOCATION:本庁舎\\, 3階\r\n".encode() in data
    assert "DESCRIPTION:1行目\\n2行目\r\n".encode() in data
    assert "X-WR-CALNAME:相談\\; 海南市\r\n".encode() in data


# Folding


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[: -len(b"\r\n")].split(b"\r\n")


def test_line_of_exactly_75_octets_is_not_folded():
    line = "SUMMARY:" + "x" * 67

    assert fold_line(line) == line


def test_line_of_76_octets_is_folded_after_75():
    line = "SUMMARY:" + "x" * 68

    assert fold_line(line) == "SUMMARY:" + "x" * 67 + "\r\n x"


def test_continuation_lines_hold_74_octets_after_the_space():
    line = "X:" + "y" * 200  # 202 octets = 75 + 74 + 53

    pieces = fold_line(line).split("\r\n")

    assert [len(piece.encode()) for piece in pieces] == [75, 1 + 74, 1 + 53]
    assert all(piece.startswith(" ") and not piece.startswith("  ") for piece in pieces[1:])


def test_fold_never_splits_a_three_octet_character():
    # 8 octets of name + 22 kana = 74 octets; the 23rd kana (3 octets) would reach 77,
    # so the first line stops one octet short of the limit.
    line = "SUMMARY:" + "あ" * 23

    first, second = fold_line(line).split("\r\n")

    assert len(first.encode()) == 74
    assert second == " あ"


def test_fold_never_splits_a_four_octet_character():
    line = "SUMMARY:" + "x" * 66 + "🗾"  # 74 octets, then a 4-octet character

    first, second = fold_line(line).split("\r\n")

    assert first == "SUMMARY:" + "x" * 66
    assert second == " 🗾"


def test_long_japanese_summary_is_folded_by_octets():
    summary = (
        "令和7年度 第3回 定例よろず相談：海南市 デジタル推進課と、"
        "窓口DX（書かない窓口）・RPA導入・生成AI利活用ガイドラインの策定について；"
        "前回の宿題\\持ち越し分を含めて確認する"
    )
    data = calendar([make_event(summary=summary)], name="よろず相談", now=NOW)

    lines = physical_lines(data)
    folded = [line for line in lines if line.startswith(b" ")]
    assert len(folded) >= 3  # the summary alone is over 300 octets
    for line in lines:
        assert len(line) <= 75
        line.decode("utf-8")  # raises if a fold split a character
    _, [parsed] = parse(data)
    assert unescape(parsed["SUMMARY"]) == summary


@pytest.mark.parametrize(
    "text",
    [
        "a" * 500,
        "漢" * 200,
        "é" * 200,
        "🗾" * 100,
        ("aあéé🗾" * 40),
        ("\\;,\n" * 60),
    ],
)
def test_folding_keeps_every_physical_line_within_75_valid_octets(text):
    data = calendar([make_event(description=text)], name="相談", now=NOW)

    for line in physical_lines(data):
        assert len(line) <= 75
        line.decode("utf-8")
    _, [parsed] = parse(data)
    assert unescape(parsed["DESCRIPTION"]) == text


# Round trip


def test_round_trip_through_a_minimal_reader():
    first = make_event(
        uid="consultation-1@kyoso",
        summary="定例相談; 海南市, 有田市 \\ 合同",
        description="議題:\n1. 書かない窓口\n2. RPA（申請書の自動入力）\n" + "補足。" * 40,
        location="和歌山県庁 南別館 3階, 会議室B",
        url="https://kyoso.example/consultations/1/?tab=notes&lang=ja",
        updated_at=datetime(2025, 3, 30, 17, 45, tzinfo=JST),
        sequence=2,
    )
    second = make_event(uid="consultation-2@kyoso", summary="テーマ別相談", cancelled=True)

    props, events = parse(calendar([first, second], name="よろず相談（海南市）", now=NOW))

    assert props == {
        "VERSION": "2.0",
        "PRODID": "-//Kyoso//Kyoso//JA",
        "CALSCALE": "GREGORIAN",
        "METHOD": "PUBLISH",
        "X-WR-CALNAME": "よろず相談（海南市）",
        "X-WR-TIMEZONE": "Asia/Tokyo",
    }
    one, two = events
    assert unescape(one["UID"]) == first.uid
    assert unescape(one["SUMMARY"]) == first.summary
    assert unescape(one["DESCRIPTION"]) == first.description
    assert unescape(one["LOCATION"]) == first.location
    assert one["URL"] == first.url
    assert one["DTSTAMP"] == "20250325T120000Z"
    assert one["DTSTART"] == "20250401T010000Z"
    assert one["DTEND"] == "20250401T020000Z"
    assert one["LAST-MODIFIED"] == "20250330T084500Z"
    assert (one["STATUS"], one["SEQUENCE"]) == ("CONFIRMED", "2")
    assert unescape(two["UID"]) == second.uid
    assert unescape(two["SUMMARY"]) == second.summary
    assert (two["STATUS"], two["SEQUENCE"]) == ("CANCELLED", "0")
