"""XLSForm workbooks: writing, reading back, and every problem located (xlsform.py)."""

import gc
import os
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kyoso.assessments.bundled.wakayama import BUNDLED
from kyoso.assessments.definition import (
    Choice,
    Family,
    Page,
    Problem,
    Question,
    QuestionType,
    SurveyDefinition,
    Threshold,
)
from kyoso.assessments.xlsform import (
    CHOICE_COLUMNS,
    SETTINGS_COLUMNS,
    SURVEY_COLUMNS,
    WorkbookError,
    read_workbook,
    write_workbook,
)

# read_workbook opens workbooks read-only and never closes them (see
# test_reading_a_path_leaves_no_file_open); when the garbage collector later frees such a
# workbook after its BytesIO, zipfile reports an unraisable "I/O operation on closed file".
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

# --- a small workbook, built cell by cell ------------------------------------------

HEADER = ["type", "name", "label", "hint", "required", "code", "family", "score", "min", "max"]


def q(kind, code, label="設問", family="", score="", minimum=None, maximum=None, hint=""):
    """One survey row in HEADER's column order."""
    return [kind, code.replace("-", "_"), label, hint, "yes", code, family, score, minimum, maximum]


def survey_rows():
    return [
        HEADER,  # row 1
        ["begin_group", "page1", "基本"],  # row 2
        q("text", "A1", "所属"),  # row 3
        q("select_one yn", "0-1", "方針", "national"),  # row 4
        q("integer", "D1", "件数", "prefecture", "1:3", 0, 999),  # row 5
        q("select_one tools", "T1", "ツール"),  # row 6
        ["end_group", "page1"],  # row 7
    ]


def choice_rows():
    return [
        ["list_name", "name", "label", "score"],  # row 1
        ["yn", "yes", "はい", 3],  # row 2
        ["yn", "no", "いいえ", 0],  # row 3
        ["tools", "used", "使っている", None],  # row 4
        ["tools", "unused", "使っていない", None],  # row 5
    ]


def settings_rows():
    return [
        ["form_title", "form_id", "version", "fiscal_year", "prefecture", "description"],
        ["テスト調査", "test-2024", "2", 2024, "300004", "説明"],
    ]


def workbook(survey=None, choices=None, settings=None, omit=()) -> BytesIO:
    book = Workbook()
    book.active.title = "memo"  # a workbook needs one sheet; read_workbook ignores others
    for name, rows in (
        ("survey", survey_rows() if survey is None else survey),
        ("choices", choice_rows() if choices is None else choices),
        ("settings", settings_rows() if settings is None else settings),
    ):
        if name in omit:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def problems(source) -> list[Problem]:
    with pytest.raises(WorkbookError) as error:
        read_workbook(source)
    assert error.value.problems
    assert str(error.value) == "\n".join(str(p) for p in error.value.problems)
    return error.value.problems


def only(source) -> Problem:
    found = problems(source)
    assert len(found) == 1, found
    return found[0]


# --- the small workbook is valid ----------------------------------------------------


def test_small_workbook_reads():
    definition = read_workbook(workbook())
    assert definition == SurveyDefinition(
        slug="test-2024",
        title="テスト調査",
        fiscal_year=2024,
        prefecture_code="300004",
        description="説明",
        version="2",
        pages=(
            Page(
                "基本",
                (
                    Question("A1", "所属", QuestionType.TEXT, required=True),
                    Question(
                        "0-1",
                        "方針",
                        QuestionType.SINGLE,
                        required=True,
                        family=Family.NATIONAL,
                        choices=(Choice("yes", "はい", 3), Choice("no", "いいえ", 0)),
                    ),
                    Question(
                        "D1",
                        "件数",
                        QuestionType.COUNT,
                        required=True,
                        family=Family.PREFECTURE,
                        thresholds=(Threshold(1, 3),),
                        minimum=0,
                        maximum=999,
                    ),
                    Question(
                        "T1",
                        "ツール",
                        QuestionType.SINGLE,
                        required=True,
                        choices=(Choice("used", "使っている"), Choice("unused", "使っていない")),
                    ),
                ),
            ),
        ),
    )


def test_several_thresholds_are_read():
    rows = survey_rows()
    rows[4] = q("integer", "D1", "件数", "prefecture", "1:1; 3:2 ;5:3")
    question = read_workbook(workbook(survey=rows)).questions[2]
    assert question.thresholds == (Threshold(1, 1), Threshold(3, 2), Threshold(5, 3))
    assert question.max_points == 3


