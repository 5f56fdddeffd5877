"""One exception tree, one catalog of coded messages, and the typed problem report.

Every message a user can see comes from :class:`ErrorCode`: a stable code (``SK204``), an English template
that says *what* is wrong, and a hint that says *how to fix it*. The *where* comes from a :class:`Location`
(file and line, sheet and row, question code, CSV row and column). Russian translations of the templates
live in ``surveykit/locale/ru.yaml`` under the same codes, so tests and translations refer to codes, never
to copied strings.

Problems found in data (a questionnaire file, a batch of answers, an import file) are *returned* as a
:class:`Report`; only a problem that stops the work raises. The exception tree::

    SurveykitError                      base of everything raised on purpose; carries code, location, report
    ├── ConfigError                     a bad setting or configuration file
    ├── QuestionnaireError              a questionnaire file cannot be loaded (the report lists every problem)
    │   └── ExpressionError             an expression cannot be parsed, is too big, or fails at run time
    ├── ValidationError                 answers failed validation where the caller asked for strictness
    ├── StoreError                      the response store refused an operation (also fieldwork: SK55x)
    │   ├── NotFoundError               an institution, person, interview, version ... does not exist
    │   ├── ConflictError               idempotent submit saw different content, a frozen version changed
    │   └── AccessDenied                the person may not do this (not certified, wrong access code)
    ├── DataImportError                 an import file has problems; nothing was imported (report attached)
    ├── ExportError                     an export cannot be written
    ├── MethodologyError                a methodology profile is invalid or cannot be applied
    ├── TrainingError                   course data, exam rules, grading input
    │   └── CertificateError            signing, verification, revocation
    └── ReportError                     a report notebook failed (names the notebook cell)

Errors of other libraries (YAML, openpyxl, pyreadstat, SQLAlchemy) are wrapped once, where the file or the
database is touched, with ``raise ... from err``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AccessDenied",
    "CertificateError",
    "ConfigError",
    "ConflictError",
    "DataImportError",
    "ErrorCode",
    "ExportError",
    "ExpressionError",
    "Location",
    "MethodologyError",
    "NotFoundError",
    "Problem",
    "QuestionnaireError",
    "Report",
    "ReportError",
    "Severity",
    "StoreError",
    "SurveykitError",
    "TrainingError",
    "Translated",
    "ValidationError",
    "did_you_mean",
    "sentence",
]


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class ErrorCode(enum.Enum):
    """The catalog: ``(code, template, hint)``. Templates use ``str.format`` fields.

    Ranges: SK1xx files and formats, SK2xx questionnaire structure, SK3xx expressions, SK4xx answers,
    SK5xx store, SK6xx methodology and scoring, SK7xx data exchange, SK8xx training and certificates,
    SK9xx configuration, command line, reports and apps.
    """

    # --- SK1xx: files and formats -------------------------------------------------------------
    FILE_NOT_FOUND = ("SK101", "file not found: {path}", "Check the path; relative paths start in {cwd}.")
    FILE_FORMAT_UNKNOWN = (
        "SK102",
        "cannot tell the format of '{path}' from its extension",
        "Use one of: {expected}.",
    )
    YAML_SYNTAX = (
        "SK103",
        "YAML syntax error: {detail}",
        "Fix the indentation or quoting near this line; inside {...} put texts containing ',' ':' or '?' in quotes.",
    )
    JSON_SYNTAX = ("SK104", "JSON syntax error: {detail}", "Fix the JSON near this position.")
    SCHEMA_VERSION_TOO_NEW = (
        "SK105",
        "schema_version {found} is newer than this surveykit understands ({supported})",
        "Upgrade surveykit, or save the file with schema_version {supported}.",
    )
    SCHEMA_VERSION_TOO_OLD = (
        "SK106",
        "schema_version {found} is older than the oldest supported ({supported})",
        "Convert the file with `surveykit convert` from an older surveykit, or edit it to the current format.",
    )
    FIELD_MISSING = ("SK107", "required field '{field}' is missing", "Add '{field}' here.")
    FIELD_UNKNOWN = ("SK108", "unknown field '{field}'{suggestion}", "Remove it or correct the spelling.")
    FIELD_INVALID = ("SK109", "invalid value for '{field}': {detail}", "{fix}")
    XLSX_UNREADABLE = (
        "SK110",
        "cannot read the workbook: {detail}",
        "Save the file as .xlsx (Excel 2007 or later) and try again.",
    )
    XLSFORM_SHEET_MISSING = (
        "SK111",
        "the workbook has no '{sheet}' sheet",
        "An XLSForm needs the sheets 'survey' and 'choices' (and optionally 'settings').",
    )
    XLSFORM_COLUMN_UNSUPPORTED = (
        "SK112",
        "column '{column}' is not supported and its values would be ignored",
        "Remove the column, or move its content into a supported column ({supported}).",
    )
    XLSFORM_TYPE_UNSUPPORTED = (
        "SK113",
        "question type '{type}' is not supported",
        "Use one of: {supported}; or remove the row.",
    )
    XLSFORM_GROUP_UNBALANCED = (
        "SK114",
        "'{found}' has no matching '{expected}'",
        "Every begin_group/begin_repeat needs its end_group/end_repeat, in nested order.",
    )
    XLSFORM_LIST_MISSING = (
        "SK115",
        "choice list '{list_name}' is used here but not defined on the 'choices' sheet",
        "Add rows with list_name '{list_name}' to the 'choices' sheet{suggestion}.",
    )
    XLSFORM_LANGUAGE_NO_CODE = (
        "SK116",
        "language '{language}' in column '{column}' has no language code",
        "Write the column as 'label::{language} (xx)' with a two-letter code, e.g. 'label::English (en)'.",
    )
    XLSFORM_SETTING_UNSUPPORTED = (
        "SK117",
        "setting '{setting}' is not supported and is ignored",
        "Remove it from the 'settings' sheet; surveykit does not use it.",
    )
    XLSFORM_STRAY_BELOW = (
        "SK120",
        "cell {cell} lies below {blank} empty rows, where the sheet ends (as pyxform reads it), and is not read",
        "Delete it, or remove the empty rows above it if it belongs to the form.",
    )
    XLSFORM_STRAY_RIGHT = (
        "SK121",
        "cell {cell} is beyond the columns of the sheet (after {blank} empty header cells, or past column "
        "{limit}) and is not read",
        "Give its column a header next to the others, or delete the cell.",
    )
    XLSFORM_SHEET_TOO_LONG = (
        "SK122",
        "the sheet has more than {limit} rows; the rows after row {limit} are not read",
        "Delete what is below the form, or split the form into several questionnaires.",
    )
    XLSFORM_TYPE_REFUSED = (
        "SK123",
        "'{type}' is {what}, which surveykit does not collect",
        "{fix} Or load the rest of the form without it: `--skip-unsupported` (skip_unsupported=True in Python).",
    )
    XLSFORM_QUESTION_SKIPPED = (
        "SK124",
        "'{name}' ('{type}': {what}) is left out of the questionnaire, as asked (--skip-unsupported)",
        "Its data is not collected. {fix}",
    )
    XLSFORM_SKIPPED_REFERENCE = (
        "SK125",
        "'{name}' is used here, but it was left out ('{type}' is not supported)",
        "Rewrite this expression without '{name}', or give '{name}' a supported type.",
    )
    CSV_UNREADABLE = (
        "SK118",
        "cannot read the CSV file: {detail}",
        "Save it as UTF-8 CSV with a header row.",
    )
    # SK140-SK159: limits on any input (surveykit.fileio) and the kinds of file (surveykit.filekinds)
    FILE_TOO_LARGE = (
        "SK140",
        "the file is {size} MB, more than the limit of {limit} MB",
        "Split the file; if it is genuine, raise the setting max_file_mb (SURVEYKIT_MAX_FILE_MB).",
    )
    NOT_A_FILE = (
        "SK141",
        "'{path}' is {what}, not a file",
        "Name the file itself.",
    )
    CONTROL_CHARACTER = (
        "SK142",
        "the text holds the control character {char}, which no text file should contain",
        "Remove it (it comes from a damaged file or a copy out of a binary one) and save the file as plain text.",
    )
    NESTING_TOO_DEEP = (
        "SK143",
        "nested deeper than {limit} levels{detail}",
        "Flatten the structure; if the file is genuine, raise the setting max_nesting_depth.",
    )
    TOO_MANY_VALUES = (
        "SK144",
        "the document would hold more than {limit} values{detail}",
        "Write repeated parts out instead of repeating large ones by alias (*name), or split the file; "
        "if it is genuine, raise the setting {setting}.",
    )
    YAML_ALIAS_LOOP = (
        "SK145",
        "the alias *{name} refers to the value that contains it (an endless loop)",
        "Point the alias at a value defined earlier, outside the one that uses it.",
    )
    NUMBER_TOO_LONG = (
        "SK146",
        "a whole number of {digits} digits; at most {limit} digits are read",
        "Correct the number; put an identifier made of digits in quotes to keep it as text.",
    )
    NUMBER_NOT_FINITE = (
        "SK147",
        "'{value}' is not a finite number",
        "Write an ordinary number; NaN and infinity are not allowed (leave the value out for 'no limit').",
    )
    DUPLICATE_KEY = (
        "SK148",
        "the key '{key}' appears twice in one mapping (first on line {first})",
        "Keep one of them; the reader would silently use the last.",
    )
    VALUE_UNREADABLE = ("SK149", "the value '{value}' cannot be read: {detail}", "{fix}")
    ENCODING_UNKNOWN = (
        "SK150",
        "the text is not UTF-8 and its encoding cannot be told reliably ({detail})",
        "Save the file as UTF-8{option}.",
    )
    ENCODING_DETECTED = (
        "SK151",
        "the text is not UTF-8: it was read as {encoding}, recognised from its content",
        "Check that the letters look right; save the file as UTF-8 to be sure.",
    )
    ARCHIVE_TOO_LARGE = (
        "SK152",
        "the workbook would unpack to {detail}",
        "The file is damaged or made to exhaust memory: save it again from the spreadsheet program. A genuine "
        "workbook may raise the settings max_unpacked_mb and max_zip_ratio.",
    )
    TABLE_TOO_LARGE = (
        "SK153",
        "{what} has more than {limit} {unit}",
        "Remove stray cells far outside the data, or split the file; if it is genuine, raise the setting "
        "{setting}.",
    )
    READ_TIMEOUT = (
        "SK154",
        "reading took longer than {seconds} s and was stopped",
        "The file is too large or too complex: split it; if it is genuine, raise the setting read_timeout_s.",
    )
    OUT_OF_MEMORY = (
        "SK155",
        "reading ran out of memory{detail}",
        "The file is too large or made to exhaust memory: check it, or split it into smaller files.",
    )
    KIND_UNKNOWN = (
        "SK156",
        "cannot tell what kind of file this is{detail}",
        "Add 'kind: <kind>' at the top of the file, or run validate with --kind; kinds: {kinds}.",
    )
    KIND_INVALID = ("SK157", "kind '{found}' does not fit here: {detail}", "{fix}")
    YAML_TOO_MANY_ALIASES = (
        "SK158",
        "more than {limit} aliases (*name) in one file",
        "Write the repeated values out; if the file is genuine, raise the setting max_yaml_aliases.",
    )
    CELLS_OUTSIDE_TABLE = (
        "SK159",
        "{count} cell(s) right of the last column heading are left out (the first is here)",
        "Give the column a heading in the first row, or delete the stray cells.",
    )

    # --- SK2xx: questionnaire structure --------------------------------------------------------
    CODE_INVALID = (
        "SK201",
        "question code '{code}' is not a valid SPSS/Stata variable name: {reason}",
        "Use up to 32 characters: a letter first, then letters, digits or underscores{suggestion}.",
    )
    CODE_DUPLICATE = (
        "SK202",
        "code '{code}' is used more than once (also at {other})",
        "Give every question, group and matrix row a unique code.",
    )
    CHOICE_LIST_UNKNOWN = (
        "SK203",
        "choice list '{list_name}' is not defined{suggestion}",
        "Define it under 'choice_lists', or correct the name.",
    )
    CHOICE_LIST_MISSING = (
        "SK204",
        "a {type} question needs a choice list",
        "Add 'choices: <list name>' to the question.",
    )
    CHOICE_DUPLICATE = (
        "SK205",
        "choice '{name}' appears twice in list '{list_name}'",
        "Give every choice in a list a unique name.",
    )
    CHOICE_VALUE_DUPLICATE = (
        "SK206",
        "numeric value {value} is used by two choices ('{first}' and '{second}') in list '{list_name}'",
        "Give every choice a unique numeric value; SPSS and Stata value labels need it.",
    )
    CHOICE_LIST_UNUSED = (
        "SK207",
        "choice list '{list_name}' is never used",
        "Remove it, or point a question at it.",
    )
    TRANSLATION_MISSING = (
        "SK208",
        "no '{language}' text for {what}; '{fallback}' is shown instead",
        "Add the '{language}' translation.",
    )
    LANGUAGE_UNDECLARED = (
        "SK209",
        "text in language '{language}' but the questionnaire declares only {declared}",
        "Add '{language}' to 'languages', or remove the text.",
    )
    QUESTION_NEVER_SHOWN = (
        "SK210",
        "question '{code}' can never be shown: its relevance '{expression}' is always false",
        "Correct the relevance condition, or remove the question.",
    )
    CONSTRAINT_NEVER_PASSES = (
        "SK211",
        "the constraint '{expression}' of '{code}' can never pass",
        "Correct the constraint; as written no answer is accepted.",
    )
    OPTION_INVALID = (
        "SK212",
        "'{option}' is not valid for a {type} question",
        "{fix}",
    )
    RANGE_INVALID = ("SK213", "min {min} is greater than max {max}", "Swap or correct the bounds.")
    GROUP_EMPTY = ("SK214", "group '{code}' has no questions", "Add questions to it, or remove it.")
    MATRIX_ROWS_MISSING = ("SK215", "matrix '{code}' has no rows", "Add 'rows:' with at least one row.")
    LANGUAGE_DEFAULT_UNDECLARED = (
        "SK216",
        "default language '{language}' is not among the declared languages {declared}",
        "Add it to 'languages', or choose a declared language.",
    )
    SCALE_ITEM_UNKNOWN = (
        "SK217",
        "scale '{scale}' lists '{item}', which is not a question of this questionnaire{suggestion}",
        "Correct the item code.",
    )
    LIKERT_SCALE_INVALID = (
        "SK218",
        "the Likert scale '{list_name}' needs numeric values on its substantive points",
        "Give each non-missing choice a numeric 'value' (e.g. 1..5).",
    )

    # --- SK3xx: expressions ---------------------------------------------------------------------
    EXPR_SYNTAX = (
        "SK301",
        "cannot read the expression {expression!r}: {detail} (at character {column})",
        "Check brackets, quotes and operators; references are written ${{code}}.",
    )
    EXPR_UNKNOWN_REFERENCE = (
        "SK302",
        "the expression refers to ${{{name}}}, which does not exist{suggestion}",
        "Correct the question code.",
    )
    EXPR_UNKNOWN_FUNCTION = (
        "SK303",
        "unknown function '{name}()'{suggestion}",
        "Supported functions: {supported}.",
    )
    EXPR_ARITY = (
        "SK304",
        "{name}() takes {expected} argument(s), {found} given",
        "Correct the number of arguments.",
    )
    EXPR_TOO_COMPLEX = (
        "SK305",
        "the expression is too large or too deeply nested ({detail})",
        "Split it into calculate questions; limits: {limits}.",
    )
    EXPR_CYCLE = (
        "SK306",
        "references form a cycle: {cycle}",
        "Break the cycle: a question cannot depend, directly or indirectly, on itself.",
    )
    EXPR_RUNTIME = (
        "SK307",
        "the expression {expression!r} failed: {detail}",
        "Check the values it works on; for example a regex pattern or a date format.",
    )
    EXPR_CURRENT_NOT_ALLOWED = (
        "SK308",
        "'.' (the current value) is only allowed in a constraint or a choice filter",
        "Write ${{{code}}} instead of '.'.",
    )
    EXPR_REGEX_INVALID = (
        "SK309",
        "invalid regular expression {pattern!r}: {detail}",
        "Correct the pattern (Python/ICU syntax).",
    )
    EXPR_REGEX_TIMEOUT = (
        "SK310",
        "the regular expression {pattern!r} took too long",
        "Simplify the pattern; avoid nested repetition such as (a+)+.",
    )
    EXPR_BARE_NAME = (
        "SK311",
        "bare name '{name}' is only allowed in a choice filter, where it names a choice column",
        "Write ${{{name}}} to refer to a question.",
    )

    # --- SK4xx: answers ----------------------------------------------------------------------------
    ANSWER_REQUIRED = ("SK401", "{message}", "Answer the question, or record 'don't know'.")
    ANSWER_CONSTRAINT = ("SK402", "{message}", "Correct the answer.")
    ANSWER_NOT_IN_LIST = (
        "SK403",
        "{value!r} is not one of the choices ({choices})",
        "Use one of the listed choice names.",
    )
    ANSWER_WRONG_TYPE = ("SK404", "{value!r} is not a valid {type}", "{fix}")
    UPLOAD_TOO_LARGE = (
        "SK415",
        "the file '{name}' is {size} MB, more than the {limit} MB a question accepts",
        "Take a smaller photo or compress the file; an administrator can raise SURVEYKIT_MAX_UPLOAD_MB.",
    )
    FILE_WRONG_KIND = (
        "SK416",
        "the file '{name}' is not {expected} (its content is {found})",
        "This question needs another file: {expected}.",
    )
    FILE_NOT_STORED = (
        "SK417",
        "the answer to '{question}' names the file '{name}', which is not stored with interview {uuid}",
        "Upload the file again in the interview app.",
    )
    FILE_EMPTY = ("SK418", "the file '{name}' is empty", "Choose the file again; it may not have been saved.")
    ANSWER_NOT_RELEVANT = (
        "SK405",
        "answered although the question does not apply here (relevance: {expression})",
        "Remove the answer, or check the answers that decide whether the question applies.",
    )
    ANSWER_UNKNOWN_QUESTION = (
        "SK406",
        "'{code}' is not a question of this questionnaire{suggestion}",
        "Remove the column or correct its name.",
    )
    ANSWER_OUT_OF_RANGE = (
        "SK407",
        "{value} is outside the allowed range {min}..{max}",
        "Enter a value in range.",
    )
    ANSWER_FILTERED_CHOICE = (
        "SK408",
        "{value!r} is not offered here (choice filter: {expression})",
        "Choose one of the choices offered for the earlier answers.",
    )
    ANSWER_CALCULATION_DIFFERS = (
        "SK409",
        "stored value {value!r} differs from the calculation {expression!r} = {expected!r}",
        "Recompute calculated values, or leave the column empty to have it computed.",
    )
    ANSWERS_NOT_MAPPING = (
        "SK410",
        "the answers are a {type}, not a mapping of question codes to values",
        "Pass the answers as a dict, e.g. {{'age': 42, 'consent': 'yes'}}.",
    )
    ANSWER_VALUE_TYPE = ("SK411", "a {type} is not an answer value: {detail}", "{fix}")
    ANSWER_TEXT_INVALID = (
        "SK412",
        "the text holds {what} ({char}) at character {position}, which cannot be stored as text",
        "{fix}",
    )
    ANSWER_NOT_FINITE = (
        "SK413",
        "{value} is not a value: NaN and infinities are not answers",
        "Leave the question out, or give None, when there is no answer.",
    )
    ANSWER_SHAPE = (
        "SK414",
        "{detail}",
        "Send {{question code: value}}, with each repeat group as a list of such mappings.",
    )

    # --- SK5xx: store --------------------------------------------------------------------------
    DB_UNAVAILABLE = (
        "SK501",
        "cannot open the database {url}: {detail}",
        "Check SURVEYKIT_DATABASE_URL, that the server runs, and run `surveykit db upgrade`.",
    )
    DB_NOT_UPGRADED = (
        "SK502",
        "the database is at schema revision {found}, this surveykit needs {expected}",
        "Run `surveykit db upgrade`.",
    )
    NOT_FOUND = ("SK503", "{entity} '{key}' does not exist{suggestion}", "Check the identifier.")
    VERSION_FROZEN = (
        "SK504",
        "questionnaire '{questionnaire}' version '{version}' is already published with different content",
        "Published versions never change: raise the version number and publish again.",
    )
    SUBMISSION_CONFLICT = (
        "SK505",
        "interview {uuid} was already submitted with different answers",
        "Nothing was changed. If this is a new interview, start a new one; if it is a correction, a supervisor "
        "must reject the stored interview first.",
    )
    ACCESS_CODE_WRONG = ("SK506", "the access code is not correct", "Check the code, or ask your supervisor.")
    NOT_CERTIFIED = (
        "SK507",
        "{person} has no valid interviewer certificate ({reason})",
        "Real interviews need a valid certificate; practice mode is open to everyone.",
    )
    STATUS_TRANSITION = (
        "SK508",
        "an interview in status '{current}' cannot become '{target}'",
        "Allowed from '{current}': {allowed}.",
    )
    AUDIT_APPEND_ONLY = (
        "SK509",
        "the audit log is append-only",
        "Audit entries can never be changed or deleted.",
    )
    INTERVIEW_NOT_DRAFT = (
        "SK510",
        "interview {uuid} is {status} and can no longer be edited",
        "Start a new interview, or ask a supervisor to reject it for correction.",
    )
    DB_BUSY = (
        "SK511",
        "the database stayed busy for {seconds} s",
        "Try again; if it repeats, use PostgreSQL for many simultaneous interviewers.",
    )
    INTEGRITY = (
        "SK513",
        "the database refused the change: {detail}",
        "A record it refers to (a person, an institution, an interview) may not exist, or the record exists "
        "already; check the identifiers.",
    )
    ROLE_REQUIRED = (
        "SK512",
        "{person} may not use this (roles: {roles})",
        "It needs the role: {needed}; ask an administrator.",
    )

    PERMISSION_DENIED = (
        "SK514",
        "{person} may not {action}",
        "It needs the role: {needed}; ask an administrator if you should have it.",
    )
    # SK515-SK519: permissions and the guarded store (surveykit.access, surveykit.store.guarded)
    NOT_YOURS = (
        "SK515",
        "{person} may not change {what} {key}: it belongs to someone else",
        "Each person works only on their own interviews and exam attempts; ask a supervisor if it should be yours.",
    )
    UNSAFE_FILE_NAME = (
        "SK516",
        "'{name}' cannot be used as a file name inside {folder}: {reason}",
        "Use a plain file name: no folders, no '..', no drive letter, no control characters.",
    )
    PERSONAL_DATA_IN_RATING = (
        "SK517",
        "question '{code}' of a rating questionnaire asks for the respondent's personal data ({reason})",
        "Rating questionnaires are anonymous: remove the question or keep contacts in a separate form outside "
        "the ratings; if it asks for no personal data, write 'personal_data: false' on it.",
    )
    # SK520-SK529: sign-in, sessions, lock-out, people administration, backup and restore
    ACCOUNT_LOCKED = (
        "SK520",
        "the account '{login}' is locked after {failures} failed sign-ins, until {until}",
        "Wait until then, or ask an administrator to unlock it now (the admin app, or "
        "`surveykit users unlock {login}`).",
    )
    ACCOUNT_INACTIVE = (
        "SK521",
        "the account '{login}' is deactivated",
        "Ask an administrator to reactivate it (the admin app, or `surveykit users activate {login}`).",
    )
    SESSION_ENDED = (
        "SK522",
        "your session has ended: {reason}",
        "Sign in again with your login and access code.",
    )
    LAST_ADMINISTRATOR = (
        "SK523",
        "{person} is the last active administrator; this would leave nobody to manage people",
        "Give another person the administrator role first.",
    )
    BACKUP_UNREADABLE = (
        "SK524",
        "not a surveykit backup: {detail}",
        "Use a file written by `surveykit db backup`; a copied file may be incomplete: copy it again.",
    )
    BACKUP_DAMAGED = (
        "SK525",
        "the backup is damaged: {detail}",
        "Nothing was restored. Use another copy of the backup; this one has changed since it was written.",
    )
    RESTORE_TARGET_NOT_EMPTY = (
        "SK526",
        "the database {url} is not empty (table {table} has {rows} rows)",
        "Restore into a new, empty database: create it, run `surveykit db upgrade --url URL`, then restore.",
    )
    RESTORE_REVISION_MISMATCH = (
        "SK527",
        "the backup is at schema revision {found}, the database {url} at {expected}",
        "Restore with the surveykit version that wrote the backup (revision {found}) into a database "
        "upgraded to it, then upgrade the restored database with `surveykit db upgrade`.",
    )
    # SK530-SK539: quality-control cases, back-checks and exclusions
    QC_CONFIG_INVALID = (
        "SK530",
        "the quality-control workflow settings are invalid: {detail}",
        "{fix}",
    )
    QC_CASE_CLOSED = (
        "SK531",
        "quality-control case #{case} is already closed ({resolution})",
        "Only open cases can be decided; look at the case's history in the audit log.",
    )
    QC_DECISION_UNKNOWN = (
        "SK532",
        "'{decision}' is not a quality-control decision{suggestion}",
        "Use one of: {allowed}.",
    )
    QC_REASON_REQUIRED = (
        "SK533",
        "{what} needs a reason",
        "Write the reason: it is shown to the interviewer or kept in the methods report and the audit log.",
    )
    QC_NOT_AN_INTERVIEW = (
        "SK534",
        "case #{case} is about the {level} {subject}, not one interview: it cannot be {decision}",
        "Send the case to back-check (the interviews behind it are queued) or approve it as no action needed.",
    )
    QC_BACKCHECK_DONE = (
        "SK535",
        "back-check #{backcheck} was already recorded ({outcome}) on {date}",
        "A recorded back-check is not changed; queue a new one if the respondent must be contacted again.",
    )
    QC_OUTCOME_UNKNOWN = (
        "SK536",
        "'{outcome}' is not a back-check outcome{suggestion}",
        "Use one of: {allowed}.",
    )
    QC_FORM_INVALID = (
        "SK537",
        "the back-check form's answer to '{question}' is invalid: {detail}",
        "{fix}",
    )
    QC_ALREADY_EXCLUDED = (
        "SK538",
        "interview {interview} is already excluded from ratings (since {date}: {reason})",
        "Nothing to do; to change the reason, restore the interview and exclude it again.",
    )
    QC_NOT_EXCLUDED = (
        "SK539",
        "interview {interview} is not excluded from ratings",
        "Only an excluded interview can be restored; see `surveykit qc exclusions`.",
    )
    BACKUP_NOT_AUTHENTIC = (
        "SK541",
        "the archive cannot be shown to come from this installation: {detail}",
        "{fix}",
    )
    RESTORE_VALUE_INVALID = (
        "SK542",
        "table {table}, row {row}, column {column}: {value} is not {expected}",
        "The archive was changed after the backup or made by another program: nothing was restored. "
        "Restore an untouched backup.",
    )
    BACKUP_KEY_UNUSABLE = (
        "SK543",
        "the backup key {path} cannot be used: {detail}",
        "Point SURVEYKIT_BACKUP_KEY at the installation's backup key (data/keys/backup.pem), or move the broken "
        "file away to have a new key made at the next backup.",
    )
    ACTOR_UNKNOWN = (
        "SK540",
        "{what} needs a person of the store as the one deciding, not {actor} ({detail})",
        "Pass the id of the person who decides (see `surveykit users list`); the command line acts as "
        "'operator'.",
    )
    # SK550-SK569: fieldwork: the register, the campaign plan, cases, contact attempts, rates (surveykit.fieldwork)
    FIELDWORK_RULES_INVALID = (
        "SK550",
        "the fieldwork rules are invalid: {detail}",
        "{fix}",
    )
    DISPOSITION_UNKNOWN = (
        "SK551",
        "'{code}' is not an AAPOR disposition code{suggestion}",
        "Use a code of the AAPOR Standard Definitions tables (docs/fieldwork.md), e.g. 1.1 complete, "
        "2.112 refusal, 2.24 nobody at home, 3.13 no answer, 4.70 not eligible.",
    )
    DISPOSITION_NOT_IN_MODE = (
        "SK552",
        "code {code} ({label}) is not in AAPOR's table for {mode} contacts",
        "Use a code of that table (docs/fieldwork.md, 'Disposition codes'), or correct the mode.",
    )
    SAMPLE_BELOW_TARGET = (
        "SK553",
        "{institution}: {n} completed interviews in {period}, below the sample target of {target}",
        "Continue fieldwork there, or record in the methods report why the target cannot be met.",
    )
    CONTACT_IN_FUTURE = (
        "SK554",
        "the contact attempt is dated {when}, which is in the future",
        "Correct the date and time of the attempt (an appointment's time goes in appointment_at).",
    )
    CASE_CLOSED = (
        "SK555",
        "case {case} is closed: its outcome is {disposition} ({label})",
        "A completed, refused or ineligible case takes no more attempts; start a new case for another respondent.",
    )
    CASE_CONFLICT = (
        "SK556",
        "case {case} of period {period} belongs to institution {institution}, not {other}",
        "Give each case one institution: correct the institution_id, or use another case_id.",
    )
    APPOINTMENT_INVALID = (
        "SK557",
        "the appointment time {when} is not after the contact ({attempted})",
        "Choose a date and time for the next visit or call later than now.",
    )
    CAMPAIGN_NO_INTERVIEWERS = (
        "SK558",
        "no interviewers to allocate the campaign {period} to",
        "Add people with the role interviewer (`surveykit users add`), or name them with --interviewers.",
    )
    TARGET_OVERRIDE_INVALID = (
        "SK559",
        "the target override '{value}' for {institution} is not valid: {detail}",
        "Write INSTITUTION=NUMBER with a whole number of 0 or more, e.g. --override kcson_sev=45.",
    )
    TARGET_BELOW_RULE = (
        "SK560",
        "{institution}: the target of {target} interviews is below the sample rule's {rule} for {recipients} "
        "recipients",
        "Allowed (the rule is a recommendation); give the reason in the methods report.",
    )

    # --- SK6xx: methodology and scoring ----------------------------------------------------------
    PROFILE_INVALID = ("SK601", "{detail}", "Correct the methodology profile.")
    PROFILE_QUESTION_UNKNOWN = (
        "SK602",
        "indicator {indicator} refers to '{code}', which is not in questionnaire '{questionnaire}'{suggestion}",
        "Correct the question code in the profile.",
    )
    PROFILE_WEIGHTS = (
        "SK603",
        "the weights of {what} add up to {total}, not 1",
        "Correct the weights so that they sum to 1.",
    )
    SAMPLE_TOO_SMALL = (
        "SK604",
        "{institution}: {n} respondents, below the minimum of {minimum}",
        "Interpret with care, or collect more interviews.",
    )
    INDICATOR_NO_DATA = (
        "SK605",
        "{institution}: indicator {indicator} has no data ({reason})",
        "{fix}",
    )
    # SK606-SK619: rating inputs and profile extension (surveykit.scoring.inputs, .profile)
    RATING_CODE_UNKNOWN = (
        "SK606",
        "{value!r} is not an accepted code of column '{column}' ({rows}); accepted: {accepted}",
        "{fix}",
    )
    PROFILE_BASE_UNKNOWN = (
        "SK607",
        "the profile extends '{base}', which {reason}",
        "Name a profile of questionnaires/methodology ({available}) or the path of its file.",
    )
    PROFILE_STATE_UNKNOWN = (
        "SK608",
        "indicator {indicator} counts '{state}' as {role} in '{column}', but questionnaire '{questionnaire}' "
        "has no such choice (its choices: {choices})",
        "Correct the code in the profile, or add the choice to the questionnaire.",
    )
    RATING_INPUT_UNCHECKED = (
        "SK609",
        "the answers of source '{source}' are checked against the profile's codes only: {reason}",
        "Give the questionnaire (rate(..., questionnaires=[...]), or --questionnaire FILE) so every answer is "
        "checked against its choice lists.",
    )
    # SK620-SK629: statistical disclosure control of council outputs (surveykit.disclosure)
    IDENTITIES_WITHHELD = (
        "SK620",
        "{what} would name interviewers, and council outputs never show who interviewed",
        "Fieldwork per interviewer is for supervisors (the supervisor app); council members see it per institution.",
    )
    DISCLOSURE_TABLE_INVALID = ("SK621", "cannot build a publishable table: {detail}", "{fix}")
    INSTITUTION_TYPES_INVALID = (
        "SK622",
        "institution types: {detail}",
        "Correct the file (each type needs a name in Russian and English; 'rated' is true or false).",
    )

    # --- SK7xx: data exchange -------------------------------------------------------------------
    IMPORT_COLUMN_UNKNOWN = (
        "SK701",
        "column '{column}' does not match any question{suggestion}",
        "Rename the column, map it with --map, or drop it.",
    )
    IMPORT_COLUMN_MISSING = (
        "SK702",
        "the file has no column '{column}'",
        "Add the column; it is needed for {reason}.",
    )
    IMPORT_DUPLICATE_KEY = (
        "SK703",
        "{key} '{value}' appears more than once in the file (rows {rows})",
        "Each interview must appear once.",
    )
    IMPORT_VALUE_INVALID = ("SK704", "{detail}", "{fix}")
    EXPORT_NAME_CLASH = (
        "SK705",
        "variable name '{name}' would be used twice in the export",
        "Rename one of the questions.",
    )
    EXPORT_FORMAT_UNSUPPORTED = ("SK706", "unknown export format '{format}'", "Use one of: {supported}.")
    EXPORT_WRITE_FAILED = (
        "SK707",
        "cannot write {path}: {detail}",
        "Check the folder exists and is writable.",
    )
    EXPORT_VALUE_INVALID = ("SK708", "{detail}", "{fix}")
    # SK709-SK729: files from other tools (surveykit.exchange readers, import, infer, export names)
    EXPORT_NAME_SHORTENED = (
        "SK709",
        "variable '{original}' is written as '{name}': {reason}",
        "The codebook lists every changed name (sheet 'renamed'); rename the question to choose the name.",
    )
    EXPORT_FORMAT_REFUSED = ("SK710", "{program} cannot store this: {detail}", "{fix}")
    IMPORT_COLUMN_LEFT_OUT = ("SK711", "column '{column}' is left out: {reason}", "{fix}")
    IMPORT_DECLARED_MISSING = (
        "SK712",
        "{count} value(s) {value} in column '{column}' are declared missing in the file: {reading}",
        "{fix}",
    )
    IMPORT_LABEL_HEADERS = (
        "SK714",
        "{detail}",
        "In KoboToolbox, export again with Downloads → 'Value and header format': 'XML values and headers'.",
    )
    IMPORT_COLUMN_MATCHED = (
        "SK715",
        "column '{column}' is read as '{code}' ({reason})",
        "If that is not the right question, name it with --map '{column}=CODE'.",
    )
    DATA_FILE_UNREADABLE = ("SK716", "cannot read the {program} file: {reason}", "{fix}")
    IMPORT_COLUMN_DUPLICATE = (
        "SK717",
        "two columns are named '{column}' (columns {positions})",
        "Rename or remove one of them: otherwise it is unclear which one holds the answers.",
    )
    INFER_GUESS = ("SK718", "{detail}", "Check the guess in the questionnaire file; edit it if it is wrong.")
    INFER_EMPTY = (
        "SK719",
        "the file has no column to make a question of",
        "Check that it is the data file, with a header row (CSV, Excel) or variables (SPSS, Stata).",
    )

    # --- SK8xx: training and certificates -------------------------------------------------------
    COURSE_INVALID = ("SK801", "{detail}", "Correct the course file.")
    ITEM_INVALID = ("SK802", "quiz item {item}: {detail}", "{fix}")
    EXAM_CLOSED = ("SK803", "the exam attempt {attempt} is {state}", "{fix}")
    EXAM_RESIT_WAIT = (
        "SK804",
        "a re-sit is possible from {when}",
        "The rules require {hours} hours between attempts.",
    )
    EXAM_NO_ATTEMPTS_LEFT = ("SK805", "no exam attempts left ({used} of {allowed} used)", "Ask your trainer.")
    CERT_NOT_ELIGIBLE = ("SK806", "{person} does not meet the certification rules: {reasons}", "{fix}")
    CERT_FORGED = (
        "SK807",
        "the certificate record is not authentic: {detail}",
        "Do not accept this certificate.",
    )
    CERT_UNKNOWN = ("SK808", "no certificate with serial '{serial}'", "Check the serial number.")
    KEY_MISSING = (
        "SK809",
        "no signing key at {path}",
        "Create one with `surveykit certificates keygen`.",
    )
    BANK_TOO_SMALL = (
        "SK810",
        "module {module} has {available} items, the exam draws {needed}",
        "Add items to the bank, or draw fewer per module.",
    )
    # item bank and role exams (surveykit.training.lint, surveykit.training.exam): SK820-SK839
    EXAM_ROLE_UNKNOWN = (
        "SK820",
        "there is no exam for the role '{role}'{suggestion}",
        "Choose one of: {known} (rules.yaml, exam.blueprints).",
    )
    LINT_KEY_POSITION = ("SK821", "keyed positions are unbalanced: {detail}", "{fix}")
    LINT_LONGEST_OPTION = (
        "SK822",
        "always choosing {which} option scores {score} in {language} (chance {chance}, at most {limit} allowed)",
        "{fix}",
    )
    LINT_KEY_LONGEST = (
        "SK823",
        "quiz item {item}: in {language} the key is the longest option, {ratio} times as long as the other options on average",
        "Shorten the key or lengthen the distractors so that length gives nothing away.",
    )
    LINT_ALL_NONE = (
        "SK824",
        "quiz item {item}: option {option} points at the other options ('all / none of the above', 'both', 'A and B'): '{text}'",
        "Replace it with a plausible distractor drawn from a real interviewer error.",
    )
    LINT_ALL_BUT_ONE = (
        "SK825",
        "quiz item {item}: the key ticks every option but one ({n_key} of {n_options}; only {option} is left out)",
        "Add plausible wrong options or drop right ones, so that 'tick everything but the odd one' does not pay.",
    )
    LINT_ANSWER_SHOWN = ("SK826", "quiz item {item}: {detail}", "{fix}")
    LINT_LATIN_IN_RUSSIAN = (
        "SK827",
        "quiz item {item}: the Russian text of {field} holds English words or codes: {words}",
        "Write them in Russian (e.g. «вопрос 1» for Q1, «ответ за получателя» for proxy), or list a name in item_lint.latin_allowed.",
    )
    LINT_PARAPHRASE = (
        "SK828",
        "quiz item {item}: {field} quotes question {question} of {questionnaire} not word for word: '{quoted}'",
        "Quote the question word for word (cut it with '…' where needed): '{verbatim}'.",
    )
    LINT_STRATEGY = (
        "SK829",
        "{n} single-answer items: choosing by option length scores {scores}; chance is {chance}",
        "Nothing to fix while every score stays at most {limit}.",
    )
    # lessons (surveykit.training.lessons): lesson files, quotes of the instruments
    LESSON_TEXT_INVALID = ("SK850", "lesson {lesson} ({language}): {detail}", "{fix}")
    DURATION_MISMATCH = (
        "SK851",
        "the {language} text says {said} minutes, but settings.expected_minutes is {expected}",
        "Make them agree: change the text or 'expected_minutes' under 'settings:'.",
    )
    LESSON_QUOTE_DIFFERS = (
        "SK852",
        "the quote «{quote}» differs from {source}: «{text}»",
        "Quote the questionnaire word for word, best with {placeholder}, so the course cannot drift.",
    )

    # --- SK9xx: configuration, command line, reports, apps ----------------------------------------
    CONFIG_INVALID = ("SK901", "setting {name}: {detail}", "{fix}")
    REPORT_CELL_FAILED = (
        "SK902",
        "notebook '{notebook}' failed in cell {cell}: {detail}",
        "Open the notebook in JupyterLab with the same parameters to see the full error.",
    )
    OPTION_CONFLICT = ("SK904", "{detail}", "{fix}")
    QUALITY_RULES_INVALID = ("SK905", "quality-control rule '{rule}': {detail}", "{fix}")
    # SK910-SK919: surveykit validate
    VALIDATE_NOTHING = (
        "SK910",
        "there is nothing to validate in '{path}'",
        "Name YAML, JSON or XLSForm files, or a folder holding them ({suffixes}).",
    )

    def __init__(self, code: str, template: str, hint: str) -> None:
        self.code = code
        self.template = template
        self.hint_template = hint

    def format(self, **params: Any) -> tuple[str, str]:
        """Return ``(message, hint)`` with the parameters filled in (English)."""
        return _safe_format(self.template, params), _safe_format(self.hint_template, params)


def sentence(text: str) -> str:
    """``text`` ending with a full stop (unless it already ends with punctuation)."""
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Translated(dict):
    """A message parameter given in several languages, e.g. ``Translated(en="whole number", ru="целое число")``:
    each language's message shows its own text."""

    def __str__(self) -> str:
        return self.get("en") or next(iter(self.values()), "")


