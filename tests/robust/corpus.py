"""The hostile-file corpus: broken and malicious files, each written by code (nothing binary is committed).

Every :class:`Case` is one file (or folder, or pipe) named by the condition it shows, the entry points it is
given to, and the error codes at least one of which ``surveykit validate`` (or the first entry point) must
report. :func:`build` writes them all into a folder. The conditions of issue 14 are all here: deep nesting
in JSON, YAML and XLSX; YAML alias expansion and a self-referencing alias; NUL and control characters;
integers over 4,300 digits; a folder named x.yaml; a recursive regex in a constraint; an XLSX with one
far-right cell in many rows; a garbage .xlsx given to import; NaN/Infinity as bounds; duplicate JSON keys;
a latin-1 CSV.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: what a file is given to: the commands that read forms (validate, convert), those that read data (import,
#: infer), or both; the commands say which they take (ENTRY_POINTS of test_hostile_corpus.py)
FORM = ("form",)
DATA = ("data",)
ANY = ("form", "data")


@dataclass(frozen=True)
class Case:
    name: str  # the file name: the condition it shows
    write: Callable[[Path], None]  # writes the file at the given path
    given_to: tuple[str, ...] = FORM  # the first is the kind of command whose result is checked closely
    codes: tuple[str, ...] = ()  # one of these must be reported by the command checked closely ("": none)
    env: dict[str, str] = field(default_factory=dict)  # settings for this case (e.g. a small max_file_mb)
    exit_codes: tuple[int, ...] = (1,)  # what the command checked closely must end with
    checked_by: str | None = None  # that command, when not the first one taking ``given_to[0]``


# --- small valid pieces ---------------------------------------------------------------------------------

HEAD = """schema_version: 1
id: hostile
version: "1"
title: {en: Hostile, ru: Враждебный}
languages: [en, ru]
default_language: en
"""


def question(extra: str = "", kind: str = "integer") -> str:
    return HEAD + f"items:\n  - code: q1\n    type: {kind}\n    label: {{en: Q, ru: В}}\n{extra}"


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content.encode(encoding, "surrogatepass"))


def raw(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return HEAD + "\n".join(lines) + "\nitems: []\n"


def alias_chain(n: int) -> str:
    lines = ["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, n)]
    return "\n".join(lines) + "\n"


def nested_groups(depth: int) -> str:
    out, indent = [HEAD, "items:"], "  "
    for i in range(depth):
        out.append(
            f"{indent}- code: g{i}\n{indent}  type: group\n{indent}  label: {{en: G, ru: Г}}\n{indent}  items:"
        )
        indent += "    "
    out.append(f"{indent}- code: q\n{indent}  type: text\n{indent}  label: {{en: Q, ru: В}}")
    return "\n".join(out) + "\n"


def json_questionnaire(**question_fields: object) -> str:
    body = {
        "schema_version": 1,
        "id": "hostile",
        "version": "1",
        "title": {"en": "Hostile", "ru": "Враждебный"},
        "languages": ["en", "ru"],
        "default_language": "en",
        "items": [{"code": "q1", "type": "integer", "label": {"en": "Q", "ru": "В"}, **question_fields}],
    }
    return json.dumps(body, allow_nan=True)


# --- workbooks, written part by part --------------------------------------------------------------------

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets>{sheets}</sheets></workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"""
SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"""


def cell(ref: str, value: object) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    escaped = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{escaped}</t></is></c>'


def row(number: int, cells: dict[str, object]) -> str:
    return f'<row r="{number}">' + "".join(cell(f"{c}{number}", v) for c, v in cells.items()) + "</row>"


def workbook(
    sheets: dict[str, str], extra: dict[str, bytes] | None = None, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """An .xlsx from sheet XML bodies (``<row>`` elements), written directly so any size or shape is cheap."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        names = list(sheets)
        archive.writestr(
            "[Content_Types].xml",
            CONTENT_TYPES.format(
                sheets="".join(
                    f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(len(names))
                )
            ),
        )
        archive.writestr("_rels/.rels", RELS)
        archive.writestr(
            "xl/workbook.xml",
            WORKBOOK.format(
                sheets="".join(
                    f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names)
                )
            ),
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(
                rels="".join(
                    f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                    f'2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                    for i in range(len(names))
                )
            ),
        )
        for i, name in enumerate(names):
            archive.writestr(f"xl/worksheets/sheet{i + 1}.xml", SHEET.format(rows=sheets[name]))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def form_sheets(constraint: str = "", survey_extra: str = "") -> dict[str, str]:
    survey = row(1, {"A": "type", "B": "name", "C": "label", "D": "constraint"}) + row(
        2, {"A": "integer", "B": "q1", "C": "Q", **({"D": constraint} if constraint else {})}
    )
    choices = row(1, {"A": "list_name", "B": "name", "C": "label"})
    return {"survey": survey + survey_extra, "choices": choices}