def test_localised_label_and_hint_columns_and_header_case():
    rows = survey_rows()
    rows[0] = ["Type", "name", "label::日本語 (ja)", "hint::日本語 (ja)", *HEADER[4:]]
    rows[3] = q("select_one yn", "0-1", "方針", "national", hint="文書があれば「はい」")
    definition = read_workbook(workbook(survey=rows))
    assert definition.questions[1].text == "方針"
    assert definition.questions[1].help == "文書があれば「はい」"


def test_notes_and_blank_rows_are_skipped():
    rows = survey_rows()
    rows.insert(3, ["note", "n1", "説明だけの行"])
    rows.insert(3, [])
    assert len(read_workbook(workbook(survey=rows)).questions) == 4


# --- write_workbook / read_workbook round trip --------------------------------------


@pytest.mark.parametrize("slug", sorted(BUNDLED))
def test_bundled_round_trip(slug):
    definition = BUNDLED[slug]()
    data = write_workbook(definition)
    assert isinstance(data, bytes)
    assert read_workbook(BytesIO(data)) == definition


def test_round_trip_through_a_file(tmp_path):
    definition = BUNDLED["wakayama-2024"]()
    path = tmp_path / "wakayama-2024.xlsx"
    path.write_bytes(write_workbook(definition))
    assert read_workbook(str(path)) == definition
    with path.open("rb") as handle:
        assert read_workbook(handle) == definition


def test_round_trip_of_other_shapes():
    definition = SurveyDefinition(
        slug="shapes-2025",
        title="形の確認",
        fiscal_year=2025,
        prefecture_code="300004",
        description="一行目\n二行目",
        version="3",
        pages=(
            Page(
                "ページA",
                (
                    Question(
                        "X-1",
                        "段階のある件数",
                        QuestionType.COUNT,
                        family=Family.PREFECTURE,
                        area="独自",
                        thresholds=(Threshold(1, 1), Threshold(3, 2), Threshold(5, 3)),
                        minimum=0,
                        maximum=50,
                    ),
                    Question("X2", "割合", QuestionType.NUMBER, minimum=0.5, maximum=99.5),
                    Question(
                        "X3",
                        "複数",
                        QuestionType.MULTIPLE,
                        help="すべて選ぶ",
                        choices=(Choice("a", "甲"), Choice("b", "乙")),
                    ),
                ),
            ),
            Page(
                "ページB",
                (
                    Question(
                        "X4",
                        "独自の配点",
                        QuestionType.SINGLE,
                        required=True,
                        family=Family.NATIONAL,
                        choices=(Choice("hi", "高", 5), Choice("lo", "低", 0)),
                    ),
                    Question("X5", "自由記述", QuestionType.TEXT),
                ),
            ),
        ),
    )
    assert read_workbook(BytesIO(write_workbook(definition))) == definition


def test_round_trip_with_codes_that_share_an_xml_name():
    definition = SurveyDefinition(
        slug="codes-2024",
        title="設問コードの確認",
        fiscal_year=2024,
        prefecture_code="300004",
        pages=(
            Page(
                "ページ",
                (
                    Question(
                        "満足1",
                        "満足度",
                        QuestionType.SINGLE,
                        choices=(Choice("high", "高い"), Choice("low", "低い")),
                    ),
                    Question(
                        "重要1",
                        "重要度",
                        QuestionType.SINGLE,
                        choices=(Choice("yes", "重要"), Choice("no", "重要でない")),
                    ),
                ),
            ),
        ),
    )
    assert read_workbook(BytesIO(write_workbook(definition))) == definition


def test_written_workbook_layout():
    definition = BUNDLED["wakayama-2024"]()
    book = load_workbook(BytesIO(write_workbook(definition)))
    assert book.sheetnames == ["survey", "choices", "settings"]
    for name, columns in (
        ("survey", SURVEY_COLUMNS),
        ("choices", CHOICE_COLUMNS),
        ("settings", SETTINGS_COLUMNS),
    ):
        sheet = book[name]
        header = sheet[1]
        assert [cell.value for cell in header] == columns
        assert all(cell.font.bold for cell in header), name
        assert not any(cell.font.bold for cell in sheet[2] if cell.value is not None), name
        assert sheet.freeze_panes == "A2", name
    survey = book["survey"]
    assert survey.max_row == 1 + len(definition.questions) + 2 * len(definition.pages)
    settings = [cell.value for cell in book["settings"][2]]
    assert settings[:5] == [definition.title, "wakayama-2024", "1", 2024, "300004"]


