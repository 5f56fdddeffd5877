"""What the XLSForm reader and writer share: column names and their aliases, question types, languages,
cell values, and how one survey row becomes a question (used by the reader, and by the writer to check
that what it writes reads back unchanged). Internal: the public surface is :mod:`.xlsform`.

Column and type names follow pyxform (``pyxform/aliases.py``, ``question_type_dictionary.py``) and the
XLSForm reference (xlsform.org): headers are case-insensitive, spaces count as underscores, and
``bind::relevant`` is the same column as ``relevant``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from surveykit.i18n import LANGUAGE_NAMES
from surveykit.questionnaire.names import suggest_name

# --- sheets ------------------------------------------------------------------------------------------
SURVEY = "survey"
CHOICES = "choices"
SETTINGS = "settings"
#: the extra sheet with what XLSForm has no place for (ignored by pyxform and KoboToolbox)
EXTRA = "surveykit"

# --- survey columns ------------------------------------------------------------------------------------
#: columns whose text is per language (``label::English (en)``)
TRANSLATABLE = ("label", "hint", "guidance_hint", "constraint_message", "required_message")
#: the survey columns surveykit reads, in the order the writer puts them
SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "guidance_hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "default",
    "appearance",
    "repeat_count",
    "parameters",
)

#: surveykit's own columns: what the model has and XLSForm lacks. Plain names with an underscore (not
#: ``surveykit::x``): pyxform groups ``a::b`` headers into nested values, and on the choices sheet every
#: extra column becomes an XML element of the choice, so its name must be a valid XML name.
EXT_TYPE = "surveykit_type"
EXT_VALUE_TYPE = "surveykit_value_type"
EXT_MIN = "surveykit_min"
EXT_MAX = "surveykit_max"
EXT_SCORING = "surveykit_scoring"
EXT_FIELDS = "surveykit_fields"
SURVEY_EXTENSIONS = (EXT_TYPE, EXT_VALUE_TYPE, EXT_MIN, EXT_MAX, EXT_SCORING, EXT_FIELDS)
EXT_CHOICE_VALUE = "surveykit_value"
EXT_CHOICE_MISSING = "surveykit_missing"
CHOICE_EXTENSIONS = (EXT_CHOICE_VALUE, EXT_CHOICE_MISSING)

#: header (lower case, spaces as underscores) -> column; from pyxform's ``survey_header`` and the reference
SURVEY_ALIASES: dict[str, str] = {
    **{name: name for name in SURVEY_COLUMNS},
    "command": "type",
    "tag": "name",
    "value": "name",
    "caption": "label",
    "guidance": "guidance_hint",
    "relevance": "relevant",
    "calculate": "calculation",
    "constraining_message": "constraint_message",
    "constraint-msg": "constraint_message",
    "constraintmsg": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "repeat-count": "repeat_count",
}
#: ``prefix::name`` headers that mean a supported column
PREFIXED_ALIASES: dict[tuple[str, str], str] = {
    ("bind", "relevant"): "relevant",
    ("bind", "required"): "required",
    ("bind", "constraint"): "constraint",
    ("bind", "calculate"): "calculation",
    ("bind", "jr:constraintmsg"): "constraint_message",
    ("bind", "jr:requiredmsg"): "required_message",
    ("control", "appearance"): "appearance",
    ("body", "appearance"): "appearance",
    ("control", "jr:count"): "repeat_count",
}
#: known XLSForm columns surveykit does not support; True: dropping their content changes what is
#: collected (an error), False: only how the form looks or what the server does (a warning)
UNSUPPORTED_COLUMNS: dict[str, bool] = {
    "read_only": False,
    "readonly": False,
    "trigger": True,
    "disabled": True,
    "save_to": True,
    "image": False,
    "big-image": False,
    "big_image": False,
    "audio": False,
    "video": False,
    "autoplay": False,
    "rows": False,
    "intent": False,
    "hxl": False,
    "compact_tag": False,
    "sms_field": False,
    "sms_option": False,
    "no_app_error_string": False,
    "noapperrorstring": False,
}
#: ``bind::`` attributes whose loss changes what is collected (a value filled in, its type, an entity
#: property): an error. Any other ``bind::`` attribute (``saveIncomplete``, a custom attribute of the form's
#: own) only steers ODK Collect or rides along in the XML: a warning.
MEANINGFUL_BIND_ATTRIBUTES = frozenset(
    {"jr:preload", "jr:preloadparams", "type", "entities:saveto", "save_to", "odk:saveto", "calculate"}
)
#: for ``prefix::anything``: dropping ``bind::`` attributes changes the data, the others change the looks
UNSUPPORTED_PREFIXES: dict[str, bool] = {
    "bind": True,
    "media": False,
    "body": False,
    "control": False,
    "instance": False,
}

CHOICE_ALIASES: dict[str, str] = {
    "list_name": "list_name",
    "name": "name",
    "label": "label",
    "caption": "label",
}
CHOICE_MEDIA = {"image", "big-image", "big_image", "audio", "video", "media"}

SETTINGS_ALIASES: dict[str, str] = {
    "form_title": "form_title",
    "title": "form_title",
    "set_form_title": "form_title",
    "form_id": "form_id",
    "id_string": "form_id",
    "set_form_id": "form_id",
    "version": "version",
    "default_language": "default_language",
    "instance_name": "instance_name",
    "style": "style",
    "allow_choice_duplicates": "allow_choice_duplicates",
}

# --- question types ----------------------------------------------------------------------------------
# Every question type pyxform knows (``pyxform/question_type_dictionary.py`` and the select aliases of
# ``pyxform/aliases.py``), lower case with single spaces, and what it is here. A test checks that this table
# and pyxform's stay in step, so a type pyxform converts is never "unknown" here.
#: question types with a surveykit type of their own (``range`` and ``acknowledge`` are converted)
SIMPLE_TYPES: dict[str, str] = {
    **dict.fromkeys(("text", "string", "q string", "add text prompt"), "text"),
    **dict.fromkeys(("integer", "int", "q int", "add integer prompt"), "integer"),
    **dict.fromkeys(("decimal", "q decimal", "add decimal prompt"), "decimal"),
    **dict.fromkeys(("date", "q date", "add date prompt"), "date"),
    "time": "time",
    **dict.fromkeys(
        ("datetime", "date time", "q date time", "q datetime", "add date time prompt", "add datetime prompt"),
        "datetime",
    ),
    **dict.fromkeys(
        ("geopoint", "location", "gps", "q geopoint", "q location", "add location prompt"), "geopoint"
    ),
    **dict.fromkeys(
        ("image", "photo", "q picture", "q image", "add image prompt", "add photo prompt"), "image"
    ),
    **dict.fromkeys(("audio", "q audio", "add audio prompt"), "audio"),
    **dict.fromkeys(("video", "q video", "add video prompt"), "video"),
    **dict.fromkeys(("file", "add file prompt"), "file"),
    **dict.fromkeys(("note", "q note", "add note prompt"), "note"),
    **dict.fromkeys(("calculate", "q calculate", "add calculate prompt"), "calculate"),
    "range": "range",
    **dict.fromkeys(("acknowledge", "q acknowledge", "add acknowledge prompt", "trigger"), "acknowledge"),
    # pyxform's typed-in variants: a type plus the constraint and hint ODK adds (see PRESETS)
    "phone number": "text",
    "percentage": "integer",
    "number of days in last month": "integer",
    "number of days in last six months": "integer",
    "number of days in last year": "integer",
    # a scanned code is text; surveykit has no scanner, so it is typed in (the reader says so)
    **dict.fromkeys(("barcode", "q barcode", "add barcode prompt"), "text"),
}
#: what pyxform adds to some types: the constraint ODK enforces (as min/max where it is a range) and a hint
PRESETS: dict[str, dict[str, Any]] = {
    "phone number": {"constraint": "regex(., '^\\d*$')", "hint": "Enter numbers only."},
    "percentage": {"min": 0.0, "max": 100.0},
    "number of days in last month": {"min": 0.0, "max": 31.0, "hint": "Enter a number 0-31."},
    "number of days in last six months": {"min": 0.0, "max": 183.0, "hint": "Enter a number 0-183."},
    "number of days in last year": {"min": 0.0, "max": 365.0, "hint": "Enter a number 0-365."},
}
#: types read as text with a note that the value is typed in
TYPED_IN = frozenset({"barcode", "q barcode", "add barcode prompt"})
SELECT_KEYWORDS: dict[str, str] = {
    "select_one": "select_one",
    "select one": "select_one",
    "select1": "select_one",
    "select one from": "select_one",
    "add select one prompt using": "select_one",
    "select_multiple": "select_multiple",
    "select multiple": "select_multiple",
    "select all that apply": "select_multiple",
    "select all that apply from": "select_multiple",
    "select multiple from": "select_multiple",
    "add select multiple prompt using": "select_multiple",
}
#: filled in automatically by ODK Collect / Enketo; surveykit records its own paradata instead
META_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "imei",
        "device id",
        "subscriberid",
        "subscriber id",
        "simserial",
        "sim id",
        "phonenumber",
        "phone_number",
        "username",
        "email",
        "audit",
        "start time",
        "end time",
        "start-time",
        "end-time",
        "get start time",
        "get end time",
        "get today",
        "get device id",
        "get subscriber id",
        "get sim id",
        "get phone number",
    }
)
#: XLSForm types that make no sense here, each with what to do instead (English, Russian)
REFUSED_TYPES: dict[str, tuple[str, str, str, str]] = {
    # type: (what it is, what to do) in English, then in Russian
    "geotrace": (
        "a line drawn on a map",
        "Use a geopoint for one place, or a text question describing the route.",
        "линия на карте",
        "Используйте geopoint для одной точки или текстовый вопрос с описанием маршрута.",
    ),
    "geoshape": (
        "an area drawn on a map",
        "Use a geopoint for one place, or a text question describing the area.",
        "область на карте",
        "Используйте geopoint для одной точки или текстовый вопрос с описанием области.",
    ),
    "start-geopoint": (
        "the device's location recorded silently at the start",
        "Add a geopoint question: surveykit asks for the location (with consent) instead of taking it silently.",
        "местоположение устройства, записываемое незаметно в начале",
        "Добавьте вопрос geopoint: surveykit спрашивает местоположение (с согласия), а не берёт его незаметно.",
    ),
    "background-geopoint": (
        "the device's location recorded silently when a question is answered",
        "Add a geopoint question: surveykit asks for the location (with consent) instead of taking it silently.",
        "местоположение устройства, записываемое незаметно при ответе",
        "Добавьте вопрос geopoint: surveykit спрашивает местоположение (с согласия), а не берёт его незаметно.",
    ),
    "background-audio": (
        "a recording of the whole interview",
        "Remove the row: surveykit does not record interviews in the background; add an audio question where "
        "a recording is part of the answer.",
        "запись всего интервью",
        "Удалите строку: surveykit не ведёт скрытую запись интервью; добавьте вопрос audio там, где запись — "
        "часть ответа.",
    ),
    "rank": (
        "an ordering of the choices",
        "Use one select_one per place (first, second, ...) of the same list.",
        "упорядочивание вариантов",
        "Используйте по одному select_one из того же списка на каждое место (первое, второе, ...).",
    ),
    "hidden": (
        "a value stored without a question",
        "Use a calculate question whose calculation is the value.",
        "значение без вопроса",
        "Используйте вопрос calculate, в calculation которого записано значение.",
    ),
    "osm": (
        "an OpenStreetMap feature",
        "Use a geopoint, or text questions for the feature's tags.",
        "объект OpenStreetMap",
        "Используйте geopoint или текстовые вопросы для свойств объекта.",
    ),
    "xml-external": (
        "a data file attached to the form",
        "Put the values the form needs on the choices sheet.",
        "файл данных, прикреплённый к форме",
        "Перенесите нужные форме значения на лист choices.",
    ),
    "csv-external": (
        "a data file attached to the form",
        "Put the values the form needs on the choices sheet.",
        "файл данных, прикреплённый к форме",
        "Перенесите нужные форме значения на лист choices.",
    ),
    "select_from_file": (
        "choices read from a file attached to the form",
        "Copy the file's rows onto the choices sheet as list '{list}' and use 'select_one {list}' "
        "(or select_multiple).",
        "варианты из прикреплённого к форме файла",
        "Скопируйте строки файла на лист choices как список «{list}» и используйте «select_one {list}» "
        "(или select_multiple).",
    ),
    "select_external": (
        "choices from the external_choices sheet",
        "Move the list '{list}' from the external_choices sheet to the choices sheet and use "
        "'select_one {list}'.",
        "варианты с листа external_choices",
        "Перенесите список «{list}» с листа external_choices на лист choices и используйте "
        "«select_one {list}».",
    ),
    "select_from_answers": (
        "choices made from the answers of a repeat group",
        "Use a fixed choice list on the choices sheet, or a text question.",
        "варианты из ответов в повторяющейся группе",
        "Используйте постоянный список вариантов на листе choices или текстовый вопрос.",
    ),
    "loop": (
        "a group repeated once per choice of a list",
        "Use a begin_repeat with repeat_count, or one group per choice.",
        "группа, повторяемая для каждого варианта списка",
        "Используйте begin_repeat с repeat_count или по группе на каждый вариант.",
    ),
}
_REFUSED_ALIASES = {
    "q geoshape": "geoshape",
    "q geotrace": "geotrace",
    "select_one_from_file": "select_from_file",
    "select_multiple_from_file": "select_from_file",
    "select one from file": "select_from_file",
    "select multiple from file": "select_from_file",
    "select_one_external": "select_external",
    "select one external": "select_external",
    "select_multiple_external": "select_external",
}
#: list names that are files (pyxform's ``EXTERNAL_INSTANCE_EXTENSIONS``)
FILE_LISTS = (".csv", ".xml", ".geojson")
SUPPORTED_TYPES_TEXT = (
    "select_one <list>, select_multiple <list>, text, integer, decimal, date, time, datetime, geopoint, "
    "image, audio, video, file, note, calculate, range, acknowledge, barcode, begin_group/end_group, "
    "begin_repeat/end_repeat (and pyxform's other names for them)"
)
SUPPORTED_COLUMNS_TEXT = ", ".join(SURVEY_COLUMNS)
#: surveykit types an ``surveykit_type`` cell may give a select_one row (matrix: a begin_group row)
EXT_TYPES = ("likert", "yes_no", "matrix")

_GROUP_RE = re.compile(r"^(begin|end)[ _]+(group|repeat|loop|looped[ _]group|lgroup)\b\s*(.*)$")
_SPECIFY_OTHER = ("or specify other", "or_other", "or other")


@dataclass(frozen=True)
class TypeSpec:
    """What a ``type`` cell says: ``kind`` is question, begin, end, meta, nolist, refused or unknown."""

    kind: str
    raw: str
    qtype: str | None = None  # question: select_one, ..., range, acknowledge; begin/end: group, repeat, loop
    list_name: str | None = None
    or_other: bool = False
    alias: str | None = None  # the lower-case type as written, when it is one of pyxform's other names
    refused: str | None = None  # the key of REFUSED_TYPES


def normal_type(cell: str) -> str:
    """A type cell as pyxform compares it: single spaces, lower case (``dateTime`` is ``datetime``)."""
    return " ".join(cell.split()).lower()


def parse_type(cell: str) -> TypeSpec:
    """What a ``type`` cell says (see :class:`TypeSpec`)."""
    raw = " ".join(cell.split())
    lowered = raw.lower()
    m = _GROUP_RE.match(lowered)
    if m:
        what = m.group(2).replace(" ", "_")
        what = {"looped_group": "repeat", "lgroup": "repeat"}.get(what, what)
        return TypeSpec("begin" if m.group(1) == "begin" else "end", raw, qtype=what)
    if lowered in REFUSED_TYPES or lowered in _REFUSED_ALIASES:
        return TypeSpec("refused", raw, refused=_REFUSED_ALIASES.get(lowered, lowered))
    for keyword in sorted((*_REFUSED_ALIASES, "rank"), key=len, reverse=True):
        if lowered.startswith(keyword + " "):
            rest = raw[len(keyword) :].split()
            return TypeSpec(
                "refused",
                raw,
                list_name=rest[0] if rest else None,
                refused=_REFUSED_ALIASES.get(keyword, keyword),
            )
    for keyword, qtype in sorted(SELECT_KEYWORDS.items(), key=lambda kv: -len(kv[0])):
        if lowered.startswith(keyword + " "):
            rest = raw[len(keyword) :].strip()
            or_other = False
            for suffix in _SPECIFY_OTHER:
                if rest.lower().endswith(" " + suffix):
                    rest, or_other = rest[: -len(suffix)].strip(), True
                    break
            tokens = rest.split()
            if len(tokens) != 1:
                return TypeSpec("unknown", raw)
            list_name = tokens[0]
            if list_name.lower().endswith(FILE_LISTS):
                return TypeSpec("refused", raw, list_name=list_name, refused="select_from_file")
            if list_name.startswith("${"):
                return TypeSpec("refused", raw, list_name=list_name, refused="select_from_answers")
            return TypeSpec(
                "question",
                raw,
                qtype=qtype,
                list_name=list_name,
                or_other=or_other,
                alias=keyword if keyword not in ("select_one", "select_multiple") else None,
            )
    if lowered in SELECT_KEYWORDS:
        return TypeSpec("nolist", raw)
    if lowered in SIMPLE_TYPES:
        qtype = SIMPLE_TYPES[lowered]
        return TypeSpec("question", raw, qtype=qtype, alias=lowered if lowered != qtype else None)
    if lowered in META_TYPES or lowered.startswith("uri:"):
        return TypeSpec("meta", raw)
    return TypeSpec("unknown", raw)


def refusal(spec: TypeSpec) -> tuple[str, str, str, str]:
    """What a refused type is and what to do instead: (what, fix) in English, then in Russian."""
    what_en, fix_en, what_ru, fix_ru = REFUSED_TYPES[spec.refused or ""]
    base = (spec.list_name or "list").rsplit(".", 1)[0] if spec.list_name else "list"
    base = base.strip("${}") or "list"
    return what_en, fix_en.replace("{list}", base), what_ru, fix_ru.replace("{list}", base)


# --- languages ---------------------------------------------------------------------------------------
#: language names (English and native, lower case) -> code, for columns written without a code
KNOWN_LANGUAGES: dict[str, str] = {
    "english": "en",
    "russian": "ru",
    "русский": "ru",
    "ukrainian": "uk",
    "українська": "uk",
    "украинский": "uk",
    "bulgarian": "bg",
    "български": "bg",
    "polish": "pl",
    "polski": "pl",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "portuguese": "pt",
    "português": "pt",
    "italian": "it",
    "italiano": "it",
    "romanian": "ro",
    "română": "ro",
    "belarusian": "be",
    "беларуская": "be",
    "kazakh": "kk",
    "қазақ тілі": "kk",
    "қазақша": "kk",
    "kyrgyz": "ky",
    "кыргызча": "ky",
    "uzbek": "uz",
    "oʻzbek": "uz",
    "tajik": "tg",
    "тоҷикӣ": "tg",
    "georgian": "ka",
    "ქართული": "ka",
    "armenian": "hy",
    "հայերեն": "hy",
    "azerbaijani": "az",
    "azərbaycan": "az",
    "turkish": "tr",
    "türkçe": "tr",
    "arabic": "ar",
    "العربية": "ar",
    "persian": "fa",
    "farsi": "fa",
    "hebrew": "he",
    "greek": "el",
    "czech": "cs",
    "čeština": "cs",
    "slovak": "sk",
    "hungarian": "hu",
    "magyar": "hu",
    "serbian": "sr",
    "српски": "sr",
    "croatian": "hr",
    "hrvatski": "hr",
    "lithuanian": "lt",
    "latvian": "lv",
    "estonian": "et",
    "finnish": "fi",
    "swedish": "sv",
    "norwegian": "no",
    "danish": "da",
    "dutch": "nl",
    "nederlands": "nl",
    "chinese": "zh",
    "中文": "zh",
    "japanese": "ja",
    "korean": "ko",
    "vietnamese": "vi",
    "indonesian": "id",
    "thai": "th",
    "hindi": "hi",
    "bengali": "bn",
    "urdu": "ur",
    "nepali": "ne",
    "swahili": "sw",
    "kiswahili": "sw",
    "amharic": "am",
    "hausa": "ha",
    "somali": "so",
    "tigrinya": "ti",
    "oromo": "om",
    "kinyarwanda": "rw",
    **{name.lower(): code for code, name in LANGUAGE_NAMES.items()},
}
_ENGLISH_NAMES = {code: name.title() for name, code in KNOWN_LANGUAGES.items() if name.isascii()}
KNOWN_CODES = frozenset(KNOWN_LANGUAGES.values())
_CODE_IN_PARENS = re.compile(r"^(.*?)\s*\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)\s*\)\s*$")
_BARE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Language:
    """A language as written in a column header: ``English (en)``, ``English``, ``en``."""

    code: str
    written: str
    has_code: bool


def parse_language(written: str) -> Language:
    """``English (en)`` -> en; ``en`` -> en; ``English``/``Русский`` -> en/ru but without a code."""
    text = written.strip()
    m = _CODE_IN_PARENS.match(text)
    if m:
        return Language(m.group(2), text, True)
    if _BARE_CODE.match(text) and text.split("-")[0] in KNOWN_CODES:
        return Language(text, text, True)
    code = KNOWN_LANGUAGES.get(text.lower())
    if code is None:
        code = suggest_name(text).lower()
    return Language(code, text, False)


def language_label(code: str) -> str:
    """``Русский (ru)``: what the writer puts after ``label::`` (and into ``default_language``)."""
    name = LANGUAGE_NAMES.get(code) or _ENGLISH_NAMES.get(code) or code
    return f"{name} ({code})"


# --- headers -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Header:
    """One column: ``key`` is a supported column, an extension, or None; ``status`` says which."""

    index: int
    text: str
    key: str | None
    status: str  # "column", "extension", "unsupported", "unknown", "empty"
    language: Language | None = None
    changes_meaning: bool = False

    @property
    def letter(self) -> str:
        from openpyxl.utils import get_column_letter

        return get_column_letter(self.index + 1)


def snake(text: str) -> str:
    return "_".join(text.split()).lower()


def split_header(text: str, single_colon: bool) -> list[str]:
    """``label::English (en)`` -> [label, English (en)]; with ``single_colon``, ``label:English`` too."""
    if "::" in text:
        return [t.strip() for t in text.split("::")]
    if single_colon and ":" in text:
        tokens = [t.strip() for t in text.split(":")]
        merged: list[str] = []
        skip = False
        for i, token in enumerate(tokens):
            if skip:
                skip = False
                continue
            if token.lower() == "jr" and i + 1 < len(tokens):
                merged.append(f"jr:{tokens[i + 1]}")
                skip = True
            else:
                merged.append(token)
        return merged
    return [text.strip()]


def parse_survey_header(index: int, text: str, single_colon: bool) -> Header:
    raw = text.strip()
    if not raw:
        return Header(index, raw, None, "empty")
    tokens = split_header(raw, single_colon)
    first = snake(tokens[0])
    rest = tokens[1:]
    if first.startswith("surveykit_") and not rest:
        return Header(index, raw, first, "extension" if first in SURVEY_EXTENSIONS else "unknown")
    if first == "surveykit" and len(rest) == 1:
        key = "surveykit_" + snake(rest[0])
        return Header(index, raw, key, "extension" if key in SURVEY_EXTENSIONS else "unknown")
    if first in UNSUPPORTED_PREFIXES and rest:
        alias = PREFIXED_ALIASES.get((first, snake(rest[0])))
        if alias is None:
            changes = UNSUPPORTED_PREFIXES[first] and (
                first != "bind" or snake(rest[0]) in MEANINGFUL_BIND_ATTRIBUTES
            )
            return Header(index, raw, None, "unsupported", changes_meaning=changes)
        first, rest = alias, rest[1:]
    key = SURVEY_ALIASES.get(first)
    if key is None:
        if first in UNSUPPORTED_COLUMNS:
            return Header(index, raw, None, "unsupported", changes_meaning=UNSUPPORTED_COLUMNS[first])
        return Header(index, raw, None, "unknown")
    if key in TRANSLATABLE:
        language = parse_language("::".join(rest)) if rest else None
        return Header(index, raw, key, "column", language)
    if rest:
        return Header(index, raw, None, "unknown")
    return Header(index, raw, key, "column")


def parse_choices_header(index: int, text: str, single_colon: bool, has_name: bool) -> Header:
    raw = text.strip()
    if not raw:
        return Header(index, raw, None, "empty")
    tokens = split_header(raw, single_colon)
    first = snake(tokens[0])
    rest = tokens[1:]
    if first in ("surveykit_value", "surveykit_missing") and not rest:
        return Header(index, raw, first, "extension")
    if first == "surveykit" and len(rest) == 1 and "surveykit_" + snake(rest[0]) in CHOICE_EXTENSIONS:
        return Header(index, raw, "surveykit_" + snake(rest[0]), "extension")
    if first == "value" and not rest:
        # pyxform reads `value` as another name for `name`; surveykit files use it for the numeric code
        return Header(
            index, raw, EXT_CHOICE_VALUE if has_name else "name", "extension" if has_name else "column"
        )
    if first == "missing" and not rest:
        return Header(index, raw, EXT_CHOICE_MISSING, "extension")
    if first in CHOICE_MEDIA or (first in UNSUPPORTED_PREFIXES and rest):
        return Header(index, raw, None, "unsupported")
    key = CHOICE_ALIASES.get(first)
    if key == "label":
        language = parse_language("::".join(rest)) if rest else None
        return Header(index, raw, "label", "column", language)
    if key is not None and not rest:
        return Header(index, raw, key, "column")
    # any other column is a choice attribute that a choice_filter can name
    return Header(index, raw, raw, "attribute")


# --- cells -------------------------------------------------------------------------------------------
def cell_text(value: Any, *, strip: bool = True) -> str | None:
    """The text of a cell as an XLSForm tool reads it: numbers without a trailing ``.0``, dates as ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    elif isinstance(value, (dt.date, dt.time)):
        text = value.isoformat()
    else:
        text = str(value)
    if not text.strip():
        return None
    return text.strip() if strip else text


