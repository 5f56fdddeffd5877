"""Safe reading (surveykit.fileio): each limit gives a located message, and ordinary files read as before."""

from __future__ import annotations

import dataclasses
import time
import zipfile

import pytest

from surveykit.config import Settings
from surveykit.errors import ErrorCode, Report, Severity
from surveykit.fileio import (
    ReadLimits,
    check_workbook,
    parse_json,
    parse_yaml,
    read_bytes,
    read_csv_text,
    read_document,
    read_limits,
    read_text_file,
    read_workbook,
)

from .corpus import billion_laughs, far_right_cells, row, workbook

LIMITS = ReadLimits()


def codes(report: Report) -> list[ErrorCode]:
    return [p.code for p in report]


def one(report: Report, code: ErrorCode):
    found = [p for p in report if p.code is code]
    assert found, str(report)
    return found[0]


class TestYaml:
    def test_billion_laughs_stops_before_anything_is_expanded(self):
        start = time.perf_counter()
        data, _, report = parse_yaml(billion_laughs(), "x.yaml", limits=LIMITS)
        assert data is None and time.perf_counter() - start < 5
        problem = one(report, ErrorCode.TOO_MANY_VALUES)
        assert problem.location.file == "x.yaml" and problem.location.line > 7
        assert "1,000,000" in problem.message and "max_document_nodes" in problem.hint

    @pytest.mark.parametrize(("text", "line"), [("a: &a [*a]\n", 1), ("x: 1\nb: &b {c: {d: *b}}\n", 2)])
    def test_an_alias_inside_what_it_names_is_a_loop(self, text, line):
        data, _, report = parse_yaml(text, "x.yaml", limits=LIMITS)
        problem = one(report, ErrorCode.YAML_ALIAS_LOOP)
        assert data is None and problem.location.line == line and "*" in problem.message

    def test_aliases_are_fine_within_the_limits_and_shared(self):
        data, smap, report = parse_yaml("a: &x {k: [1, 2]}\nb: *x\nc: *x\n", "x.yaml", limits=LIMITS)
        assert report.ok and data["b"] == data["c"] == {"k": [1, 2]}
        assert smap.positions[("b",)] == (2, 1)

    def test_the_number_of_aliases_is_bounded(self):
        limits = dataclasses.replace(LIMITS, max_aliases=10)
        data, _, report = parse_yaml("a: &a 1\nb: [" + ", ".join(["*a"] * 11) + "]\n", "x", limits=limits)
        assert data is None and codes(report) == [ErrorCode.YAML_TOO_MANY_ALIASES]

    def test_depth_counts_what_aliases_stand_for(self):
        text = "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 120))
        _, _, report = parse_yaml(text, "x", limits=LIMITS)
        problem = one(report, ErrorCode.NESTING_TOO_DEEP)
        assert "alias" in problem.message and problem.location.line < 120

    @pytest.mark.parametrize(
        "text", ["[" * 100_000, "- " * 10_000 + "x", "{a: " * 10_000 + "1" + "}" * 10_000]
    )
    def test_deep_nesting_is_refused_at_the_level_past_the_limit(self, text):
        data, _, report = parse_yaml(text, "x", limits=LIMITS)
        assert data is None and codes(report) == [ErrorCode.NESTING_TOO_DEEP]
        assert report.problems[0].location.line == 1

    def test_nesting_at_the_limit_is_read(self):
        data, _, report = parse_yaml("[" * 100 + "1" + "]" * 100, "x", limits=LIMITS)
        assert report.ok and data is not None

    @pytest.mark.parametrize(
        ("text", "line", "column", "char"),
        [
            ("a: 1\nb: x\x00y\n", 2, 5, "U+0000 (NUL)"),
            ("a: \x1b[31m\n", 1, 4, "U+001B (ESC)"),
            ('a: "x\\0"\n', 1, 4, "U+0000 (NUL)"),
            ('a: "\\ud800"\n', 1, 4, "U+D800"),
            ('a: "\\x07"\n', 1, 4, "U+0007 (BEL)"),
        ],
    )
    def test_control_characters_are_refused_where_they_are(self, text, line, column, char):
        data, _, report = parse_yaml(text, "x.yaml", limits=LIMITS)
        problem = one(report, ErrorCode.CONTROL_CHARACTER)
        assert data is None and (problem.location.line, problem.location.column) == (line, column)
        assert char in problem.message

    def test_tabs_and_line_ends_are_text(self):
        data, _, report = parse_yaml('a: "x\\ty"\nb: |\n  one\r\n  two\n', "x", limits=LIMITS)
        assert report.ok and data == {"a": "x\ty", "b": "one\ntwo\n"}

    def test_whole_numbers_over_4300_digits(self):
        data, _, report = parse_yaml("a:\n  b: " + "1" * 4_301 + "\n", "x", limits=LIMITS)
        problem = one(report, ErrorCode.NUMBER_TOO_LONG)
        assert data is None and problem.location.line == 2 and "4,301 digits" in problem.message
        data, _, report = parse_yaml("a: " + "1" * 4_300 + "\n", "x", limits=LIMITS)
        assert report.ok and data["a"] > 0

    @pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.Inf", "1.0e+400"])
    def test_nan_and_infinity_are_refused(self, value):
        data, _, report = parse_yaml(f"min: {value}\n", "x", limits=LIMITS)
        assert data is None and one(report, ErrorCode.NUMBER_NOT_FINITE).location.line == 1

    def test_a_date_that_does_not_exist(self):
        data, _, report = parse_yaml("valid_from: 2024-02-30\n", "x", limits=LIMITS)
        problem = one(report, ErrorCode.VALUE_UNREADABLE)
        assert data is None and problem.location.line == 1 and "YYYY-MM-DD" in problem.hint

    def test_duplicate_keys_are_located_and_the_data_still_read(self):
        data, _, report = parse_yaml("a: 1\nb:\n  c: 1\n  c: 2\n", "x", limits=LIMITS)
        problem = one(report, ErrorCode.DUPLICATE_KEY)
        assert data is not None and problem.location.line == 4 and problem.params["first"] == 3

    def test_a_second_document(self):
        _, _, report = parse_yaml("a: 1\n---\nb: 2\n", "x", limits=LIMITS)
        assert one(report, ErrorCode.YAML_SYNTAX).location.line == 2

    def test_yaml_1_2_booleans_and_ordinary_values(self):
        data, _, report = parse_yaml("a: no\nb: true\nc: 2024-01-31\nd: 1.5\ne: ~\n", "x", limits=LIMITS)
        assert report.ok and data["a"] == "no" and data["b"] is True and data["c"].day == 31

    def test_reading_is_bounded_in_time(self):
        limits = dataclasses.replace(LIMITS, timeout_s=0.0)
        data, _, report = parse_yaml("a: [" + ", ".join(["x"] * 10_000) + "]\n", "x", limits=limits)
        assert data is None and codes(report) == [ErrorCode.READ_TIMEOUT]