def _localize_params(params: dict[str, Any], language: str) -> dict[str, Any]:
    return {k: (v.get(language) or str(v)) if isinstance(v, Translated) else v for k, v in params.items()}


def _safe_format(template: str, params: dict[str, Any], language: str = "en") -> str:
    try:
        return template.format_map(_Missing(_localize_params(params, language)))
    except (ValueError, IndexError, KeyError, AttributeError):  # a malformed template must not hide the error
        return template


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file with line/column, a workbook with sheet/row, a data row and column,
    and/or a path inside the questionnaire (a question code and the attribute, e.g. ``q3.relevant``)."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    row: int | None = None
    field: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            if self.sheet is not None:
                text = f"{self.file}, sheet '{self.sheet}'"
                if self.row is not None:
                    text += f", row {self.row}"
                parts.append(text)
            elif self.line is not None:
                parts.append(f"{self.file}:{self.line}" + (f":{self.column}" if self.column else ""))
            elif self.row is not None:
                parts.append(f"{self.file}, row {self.row}")
            else:
                parts.append(self.file)
        elif self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'" + (f", row {self.row}" if self.row is not None else ""))
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"column '{self.field}'")
        if self.path:
            parts.append(f"at {self.path}")
        return ", ".join(parts) if parts else "(no location)"

    def with_(self, **changes: Any) -> Location:
        values = {k: getattr(self, k) for k in self.__dataclass_fields__}
        values.update(changes)
        return Location(**values)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if getattr(self, k) is not None}