def data_sheet(rows: str) -> dict[str, str]:
    return {"interviews": row(1, {"A": "interview_id", "B": "age"}) + rows}


def far_right_cells(path: Path) -> None:
    body = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 60_002))
    path.write_bytes(workbook(data_sheet(body)))


def zip_bomb(path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=""))
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(64):  # 64 MB of zeros packed into about 64 KB
                part.write(chunk)
    path.write_bytes(buffer.getvalue())


def deep_xml_workbook(path: Path) -> None:
    depth = 200_000
    nested = "<x>" * depth + "</x>" * depth
    data = workbook(data_sheet(row(2, {"A": "i1", "B": 1})))
    buffer = io.BytesIO()
    # stored, not compressed: the nesting, not the packing ratio, is what this case is about
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = content.replace(b"<sheets>", b"<extLst>" + nested.encode() + b"</extLst><sheets>")
            out.writestr(item.filename, content)
    path.write_bytes(buffer.getvalue())


def deep_xml_sheet(path: Path) -> None:
    depth = 200_000
    body = row(2, {"A": "i1"}).replace("<t>i1</t>", "<t>" + "<r>" * depth + "</r>" * depth + "i1</t>")
    path.write_bytes(workbook(data_sheet(body), compression=zipfile.ZIP_STORED))


def entity_bomb_workbook(path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1 if i > 1 else ''};" * 10 + '">' for i in range(1, 10))
        + "]>"
    )
    sheet = SHEET.format(rows=row(1, {"A": "interview_id"}) + row(2, {"A": "&lol9;"}))
    data = workbook({"interviews": ""})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = (bomb + sheet.split("?>", 1)[1]).encode()
            out.writestr(item.filename, content)
    path.write_bytes(buffer.getvalue())