class TestJson:
    def test_positions_of_every_value(self):
        data, smap, report = parse_json('{\n "a": [1,\n  {"b": 2}],\n "c": null}', "x.json", limits=LIMITS)
        assert report.ok and data == {"a": [1, {"b": 2}], "c": None}
        assert smap.positions[("a", 1, "b")] == (3, 4) and smap.positions[("c",)] == (4, 2)

    def test_deep_nesting(self):
        data, _, report = parse_json("[" * 1_000_000 + "]" * 1_000_000, "x", limits=LIMITS)
        assert data is None and codes(report) == [ErrorCode.NESTING_TOO_DEEP]

    def test_duplicate_keys_are_refused_with_both_lines(self):
        data, _, report = parse_json('{"a": 1,\n "a": 2}', "x.json", limits=LIMITS)
        problem = one(report, ErrorCode.DUPLICATE_KEY)
        assert data is None and problem.location.line == 2 and problem.params["first"] == 1

    def test_the_same_key_in_different_objects_is_fine(self):
        data, _, report = parse_json('[{"a": 1}, {"a": 2}, {"b": {"a": 3}}]', "x", limits=LIMITS)
        assert report.ok and len(data) == 3

    @pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "-2E+999"])
    def test_nan_and_infinity_are_refused(self, value):
        data, _, report = parse_json('{"min": ' + value + "}", "x", limits=LIMITS)
        assert data is None and one(report, ErrorCode.NUMBER_NOT_FINITE).location.column == 9

    def test_long_integers_and_escaped_control_characters(self):
        _, _, report = parse_json('{"a": ' + "1" * 5_000 + "}", "x", limits=LIMITS)
        assert codes(report) == [ErrorCode.NUMBER_TOO_LONG]
        _, _, report = parse_json('{"a": "\\u0000"}', "x", limits=LIMITS)
        assert codes(report) == [ErrorCode.CONTROL_CHARACTER]
        data, _, report = parse_json('{"a": "\\ud83d\\ude00 \\u00e9"}', "x", limits=LIMITS)
        assert report.ok and data["a"] == "😀 é"

    def test_syntax_errors_are_located_by_the_parser(self):
        _, _, report = parse_json('{"a": [1,\n ]}', "x", limits=LIMITS)
        assert codes(report) == [ErrorCode.JSON_SYNTAX] and report.problems[0].location.line == 2

    def test_too_many_values(self):
        limits = dataclasses.replace(LIMITS, max_nodes=100)
        _, _, report = parse_json("[" + ",".join(["1"] * 200) + "]", "x", limits=limits)
        assert codes(report) == [ErrorCode.TOO_MANY_VALUES]