def test_written_workbook_shares_choice_lists():
    definition = BUNDLED["wakayama-2024"]()
    book = load_workbook(BytesIO(write_workbook(definition)))
    kinds = {row[0] for row in book["survey"].iter_rows(min_row=2, values_only=True)}
    national = {
        row[0]
        for row in book["survey"].iter_rows(min_row=2, values_only=True)
        if row[6] == "national"
    }
    assert len(national) == 1  # the 18 総務省項目 share one list
    (kind,) = national
    list_name = kind.split(" ")[1]
    rows = [r for r in book["choices"].iter_rows(min_row=2, values_only=True) if r[0] == list_name]
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("promoting", "推進している", 3),
        ("planned", "推進予定", 2),
        ("considering", "時期は未定だが推進を検討中", 1),
        ("not_planned", "推進する予定はない", 0),
    ]
    assert {"begin_group", "end_group", "integer", "decimal", "text"} <= kinds


# --- problems, located ------------------------------------------------------------


def test_problem_location_text():
    assert str(Problem("x")) == "x"
    assert str(Problem("x", "survey")) == "シート「survey」: x"
    assert str(Problem("x", "settings", 2)) == "シート「settings」・2 行目: x"
    assert str(Problem("x", "survey", 5, "type")) == "シート「survey」・5 行目・列「type」: x"


@pytest.mark.parametrize("missing", ["survey", "choices", "settings"])
def test_missing_sheet(missing):
    problem = only(workbook(omit=(missing,)))
    assert problem == Problem(f"シート「{missing}」がありません。", missing)
    assert str(problem) == f"シート「{missing}」: シート「{missing}」がありません。"


def test_every_missing_sheet_is_reported():
    found = problems(workbook(omit=("survey", "choices", "settings")))
    assert [p.sheet for p in found] == ["survey", "choices", "settings"]


def test_missing_survey_column():
    rows = [[cell for i, cell in enumerate(row) if i != 2] for row in survey_rows()]
    found = problems(workbook(survey=rows))
    assert found[0] == Problem("列「label」がありません。", "survey", 1, "label")
    assert "シート「survey」・1 行目・列「label」" in str(found[0])


def test_missing_type_column():
    rows = [row[1:] for row in survey_rows()]
    found = problems(workbook(survey=rows))
    assert Problem("列「type」がありません。", "survey", 1, "type") in found


@pytest.mark.parametrize("column", ["form_title", "form_id", "fiscal_year", "prefecture"])
def test_missing_settings_column(column):
    index = settings_rows()[0].index(column)
    rows = [[cell for i, cell in enumerate(row) if i != index] for row in settings_rows()]
    found = problems(workbook(settings=rows))
    assert found[0] == Problem(f"列「{column}」がありません。", "settings", 1, column)


@pytest.mark.parametrize("column", ["list_name", "name", "label"])
def test_missing_choices_column(column):
    index = choice_rows()[0].index(column)
    rows = [[cell for i, cell in enumerate(row) if i != index] for row in choice_rows()]
    found = problems(workbook(choices=rows))
    assert found[0] == Problem(f"列「{column}」がありません。", "choices", 1, column)


def test_settings_without_a_row():
    found = problems(workbook(settings=settings_rows()[:1]))
    assert Problem("2 行目に調査の設定がありません。", "settings", 2) in found


@pytest.mark.parametrize("kind", ["date", "select one yn", "integers", "geopoint"])
def test_unknown_type(kind):
    rows = survey_rows()
    rows[4] = q(kind, "D1", "件数")
    problem = only(workbook(survey=rows))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 5, "type")
    assert f"形式「{kind}」は使えません" in problem.message
    assert str(problem).startswith("シート「survey」・5 行目・列「type」: ")


def test_row_numbers_count_blank_rows():
    rows = survey_rows()
    rows.insert(2, [None])  # a blank row 3
    rows[5] = q("date", "D1", "件数")  # now row 6
    problem = only(workbook(survey=rows))
    assert (problem.row, problem.column) == (6, "type")


@pytest.mark.parametrize(("kind", "shown"), [("select_one nolist", "nolist"), ("select_one", "")])
def test_choice_list_not_in_choices(kind, shown):
    rows = survey_rows()
    rows[5] = q(kind, "T1", "ツール")
    found = problems(workbook(survey=rows))
    assert found[0] == Problem(
        f"選択肢リスト「{shown}」が choices シートにありません。", "survey", 6, "type"
    )
    assert all((p.row, p.column) == (6, "type") for p in found)


def test_bad_family():
    rows = survey_rows()
    rows[2] = q("text", "A1", "所属", "国")
    problem = only(workbook(survey=rows))
    assert problem == Problem(
        "family「国」は national・prefecture・空欄のいずれかです。", "survey", 3, "family"
    )
    assert "シート「survey」・3 行目・列「family」" in str(problem)