_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"no", "false", "false()", "0"}


def parse_yes_no(text: str | None) -> bool | None:
    """yes/no/true/false/true()/false()/1/0 -> bool; anything else -> None."""
    if text is None:
        return None
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def range_constraint(minimum: float | None, maximum: float | None) -> str:
    parts = []
    if minimum is not None:
        parts.append(f". >= {format_number(minimum)}")
    if maximum is not None:
        parts.append(f". <= {format_number(maximum)}")
    return " and ".join(parts)


def merge_constraint(constraint: str | None, minimum: float | None, maximum: float | None) -> str | None:
    """The constraint ODK enforces: the question's own and its min/max bounds."""
    bounds = range_constraint(minimum, maximum)
    if not bounds:
        return constraint
    if not constraint:
        return bounds
    return f"({constraint}) and {bounds}"


def split_constraint(constraint: str | None, minimum: float | None, maximum: float | None) -> str | None:
    """Undo :func:`merge_constraint`; a constraint edited by hand is kept as it is."""
    bounds = range_constraint(minimum, maximum)
    if not bounds or constraint is None:
        return constraint
    if constraint.strip() == bounds:
        return None
    suffix = f") and {bounds}"
    if constraint.startswith("(") and constraint.endswith(suffix):
        return constraint[1 : -len(suffix)]
    return constraint