@dataclass(frozen=True)
class Problem:
    """One problem: what (code and message), where (location), how to fix (hint), how bad (severity)."""

    code: ErrorCode
    location: Location = field(default_factory=Location)
    severity: Severity = Severity.ERROR
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        code: ErrorCode,
        location: Location | None = None,
        severity: Severity = Severity.ERROR,
        /,
        **params: Any,
    ) -> Problem:
        return cls(code=code, location=location or Location(), severity=severity, params=params)

    @property
    def message(self) -> str:
        return self.code.format(**self.params)[0]

    @property
    def hint(self) -> str:
        return self.code.format(**self.params)[1]

    def localized(self, language: str = "en") -> tuple[str, str]:
        """Message and hint in ``language`` (falls back to English where no translation exists)."""
        if language == "en":
            return self.code.format(**self.params)
        from surveykit.i18n import error_templates

        message_t, hint_t = error_templates(self.code.code, language)
        message_en, hint_en = self.code.format(**self.params)
        message = _safe_format(message_t, self.params, language) if message_t else message_en
        hint = _safe_format(hint_t, self.params, language) if hint_t else hint_en
        return message, hint

    def __str__(self) -> str:
        return (
            f"{self.location}: {self.severity.value} {self.code.code}: {sentence(self.message)} {self.hint}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.code,
            "name": self.code.name,
            "severity": self.severity.value,
            "message": self.message,
            "hint": self.hint,
            "location": self.location.to_dict(),
            "where": str(self.location),
        }