def test_bad_family_on_a_scored_question_also_reports_its_points():
    rows = survey_rows()
    rows[3] = q("select_one yn", "0-1", "方針", "National")
    found = problems(workbook(survey=rows))
    assert [(p.row, p.column) for p in found] == [(4, "family"), (4, "family")]
    assert "family「National」" in found[0].message
    assert "点数があります" in found[1].message


def test_scored_integer_without_thresholds():
    rows = survey_rows()
    rows[4] = q("integer", "D1", "件数", "prefecture", "")
    problem = only(workbook(survey=rows))
    assert problem == Problem(
        "採点する件数の設問「D1」に点数の基準（例: 1:3）がありません。", "survey", 5, "score"
    )


@pytest.mark.parametrize("score", ["abc", "1-3", "1:3;x", "3", "1:a"])
def test_bad_score_on_an_integer(score):
    rows = survey_rows()
    rows[4] = q("integer", "D1", "件数", "prefecture", score)
    found = problems(workbook(survey=rows))
    assert found[0] == Problem(
        f"score「{score}」は「件数:点数」（例: 1:3）で書いてください。", "survey", 5, "score"
    )
    assert all((p.sheet, p.row, p.column) == ("survey", 5, "score") for p in found)


def test_scored_text_question():
    rows = survey_rows()
    rows[2] = q("text", "A1", "所属", "prefecture")
    problem = only(workbook(survey=rows))
    assert (problem.row, problem.column) == (3, "family")
    assert "採点できない形式" in problem.message


def test_non_numeric_min():
    rows = survey_rows()
    rows[4] = q("integer", "D1", "件数", "prefecture", "1:3", "ゼロ", 999)
    problem = only(workbook(survey=rows))
    assert problem == Problem("min「ゼロ」は数値で書いてください。", "survey", 5, "min")


def test_minimum_above_maximum():
    rows = survey_rows()
    rows[4] = q("integer", "D1", "件数", "prefecture", "1:3", 10, 5)
    problem = only(workbook(survey=rows))
    assert (problem.sheet, problem.row, problem.column) == ("survey", 5, "min")


def test_duplicate_code_is_reported_on_the_second_row():
    rows = survey_rows()
    rows[5] = q("text", "0-1", "重複")
    problem = only(workbook(survey=rows))
    assert problem == Problem("設問コード「0-1」が重複しています。", "survey", 6, "code")
    assert (
        str(problem) == "シート「survey」・6 行目・列「code」: 設問コード「0-1」が重複しています。"
    )


def test_problem_of_the_first_duplicate_is_located_on_its_own_row():
    rows = survey_rows()
    rows[2] = q("text", "A1", "")  # row 3: no label
    rows[5] = q("text", "A1", "重複")  # row 6: the same code again
    found = problems(workbook(survey=rows))
    assert Problem("設問「A1」の設問文（label）がありません。", "survey", 3, "label") in found
    assert Problem("設問コード「A1」が重複しています。", "survey", 6, "code") in found


def test_question_outside_any_group():
    rows = survey_rows()
    rows.insert(1, q("text", "Z1", "ページの外"))  # row 2
    problem = only(workbook(survey=rows))
    assert problem == Problem(
        "設問はページ（begin_group と end_group の間）に置いてください。", "survey", 2, "type"
    )


def test_unclosed_group():
    rows = survey_rows()[:-1]
    found = problems(workbook(survey=rows))
    assert found[0] == Problem("ページ「基本」の end_group がありません。", "survey")
    assert str(found[0]) == "シート「survey」: ページ「基本」の end_group がありません。"


def test_end_group_without_begin_group():
    rows = [*survey_rows(), ["end_group"]]
    problem = only(workbook(survey=rows))
    assert problem == Problem("対応する begin_group がありません。", "survey", 8, "type")


def test_nested_groups():
    rows = survey_rows()
    rows.insert(3, ["begin group", "inner", "内側"])  # row 4
    found = problems(workbook(survey=rows))
    assert found[0] == Problem("グループ（ページ）の入れ子はできません。", "survey", 4, "type")


def test_group_without_questions():
    rows = [*survey_rows(), ["begin_group", "page2", "空のページ"], ["end_group"]]
    problem = only(workbook(survey=rows))
    assert problem == Problem("ページ「空のページ」に設問がありません。", "survey")