_REFERENCE = re.compile(r"\$\{\s*([^}\s]+)\s*\}")


def rename_references(text: str, renamed: dict[str, str]) -> str:
    """Rewrite ``${old}`` to ``${new}`` for every renamed question."""
    if "${" not in text:
        return text
    return _REFERENCE.sub(lambda m: "${" + renamed.get(m.group(1), m.group(1)) + "}", text)


def rename_everywhere(data: Any, renamed: dict[str, str]) -> Any:
    """:func:`rename_references` in every string of a nested structure of dicts and lists."""
    if not renamed:
        return data
    if isinstance(data, str):
        return rename_references(data, renamed)
    if isinstance(data, list):
        return [rename_everywhere(v, renamed) for v in data]
    if isinstance(data, dict):
        return {k: rename_everywhere(v, renamed) for k, v in data.items()}
    return data


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False, default=str)


# --- one survey row -----------------------------------------------------------------------------------
@dataclass
class Row:
    """A survey row after its headers are understood: texts by column and language code, other values
    as text, and surveykit's extension cells. ``number`` is Excel's row number (the header is row 1)."""

    number: int
    values: dict[str, str] = field(default_factory=dict)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    ext: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def text(self, key: str) -> dict[str, str]:
        return dict(self.texts.get(key, {}))