class TestFiles:
    def test_a_folder_a_pipe_and_a_missing_file(self, tmp_path):
        import os

        (tmp_path / "d.yaml").mkdir()
        os.mkfifo(tmp_path / "p.yaml")
        for name, code, what in [
            ("d.yaml", ErrorCode.NOT_A_FILE, "a folder"),
            ("p.yaml", ErrorCode.NOT_A_FILE, "pipe"),
            ("none.yaml", ErrorCode.FILE_NOT_FOUND, None),
        ]:
            document = read_document(tmp_path / name)
            problem = one(document.report, code)
            assert document.data is None and problem.location.file == str(tmp_path / name)
            assert what is None or what in problem.message

    def test_the_size_limit(self, tmp_path):
        path = tmp_path / "big.yaml"
        path.write_bytes(b"a: 1\n" + b"#" * 3_000_000)
        report = Report()
        assert read_bytes(path, report, limits=dataclasses.replace(LIMITS, max_file_bytes=1_000_000)) is None
        problem = one(report, ErrorCode.FILE_TOO_LARGE)
        assert problem.params["size"] == "2.9" and problem.params["limit"] == "1.0"

    def test_yaml_and_json_must_be_utf8_the_bad_byte_located(self, tmp_path):
        path = tmp_path / "x.yaml"
        path.write_bytes("a: 1\nb: Жук\n".encode("cp1251"))
        report = Report()
        assert read_text_file(path, report) is None
        problem = one(report, ErrorCode.ENCODING_UNKNOWN)
        assert (problem.location.line, problem.location.column) == (2, 4) and "0xC6" in problem.message

    def test_utf16_and_utf8_byte_order_marks(self, tmp_path):
        for encoding, bom in (("utf-16-le", b"\xff\xfe"), ("utf-8", b"\xef\xbb\xbf")):
            path = tmp_path / f"{encoding}.yaml"
            path.write_bytes(bom + "a: Жук\n".encode(encoding))
            document = read_document(path)
            assert document.ok and document.data == {"a": "Жук"}

    def test_the_limits_come_from_the_settings(self, tmp_path):
        settings = Settings.load(
            environ={"SURVEYKIT_MAX_NESTING_DEPTH": "7", "SURVEYKIT_MAX_FILE_MB": "3"}, root=tmp_path
        )
        limits = ReadLimits.from_settings(settings)
        assert limits.max_depth == 7 and limits.max_file_bytes == 3 * 1024 * 1024
        assert read_limits().max_int_digits == 4300