def truncated_workbook(path: Path) -> None:
    data = workbook(form_sheets())
    path.write_bytes(data[: len(data) // 2])


def fifo(path: Path) -> None:
    os.mkfifo(path)


def folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("not a questionnaire", encoding="utf-8")


def in_folder(sub: str, content: str) -> Callable[[Path], None]:
    """A file placed where its kind lives (``<case>/methodology/x.yaml``): the path given is a folder."""

    def write(path: Path) -> None:
        target = path / sub
        target.parent.mkdir(parents=True)
        target.write_text(content, encoding="utf-8")

    return write


def latin1_csv(path: Path) -> None:
    path.write_bytes("interview_id,age,comment\nr1,70,déjà vu\n".encode("latin-1"))


def latin1_long_csv(path: Path) -> None:
    lines = ["interview_id,age,commentaire"] + [
        f"r{i},{60 + i},Très bien déjà reçu à l'école élémentaire" for i in range(20)
    ]
    path.write_bytes("\n".join(lines).encode("latin-1"))


def cp1251_csv(path: Path) -> None:
    lines = ["interview_id;age;комментарий"] + [
        f"r{i};{60 + i};Всё хорошо, спасибо большое" for i in range(20)
    ]
    path.write_bytes("\n".join(lines).encode("cp1251"))


def many_columns_csv(path: Path) -> None:
    path.write_text(
        ",".join(f"c{i}" for i in range(12_001)) + "\n" + ",".join(["1"] * 12_001), encoding="utf-8"
    )


def zipfile_with_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    return buffer.getvalue()


# --- the corpus -----------------------------------------------------------------------------------------

CASES: list[Case] = [
    # YAML: expansion, loops and depth
    Case("yaml-billion-laughs.yaml", text(billion_laughs()), codes=("SK144",)),
    Case("yaml-alias-to-itself-in-a-list.yaml", text(HEAD + "a: &a [*a]\n"), codes=("SK145",)),
    Case("yaml-alias-to-itself-in-a-mapping.yaml", text(HEAD + "a: &a {b: {c: *a}}\n"), codes=("SK145",)),
    Case("yaml-alias-chain-deeper-than-the-limit.yaml", text(alias_chain(150)), codes=("SK143",)),
    Case(
        "yaml-too-many-aliases.yaml",
        text("a: &a 1\nb: [" + ", ".join(["*a"] * 1_200) + "]\n"),
        codes=("SK158",),
    ),
    Case(
        "yaml-merge-keys-bomb.yaml",
        text(
            "a: &a {x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n"
            + "".join(
                f"b{i}: &b{i}\n  <<: ["
                + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 10)
                + "]\n  y: ["
                + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 10)
                + "]\n"
                for i in range(8)
            )
        ),
        codes=("SK144",),
    ),
    Case("yaml-deep-flow-lists.yaml", text("[" * 200_000 + "]" * 200_000), codes=("SK143",)),
    Case("yaml-deep-block-lists.yaml", text("- " * 20_000 + "x\n"), codes=("SK143",)),
    Case(
        "yaml-deep-mappings.yaml",
        text("".join("  " * i + f"k{i}:\n" for i in range(3_000)) + "  " * 3_000 + "v: 1\n"),
        codes=("SK143",),
    ),
    Case("yaml-deep-flow-mappings.yaml", text("{a: " * 50_000 + "1" + "}" * 50_000), codes=("SK143",)),
    Case(
        "yaml-groups-nested-48-deep-within-the-limit.yaml",
        text(nested_groups(48)),
        codes=("",),
        exit_codes=(0,),
    ),
    Case("yaml-groups-nested-deeper-than-the-limit.yaml", text(nested_groups(60)), codes=("SK143",)),
    # YAML: characters and values
    Case("yaml-nul-character.yaml", text(question().replace("label: {en: Q", "label: {en: Q\0"))),
    Case("yaml-bell-and-escape-characters.yaml", text(question().replace("en: Q", "en: Q\x07\x1b"))),
    Case(
        "yaml-escaped-nul.yaml",
        text(question().replace("{en: Q, ru: В}", '{en: "Q\\0", ru: В}')),
        codes=("SK142",),
    ),
    Case(
        "yaml-escaped-lone-surrogate.yaml",
        text(question().replace("{en: Q, ru: В}", '{en: "Q\\ud800", ru: В}')),
        codes=("SK142",),
    ),
    Case(
        "yaml-integer-of-5000-digits.yaml", text(question("    min: " + "9" * 5_000 + "\n")), codes=("SK146",)
    ),
    Case("yaml-integer-key-of-5000-digits.yaml", text("1" * 5_000 + ": x\n"), codes=("SK146",)),
    Case(
        "yaml-integer-of-4000-digits.yaml", text(question("    max: " + "9" * 4_000 + "\n")), codes=("SK109",)
    ),
    Case("yaml-nan-as-bound.yaml", text(question("    min: .nan\n")), codes=("SK147",)),
    Case("yaml-infinity-as-bound.yaml", text(question("    max: .inf\n")), codes=("SK147",)),
    Case("yaml-infinity-as-text-bound.yaml", text(question("    max: inf\n")), codes=("SK109",)),
    Case("yaml-nan-as-quoted-bound.yaml", text(question('    min: "NaN"\n')), codes=("SK109",)),
    Case("yaml-date-that-does-not-exist.yaml", text(question("    default: 2024-13-45\n")), codes=("SK149",)),
    Case("yaml-two-documents.yaml", text(question() + "---\n" + question()), codes=("SK103",)),
    Case(
        "yaml-python-object-tag.yaml",
        text("a: !!python/object/apply:os.system [echo owned]\n"),
        codes=("SK103",),
    ),
    Case(
        "yaml-unknown-tag.yaml",
        text(question().replace("type: integer", "type: !custom integer")),
        codes=("SK103",),
    ),
    Case("yaml-binary-as-label.yaml", text(question().replace("{en: Q, ru: В}", "!!binary aGVsbG8="))),
    Case("yaml-duplicate-keys.yaml", text(question("    type: text\n")), codes=("SK148",)),
    Case("yaml-not-utf8.yaml", raw(question().replace("В", "Ж").encode("cp1251")), codes=("SK150",)),
    Case(
        "yaml-utf16-with-bom.yaml",
        raw(b"\xff\xfe" + question().encode("utf-16-le")),
        codes=("",),
        exit_codes=(0,),
    ),
    Case("yaml-empty.yaml", text("")),
    Case("yaml-only-a-comment.yaml", text("# nothing here\n")),
    Case("yaml-a-plain-scalar.yaml", text("just some text\n")),
    Case("yaml-a-list-at-the-top.yaml", text("- a\n- b\n")),
    Case("yaml-tab-indentation.yaml", text("items:\n\t- code: a\n"), codes=("SK103",)),
    Case("yaml-unclosed-quote.yaml", text(question().replace("{en: Q,", '{en: "Q,')), codes=("SK103",)),
    Case("yaml-undefined-alias.yaml", text(HEAD + "items: *nothing\n"), codes=("SK103",)),
    Case("yaml-kind-that-does-not-exist.yaml", text("kind: questionaire\n" + question()), codes=("SK157",)),
    Case("yaml-kind-of-something-else.yaml", text("kind: course\n" + question())),
    Case(
        "yaml-long-line.yaml",
        text(question().replace("{en: Q, ru: В}", "{en: " + "Q" * 2_000_000 + ", ru: В}")),
        codes=("",),
        exit_codes=(0, 1),
    ),
    Case(
        "yaml-larger-than-max-file-mb.yaml",
        text(question() + "#" * (2 * 1024 * 1024) + "\n"),
        codes=("SK140",),
        env={"SURVEYKIT_MAX_FILE_MB": "1"},
    ),
    Case(
        "yaml-reading-time-limit.yaml",
        text("a: [" + ", ".join(["x"] * 400_000) + "]\n"),
        codes=("SK154",),
        env={"SURVEYKIT_READ_TIMEOUT_S": "1"},
    ),
    # expressions in questionnaires
    Case(
        "yaml-recursive-regex-in-a-constraint.yaml",
        text(question("    constraint: \"regex(., '(?R)')\"\n", "text")),
        codes=("SK309",),
    ),
    Case(
        "yaml-recursive-named-group-regex.yaml",
        text(question("    constraint: \"regex(., '(?P<x>a(?&x)?b)')\"\n", "text")),
        codes=("SK309",),
    ),
    Case(
        "yaml-exploding-regex.yaml",
        text(question("    constraint: \"regex(., '(?:(?:(?:a{100}){100}){100}){100}')\"\n", "text")),
        codes=("SK309",),
    ),
    Case(
        "yaml-catastrophic-regex.yaml",
        text(question("    constraint: \"regex(., '(a|aa)+b')\"\n", "text")),
        codes=("",),
        exit_codes=(0,),
    ),
    Case(
        "yaml-deep-expression.yaml",
        text(question('    relevant: "' + "(" * 5_000 + "1" + ")" * 5_000 + '"\n')),
        codes=("SK305",),
    ),
    # files of other kinds, broken
    Case(
        "profile-garbage",
        in_folder("methodology/garbage.yaml", "criteria: 7\nweights: [1, .nan]\n"),
        codes=("SK147",),
    ),
    Case(
        "profile-wrong-schema",
        in_folder("methodology/wrong.yaml", "schema_version: 1\nid: x\ncriteria: {a: 1}\n"),
    ),
    Case(
        "items-not-a-list", in_folder("training/items/m0.yaml", "schema_version: 1\nmodule: M0\nitems: 5\n")
    ),
    Case(
        "persona-for-no-questionnaire",
        in_folder(
            "training/personas/p.yaml",
            "schema_version: 1\nid: p\nquestionnaire: nothing\nname: {ru: а, en: a}\ndescription: {ru: а, en: a}\nanswers: {q1: {value: x, say: {ru: а, en: a}}}\n",
        ),
    ),
    Case(
        "qc-rules-deep",
        in_folder("quality/rules.yaml", "schema_version: 1\npeers: " + "[" * 500 + "]" * 500 + "\n"),
        codes=("SK143",),
    ),
    Case(
        "workflow-alias-loop",
        in_folder("quality/workflow.yaml", "schema_version: 1\nbackcheck: &b {x: *b}\n"),
        codes=("SK145",),
    ),
    # JSON
    Case("json-deep-nesting.json", text("[" * 200_000 + "]" * 200_000), codes=("SK143",)),
    Case("json-deep-objects.json", text('{"a":' * 100_000 + "1" + "}" * 100_000), codes=("SK143",)),
    Case(
        "json-duplicate-keys.json",
        text(json_questionnaire().replace('"code": "q1"', '"code": "q1", "code": "q2"')),
        codes=("SK148",),
    ),
    Case("json-nan-as-bound.json", text(json_questionnaire(min=float("nan"))), codes=("SK147",)),
    Case("json-infinity-as-bound.json", text(json_questionnaire(max=float("inf"))), codes=("SK147",)),
    Case(
        "json-exponent-overflow-as-bound.json",
        text(json_questionnaire(max=1).replace('"max": 1', '"max": 1e999999')),
        codes=("SK147",),
    ),
    Case(
        "json-integer-of-5000-digits.json",
        text(json_questionnaire(min=1).replace('"min": 1', '"min": ' + "7" * 5_000)),
        codes=("SK146",),
    ),
    Case("json-escaped-nul.json", text(json_questionnaire(hint={"en": "a\0b"})), codes=("SK142",)),
    Case(
        "json-lone-surrogate.json", text(json_questionnaire().replace('"Q"', '"\\udc00"')), codes=("SK142",)
    ),
    Case("json-garbage-bytes.json", raw(bytes(range(256)) * 8), codes=("SK150",)),
    Case("json-trailing-garbage.json", text(json_questionnaire() + " ]]]"), codes=("SK104",)),
    Case("json-a-list-at-the-top.json", text("[1, 2, 3]"), codes=("SK109",)),
    Case(
        "json-recursive-regex.json",
        text(json_questionnaire(type="text", constraint="regex(., '((?1))')")),
        codes=("SK309",),
    ),
    # workbooks
    Case("xlsx-garbage.xlsx", raw(os.urandom(4096)), ANY, codes=("SK110",)),
    Case("xlsx-empty-file.xlsx", raw(b""), ANY, codes=("SK110",)),
    Case(
        "xlsx-zip-without-a-workbook.xlsx",
        lambda p: p.write_bytes(zipfile_with_text()),
        ANY,
        codes=("SK110",),
    ),
    Case("xlsx-truncated.xlsx", truncated_workbook, ANY, codes=("SK110",)),
    Case("xlsx-zip-bomb.xlsx", zip_bomb, ANY, codes=("SK152",)),
    Case(
        "xlsx-one-far-right-cell-in-many-rows.xlsx",
        far_right_cells,
        (*DATA, *FORM),
        codes=("SK159",),
        exit_codes=(0, 1),
    ),
    Case(
        "xlsx-one-cell-far-below.xlsx",
        lambda p: p.write_bytes(workbook(data_sheet(row(1_048_576, {"A": "x"})))),
        (*DATA, *FORM),
        exit_codes=(0, 1),
    ),
    Case(
        "xlsx-heading-far-right.xlsx",
        lambda p: p.write_bytes(workbook({"survey": row(1, {"A": "type", "XFD": "x"})})),
        (*FORM, *DATA),
        # read as pyxform reads it, bounded to the columns a form can have: the far cell is never read, and
        # what is left (a survey sheet without 'name') is refused, located
        codes=("SK153", "SK107"),
    ),
    Case("xlsx-deep-xml-in-the-workbook.xlsx", deep_xml_workbook, ANY, exit_codes=(0, 1)),
    Case("xlsx-deep-xml-in-a-cell.xlsx", deep_xml_sheet, (*DATA, *FORM), exit_codes=(0, 1)),
    Case("xlsx-entity-expansion.xlsx", entity_bomb_workbook, (*DATA, *FORM), codes=("SK110", "SK716")),
    Case(
        "xlsx-bad-cell-reference.xlsx",
        lambda p: p.write_bytes(workbook({"survey": '<row r="1"><c r="ZZZZZ1"><v>1</v></c></row>'})),
        ANY,
        codes=("SK110",),
    ),
    Case(
        "xlsform-recursive-regex.xlsx",
        lambda p: p.write_bytes(workbook(form_sheets("regex(., '(?R)')"))),
        FORM,
        codes=("SK309",),
    ),
    Case(
        "xlsform-nan-in-a-constraint.xlsx",
        lambda p: p.write_bytes(workbook(form_sheets(". < number('NaN')"))),
        FORM,
        exit_codes=(0, 1),
    ),
    Case("xls-that-is-not-a-workbook.xls", raw(b"\xd0\xcf\x11\xe0" + os.urandom(1000)), ANY),
    # data files for import
    Case("csv-latin1.csv", latin1_csv, DATA, codes=("SK150",)),
    Case("csv-latin1-recognised.csv", latin1_long_csv, DATA, codes=("SK151",)),
    # recognised with a warning; its column matches the question's Russian text, so the import goes ahead
    Case("csv-windows-1251-recognised.csv", cp1251_csv, DATA, codes=("SK151",), exit_codes=(0,)),
    Case("csv-nul-bytes.csv", raw(b"interview_id,age\nr1,\x0070\n"), DATA, codes=("SK142",)),
    Case(
        "csv-utf16-with-bom.csv", raw("interview_id,age\nr1,70\n".encode("utf-16")), DATA, exit_codes=(0, 1)
    ),
    Case("csv-unterminated-quote.csv", text('interview_id,age\n"r1,70\n'), DATA, codes=("SK118",)),
    Case("csv-more-columns-than-max-columns.csv", many_columns_csv, DATA, codes=("SK153",)),
    Case("csv-binary-garbage.csv", raw(os.urandom(2048)), DATA, codes=("SK150", "SK142")),
    Case("csv-empty.csv", raw(b""), DATA, codes=("SK118",)),
    Case("sav-garbage.sav", raw(b"$FL2" + os.urandom(2000)), DATA, codes=("SK716",)),
    Case("sav-empty.sav", raw(b""), DATA, codes=("SK716",)),
    Case("dta-garbage.dta", raw(b"<stata_dta>" + os.urandom(2000)), DATA, codes=("SK716",)),
    # not files at all
    Case("folder-named-like-a-file.yaml", folder, ANY, codes=("SK141",), checked_by="convert"),
    Case("folder-with-nothing-to-validate", folder, FORM, codes=("SK910",)),
    Case("folder-named-like-a-workbook.xlsx", folder, (*DATA, *FORM), codes=("SK141",), checked_by="import"),
    Case("named-pipe.yaml", fifo, FORM, codes=("SK141",)),
    Case("named-pipe.csv", fifo, DATA, codes=("SK141",)),
    Case("a-file-that-does-not-exist.yaml", lambda p: None, ANY, codes=("SK101",)),
]


def build(folder: Path) -> dict[str, Path]:
    """Write every case into ``folder``; the path of each by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case in CASES:
        path = folder / case.name
        case.write(path)
        paths[case.name] = path
    return paths