@dataclass
class Built:
    """The plain data of one item, and what went wrong building it: ``(column, detail, fix)``."""

    data: dict[str, Any]
    invalid: list[tuple[str, str, str]] = field(default_factory=list)


def question_from_row(row: Row, spec: TypeSpec) -> Built:
    """The question a survey row describes, before names are fixed: the reader's single source of truth
    for what each column means (the writer calls it too, to prove its rows read back unchanged)."""
    built = Built({})
    data = built.data
    data["code"] = row.get("name")
    qtype = spec.qtype or "text"
    ext_type = row.ext.get(EXT_TYPE)
    if qtype in ("select_one", "select_multiple"):
        data["choices"] = spec.list_name
    if ext_type:
        if ext_type in ("likert", "yes_no") and qtype == "select_one":
            qtype = ext_type
            if ext_type == "yes_no" and spec.list_name == "yes_no":
                data["choices"] = None
        else:
            built.invalid.append(
                (
                    EXT_TYPE,
                    f"'{ext_type}' cannot be the surveykit type of a '{spec.raw}' row",
                    "Use likert or yes_no on a select_one row, matrix on a begin_group row, or leave it empty.",
                )
            )
    if qtype == "range":
        qtype = "integer"
        params = parse_parameters(row.get("parameters") or "")
        numbers: dict[str, float] = {}
        for key, default in (("start", 1.0), ("end", 10.0), ("step", 1.0)):
            try:
                numbers[key] = float(params.get(key, default))
            except ValueError:
                built.invalid.append(
                    ("parameters", f"{key}={params[key]} is not a number", "Write start=1 end=10 step=1.")
                )
                numbers[key] = default
        if not all(float(v).is_integer() for v in numbers.values()):
            qtype = "decimal"
        data["min"], data["max"] = numbers["start"], numbers["end"]
    elif qtype == "acknowledge":
        qtype = "yes_no"
    data["type"] = qtype
    for key, attr in (
        ("label", "label"),
        ("hint", "hint"),
        ("guidance_hint", "instruction"),
        ("constraint_message", "constraint_message"),
        ("required_message", "required_message"),
    ):
        if row.texts.get(key):
            data[attr] = row.text(key)
    required = row.get("required")
    if required is not None:
        flag = parse_yes_no(required)
        data["required"] = flag if flag is not None else required
    for key in ("relevant", "constraint", "calculation", "choice_filter", "default", "appearance"):
        if row.get(key) is not None:
            data[key] = row.get(key)
    value_type = row.ext.get(EXT_VALUE_TYPE)
    if value_type is not None:
        data["value_type"] = value_type
    for key, attr in ((EXT_MIN, "min"), (EXT_MAX, "max")):
        if row.ext.get(key) is not None:
            data[attr] = row.ext[key]
    if (row.ext.get(EXT_MIN) is not None or row.ext.get(EXT_MAX) is not None) and qtype in (
        "integer",
        "decimal",
    ):
        data["constraint"] = split_constraint(data.get("constraint"), data.get("min"), data.get("max"))
    if row.ext.get(EXT_SCORING) is not None:
        data["scoring"] = row.ext[EXT_SCORING]
    data.update(row.ext.get(EXT_FIELDS) or {})
    return built