class TestCsv:
    def csv(self, tmp_path, data: bytes, **kwargs):
        path = tmp_path / "data.csv"
        path.write_bytes(data)
        report = Report()
        return read_csv_text(path, report, **kwargs), report

    def test_utf8_with_and_without_bom(self, tmp_path):
        for data in ("a;b\nЖ;é\n".encode(), "a;b\nЖ;é\n".encode("utf-8-sig")):
            text, report = self.csv(tmp_path, data)
            assert text == "a;b\nЖ;é\n" and not report.problems

    def test_a_short_latin1_file_is_refused_never_read_as_mojibake(self, tmp_path):
        text, report = self.csv(tmp_path, "id,comment\n1,déjà vu\n".encode("latin-1"))
        problem = one(report, ErrorCode.ENCODING_UNKNOWN)
        assert text is None and problem.location.line == 2 and "CSV UTF-8" in problem.hint
        _, report = self.csv(tmp_path, "id\n1,déjà vu\n".encode("latin-1"), option=" or use --encoding")
        assert one(report, ErrorCode.ENCODING_UNKNOWN).hint.endswith("UTF-8 or use --encoding.")

    @pytest.mark.parametrize(
        ("encoding", "name", "content"),
        [
            ("cp1251", "Windows-1251", "Всё хорошо, спасибо большое; Очень долго ждали приёма\n"),
            ("koi8-r", "KOI8-R", "Всё хорошо, спасибо большое; Очень долго ждали приёма\n"),
            ("cp1252", "Windows-1252", "Très bien, déjà reçu; à l'école élémentaire; Zürich\n"),
        ],
    )
    def test_an_encoding_is_recognised_only_when_one_reads_as_words(self, tmp_path, encoding, name, content):
        text, report = self.csv(tmp_path, ("id;text\n" + content * 3).encode(encoding))
        problem = one(report, ErrorCode.ENCODING_DETECTED)
        assert text == "id;text\n" + content * 3 and name in problem.message
        assert problem.severity is Severity.WARNING

    def test_an_encoding_named_by_the_user_is_used_strictly(self, tmp_path):
        text, report = self.csv(tmp_path, "id\néte\n".encode("latin-1"), encoding="latin-1")
        assert text == "id\néte\n" and not report.problems
        text, report = self.csv(tmp_path, "id\nЖ\n".encode(), encoding="ascii")
        assert text is None and one(report, ErrorCode.ENCODING_UNKNOWN).location.line == 2
        text, report = self.csv(tmp_path, b"id\n", encoding="klingon")
        assert text is None and "klingon" in one(report, ErrorCode.ENCODING_UNKNOWN).message

    def test_nul_bytes_are_refused(self, tmp_path):
        text, report = self.csv(tmp_path, b"id,age\nr1,\x0070\n")
        assert text is None and one(report, ErrorCode.CONTROL_CHARACTER).location.line == 2