class Report:
    """An ordered collection of problems, returned by loaders, checks, validators and importers."""

    def __init__(self, problems: Iterable[Problem] = (), *, subject: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        self.subject = subject

    def add(
        self,
        code: ErrorCode,
        location: Location | None = None,
        severity: Severity = Severity.ERROR,
        /,
        **params: Any,
    ) -> Problem:
        problem = Problem.of(code, location, severity, **params)
        self.problems.append(problem)
        return problem

    def extend(self, other: Report | Iterable[Problem]) -> None:
        self.problems.extend(other.problems if isinstance(other, Report) else other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self) -> list[ErrorCode]:
        return [p.code for p in self.problems]

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __str__(self) -> str:
        head = f"{self.subject}: " if self.subject else ""
        if not self.problems:
            return f"{head}no problems"
        counts = f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        return "\n".join([f"{head}{counts}"] + [f"  {p}" for p in self.problems])

    def to_dicts(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.problems]

    def to_json(self) -> str:
        return json.dumps(
            {"subject": self.subject, "ok": self.ok, "problems": self.to_dicts()},
            ensure_ascii=False,
            indent=2,
        )

    def flatten(self):  # -> pandas.DataFrame, imported lazily to keep the errors module light
        """One row per problem: severity, code, message, hint and every location field."""
        import pandas as pd

        rows = []
        for p in self.problems:
            row = {"severity": p.severity.value, "code": p.code.code, "message": p.message, "hint": p.hint}
            row.update({k: getattr(p.location, k) for k in Location.__dataclass_fields__})
            rows.append(row)
        columns = ["severity", "code", "message", "hint", *Location.__dataclass_fields__]
        return pd.DataFrame(rows, columns=columns)

    def raise_if_errors(self, exc_type: type[SurveykitError] | None = None) -> None:
        if self.errors:
            first = self.errors[0]
            raise (exc_type or SurveykitError)(first.code, first.location, report=self, **first.params)


class SurveykitError(Exception):
    """Base of every error surveykit raises on purpose. ``str(err)`` says where, what and how to fix."""

    def __init__(
        self,
        code: ErrorCode,
        location: Location | None = None,
        /,
        *,
        report: Report | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.location = location or Location()
        self.params = params
        self.report = report
        self.problem = Problem.of(code, self.location, Severity.ERROR, **params)
        super().__init__(self._text())

    def _text(self) -> str:
        if self.report is not None and len(self.report.errors) > 1:
            return str(self.report)
        return str(self.problem)

    @property
    def message(self) -> str:
        return self.problem.message

    @property
    def hint(self) -> str:
        return self.problem.hint

    def localized(self, language: str = "en") -> str:
        message, hint = self.problem.localized(language)
        return f"{sentence(message)} {hint}"


class ConfigError(SurveykitError):
    pass


class QuestionnaireError(SurveykitError):
    pass


class ExpressionError(QuestionnaireError):
    pass


class ValidationError(SurveykitError):
    pass


class StoreError(SurveykitError):
    pass


class NotFoundError(StoreError):
    pass


class ConflictError(StoreError):
    pass


class AccessDenied(StoreError):
    pass


class DataImportError(SurveykitError):
    pass


class ExportError(SurveykitError):
    pass


class MethodologyError(SurveykitError):
    pass


class TrainingError(SurveykitError):
    pass


class CertificateError(TrainingError):
    pass


class ReportError(SurveykitError):
    pass


def did_you_mean(name: str, candidates: Iterable[str], *, prefix: str = " (did you mean ") -> str:
    """``" (did you mean 'age'?)"`` for the closest candidate, or ``""`` when nothing is close."""
    import difflib

    pool = [c for c in candidates if c]
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in pool}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return f"{prefix}'{close[0]}'?)" if close else ""