def parse_parameters(text: str) -> dict[str, str]:
    """``start=1 end=10 step=1`` (separated by spaces, commas or semicolons) -> a dict."""
    pairs: dict[str, str] = {}
    for token in re.split(r"[\s,;]+", text.strip()):
        if "=" in token:
            key, _, value = token.partition("=")
            pairs[key.strip().lower()] = value.strip()
    return pairs


def matrix_from_rows(group: Row, rows: list[tuple[Row, TypeSpec]]) -> Built:
    """A surveykit matrix written as a ``table-list`` group of select_one rows named ``<code>_<row>``."""
    built = Built({})
    data = built.data
    code = group.get("name") or ""
    data["code"] = code
    data["type"] = "matrix"
    if group.texts.get("label"):
        data["label"] = group.text("label")
    if group.texts.get("hint"):
        data["hint"] = group.text("hint")
    if group.texts.get("guidance_hint"):
        data["instruction"] = group.text("guidance_hint")
    if group.get("relevant") is not None:
        data["relevant"] = group.get("relevant")
    tokens = [t for t in (group.get("appearance") or "").split() if t != "table-list"]
    if tokens:
        data["appearance"] = " ".join(tokens)
    if group.ext.get(EXT_SCORING) is not None:
        data["scoring"] = group.ext[EXT_SCORING]
    matrix_rows = []
    for i, (row, spec) in enumerate(rows):
        name = row.get("name") or ""
        row_code = name[len(code) + 1 :] if name.startswith(code + "_") else name
        matrix_rows.append({"code": row_code, "label": row.text("label")})
        if i == 0:
            if spec.qtype == "select_one":
                data["choices"] = spec.list_name
            first = question_from_row(row, spec).data
            for key in (
                "required",
                "required_message",
                "constraint",
                "constraint_message",
                "choice_filter",
                "default",
            ):
                if key in first:
                    data[key] = first[key]
        if spec.kind != "question" or spec.qtype != "select_one":
            built.invalid.append(
                (
                    "type",
                    f"row {row.number} of matrix '{code}' is '{spec.raw}', not a select_one",
                    "Make every row of the matrix a select_one of the same list.",
                )
            )
        elif spec.list_name != data.get("choices"):
            built.invalid.append(
                (
                    "type",
                    f"row {row.number} of matrix '{code}' uses list '{spec.list_name}', the first row '{data.get('choices')}'",
                    "Make every row of the matrix a select_one of the same list.",
                )
            )
    data["rows"] = matrix_rows
    data.update(group.ext.get(EXT_FIELDS) or {})
    return built


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