class TestWorkbooks:
    def test_garbage_and_a_zip_that_is_no_workbook(self, tmp_path):
        path = tmp_path / "x.xlsx"
        path.write_bytes(b"PK\x03\x04 not really a zip")
        report = Report()
        assert not check_workbook(path, report) and codes(report) == [ErrorCode.XLSX_UNREADABLE]
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.txt", "hello")
        report = Report()
        assert read_workbook(path, report) is None and codes(report) == [ErrorCode.XLSX_UNREADABLE]

    def test_a_zip_bomb_is_refused_before_it_is_unpacked(self, tmp_path):
        path = tmp_path / "bomb.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 1024 * 1024))
        report = Report()
        assert not check_workbook(path, report)
        problem = one(report, ErrorCode.ARCHIVE_TOO_LARGE)
        assert "xl/worksheets/sheet1.xml" in problem.message and "200" in problem.message

    def test_far_right_cells_are_left_out_with_one_warning_and_no_memory(self, tmp_path):
        path = tmp_path / "far.xlsx"
        far_right_cells(path)
        report = Report()
        [sheet] = read_workbook(path, report)
        assert sheet.rows == [(1, ("interview_id", "age"))]
        problem = one(report, ErrorCode.CELLS_OUTSIDE_TABLE)
        assert problem.severity is Severity.WARNING and problem.location.field == "XFD"
        assert (problem.location.sheet, problem.location.row) == ("interviews", 2)
        assert problem.params["count"] == "60,000"

    def test_a_stray_cell_far_below_costs_nothing_and_rows_keep_their_numbers(self, tmp_path):
        path = tmp_path / "below.xlsx"
        path.write_bytes(
            workbook({"s": row(1, {"A": "h", "B": "i"}) + row(3, {"B": 2}) + row(1_048_576, {"A": "x"})})
        )
        [sheet] = read_workbook(path, Report())
        assert sheet.rows == [(1, ("h", "i")), (3, (None, 2)), (1_048_576, ("x",))]
        assert sheet.dense()[:3] == [("h", "i"), (), (None, 2)] and len(sheet.dense()) == 1_048_576

    def test_limits_on_rows_and_the_width_of_the_heading(self, tmp_path):
        path = tmp_path / "wide.xlsx"
        path.write_bytes(workbook({"s": row(1, {"A": "a", "XFD": "z"})}))
        report = Report()
        assert read_workbook(path, report) is None
        problem = one(report, ErrorCode.TABLE_TOO_LARGE)
        assert problem.location.field == "XFD" and "10,000 columns" in problem.message
        path.write_bytes(workbook({"s": "".join(row(r, {"A": r}) for r in range(1, 30))}))
        report = Report()
        assert read_workbook(path, report, limits=dataclasses.replace(LIMITS, max_rows=20)) is None
        assert one(report, ErrorCode.TABLE_TOO_LARGE).location.row == 21


class TestMemory:
    """Memory running out all the same (under a limit of the machine's) is a message, not a crash."""

    def test_while_reading_yaml(self, monkeypatch):
        import surveykit.fileio as fileio

        def exhausted(self, node):
            raise MemoryError

        monkeypatch.setattr(fileio._Loader, "construct_document", exhausted)
        data, _, report = parse_yaml("a: 1\n", "x.yaml", limits=LIMITS)
        assert data is None and codes(report) == [ErrorCode.OUT_OF_MEMORY]
        assert report.problems[0].location.file == "x.yaml"

    def test_while_opening_a_workbook(self, tmp_path, monkeypatch):
        import openpyxl

        path = tmp_path / "x.xlsx"
        path.write_bytes(workbook({"s": row(1, {"A": "a"})}))

        def exhausted(*args, **kwargs):
            raise MemoryError

        monkeypatch.setattr(openpyxl, "load_workbook", exhausted)
        report = Report()
        assert read_workbook(path, report) is None and codes(report) == [ErrorCode.OUT_OF_MEMORY]

    def test_a_damaged_workbook_names_the_real_cause(self, tmp_path):
        from .corpus import entity_bomb_workbook

        path = tmp_path / "bomb.xlsx"
        entity_bomb_workbook(path)
        report = Report()
        assert read_workbook(path, report) is None
        problem = one(report, ErrorCode.XLSX_UNREADABLE)
        # defusedxml (when installed, openpyxl uses it) forbids entities; expat alone stops the amplification
        assert "EntitiesForbidden" in problem.message or "amplification" in problem.message
        assert "Unable to read workbook" not in problem.message  # openpyxl's wrapper, not the cause


def test_a_table_size_known_from_a_header_is_checked_before_reading():
    from surveykit.fileio import check_table

    report = Report()
    assert check_table(10, 5, report, file="a.sav") and not report.problems
    assert not check_table(2_000_000, 20_000, report, file="a.sav", sheet="data")
    assert [p.params["unit"] for p in report] == ["rows", "columns"]
    assert report.problems[0].location.sheet == "data" and "max_rows" in report.problems[0].hint