@pytest.mark.parametrize("year", ["令和6", "R6", "24.5", "1988", "2101", "２０２４年"])
def test_bad_fiscal_year(year):
    rows = settings_rows()
    rows[1][3] = year
    problem = only(workbook(settings=rows))
    assert problem == Problem(
        f"年度「{year}」は西暦の年（例: 2024）で書いてください。", "settings", 2, "fiscal_year"
    )
    assert str(problem).startswith("シート「settings」・2 行目・列「fiscal_year」: ")


@pytest.mark.parametrize("slug", ["Test-2024", "test 2024", "テスト", "-test", "test_2024"])
def test_bad_form_id(slug):
    rows = settings_rows()
    rows[1][1] = slug
    problem = only(workbook(settings=rows))
    assert problem == Problem(
        "form_id は半角の小文字・数字・ハイフンで書いてください。", "settings", 2, "form_id"
    )
    assert "シート「settings」・2 行目・列「form_id」" in str(problem)


def test_empty_form_id_and_title():
    rows = settings_rows()
    rows[1][0] = None
    rows[1][1] = None
    found = problems(workbook(settings=rows))
    assert [p.column for p in found] == ["form_id", "form_title"]
    assert all(p.sheet == "settings" for p in found)


@pytest.mark.parametrize("score", ["abc", 1.5, -1, "３点"])
def test_non_integer_choice_score(score):
    rows = choice_rows()
    rows[3][3] = score  # row 4, a list no scored question uses
    problem = only(workbook(choices=rows))
    assert problem == Problem(
        f"score「{score}」は 0 以上の整数で書いてください。", "choices", 4, "score"
    )
    assert "シート「choices」・4 行目・列「score」" in str(problem)


def test_non_integer_score_on_a_scored_list_also_reports_the_question():
    rows = choice_rows()
    rows[2][3] = "x"  # row 3: yn, used by the national item on survey row 4
    found = problems(workbook(choices=rows))
    assert found[0] == Problem("score「x」は 0 以上の整数で書いてください。", "choices", 3, "score")
    assert (
        Problem("採点する設問「0-1」のすべての選択肢に score が必要です。", "survey", 4, "score")
        in found
    )


def test_choice_without_list_name_or_name():
    rows = choice_rows()
    rows.append(["tools", None, "名前なし"])  # row 6
    problem = only(workbook(choices=rows))
    assert problem == Problem("list_name と name が必要です。", "choices", 6)


def test_all_problems_are_reported_at_once():
    survey = survey_rows()
    survey[2] = q("date", "A1", "所属")  # survey row 3
    choices = choice_rows()
    choices[4][3] = "abc"  # choices row 5
    settings = settings_rows()
    settings[1][3] = "令和6"  # settings row 2
    found = problems(workbook(survey=survey, choices=choices, settings=settings))
    assert [(p.sheet, p.row, p.column) for p in found] == [
        ("settings", 2, "fiscal_year"),
        ("choices", 5, "score"),
        ("survey", 3, "type"),
    ]


def test_three_independent_survey_problems():
    rows = survey_rows()
    rows[2] = q("text", "A1", "所属", "国")  # row 3: bad family
    rows[4] = q("integer", "D1", "件数", "prefecture", "")  # row 5: no thresholds
    rows[5] = q("integer", "T1", "ツール", minimum="ゼロ")  # row 6: bad min
    found = problems(workbook(survey=rows))
    assert len(found) == 3
    assert {(p.row, p.column) for p in found} == {(3, "family"), (5, "score"), (6, "min")}


def test_nothing_is_returned_for_a_bad_workbook():
    rows = settings_rows()
    rows[1][1] = "BAD"
    with pytest.raises(WorkbookError):
        read_workbook(workbook(settings=rows))


@pytest.mark.parametrize("data", [b"not excel", b"", b"PK\x03\x04broken"])
def test_not_a_workbook(data):
    problem = only(BytesIO(data))
    assert problem.message.startswith("Excel ファイル（.xlsx）として読めません")


def test_a_zip_that_is_not_a_workbook():
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    buffer.seek(0)
    problem = only(buffer)
    assert problem.message.startswith("Excel ファイル（.xlsx）として読めません")
    assert problem.sheet == ""
    assert problem.row is None


def test_a_missing_file(tmp_path):
    problem = only(str(tmp_path / "missing.xlsx"))
    assert problem.message.startswith("Excel ファイル（.xlsx）として読めません")


def open_paths() -> set[str]:
    paths = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            paths.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return paths


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_reading_a_path_leaves_no_file_open(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_bytes(workbook().getvalue())
    gc.collect()
    gc.disable()
    try:
        read_workbook(str(path))
        assert str(path) not in open_paths()
    finally:
        gc.enable()
        gc.collect()
