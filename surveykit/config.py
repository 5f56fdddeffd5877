"""Settings: one place for every option of the workbench, each with a help string.

Values come, in order of precedence, from environment variables ``SURVEYKIT_<NAME>``, from a
``surveykit.toml`` file in the project root (``[surveykit]`` table), and from the defaults below.
Methodology numbers (weights, thresholds, pass marks) are not settings: they live in the methodology
profiles and the training rules under ``questionnaires/``, next to the sources they cite.
"""

from __future__ import annotations

import functools
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from surveykit.errors import ConfigError, ErrorCode, Location

__all__ = ["PROJECT_ROOT", "Settings", "settings"]

#: the checkout the package runs from (``surveykit/`` sits in it); used for ``questionnaires/`` and ``data/``
PROJECT_ROOT = Path(__file__).resolve().parent.parent


#: where the apps are reached when neither ``public_url`` nor ``verify_url`` is set (Voilà's default port)
DEFAULT_PUBLIC_URL = "http://localhost:8866"
#: the verification app under the apps' address
VERIFY_PATH = "/voila/render/verify.ipynb"


def _opt(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    root: Path = _opt(PROJECT_ROOT, "Project folder holding questionnaires/, data/, apps/ and notebooks/.")
    database_url: str = _opt(
        "",
        "SQLAlchemy URL of the response store. Empty: an embedded SQLite file data/surveykit.sqlite. "
        "For many interviewers at once use PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    data_dir: Path = _opt(
        Path(""), "Folder for the embedded database, logs, keys and generated files (default root/data)."
    )
    questionnaires_dir: Path = _opt(
        Path(""), "Folder with questionnaires, methodology profiles and course data."
    )
    min_cell_size: int = _opt(
        5,
        "Council outputs never show a number backed by fewer respondents than this (small-cell suppression).",
    )
    signing_key: Path = _opt(
        Path(""), "Ed25519 private key (PEM) used to sign certificates (default data/keys/issuer.pem)."
    )
    backup_key: Path = _opt(
        Path(""),
        "Ed25519 private key (PEM) that signs backup archives; restore accepts only archives it signed unless "
        "told to trust a foreign one (default data/keys/backup.pem, created at the first backup).",
    )
    issuer_name: str = _opt(
        "",
        "Issuer named on certificates and in signed records in every language (e.g. a proper name). Empty: "
        "issuer_name_ru on Russian certificates and pages, issuer_name_en on English ones.",
    )
    issuer_name_ru: str = _opt(
        "Учебный центр общественного совета", "Issuer's name in Russian (when issuer_name is empty)."
    )
    issuer_name_en: str = _opt(
        "Public Council Training Centre", "Issuer's name in English (when issuer_name is empty)."
    )
    issuer_url: str = _opt("https://example.org/surveykit", "Issuer URL placed in signed credentials.")
    public_url: str = _opt(
        "",
        "Address people reach the apps at, e.g. https://training.example.org behind a reverse proxy. Empty: "
        "`surveykit serve` (and `make demo`) fill it with the address they serve (http://127.0.0.1:<port>).",
    )
    verify_url: str = _opt(
        "",
        "Base URL the certificate QR code and the signed record point to (the verification app). Empty: "
        "<public_url>/voila/render/verify.ipynb (http://localhost:8866/... when public_url is empty too).",
    )
    default_language: str = _opt("ru", "Language of the apps when the user has not chosen one.")
    pseudonymise_exports: bool = _opt(
        True, "Replace interviewer identities in exports with stable pseudonyms."
    )
    dashboard_public: bool = _opt(
        False,
        "Serve the council dashboard without sign-in (published, suppressed figures only). Off by default: "
        "council members sign in; turn on only for a public demonstration.",
    )
    busy_timeout_ms: int = _opt(30000, "How long an SQLite writer waits for a lock before giving up.")
    log_level: str = _opt("INFO", "Log level of apps and CLI (DEBUG, INFO, WARNING).")
    # sign-in and sessions (surveykit.store.sessions, docs/security.md); [P] proposed defaults
    session_idle_minutes: int = _opt(
        30, "A signed-in session ends after this many minutes without activity [P] (sign in again)."
    )
    session_max_hours: int = _opt(
        12, "A session ends this many hours after sign-in, however active [P] (one working day)."
    )
    lockout_threshold: int = _opt(
        5, "Failed sign-ins in a row that lock an account [P]; a successful sign-in resets the count."
    )
    lockout_minutes: int = _opt(
        15, "How long a locked account stays locked [P] (an administrator can unlock it sooner)."
    )
    # limits on any file a user hands over (surveykit.fileio, docs/files.md): past one, a located message
    max_file_mb: int = _opt(
        50,
        "Largest file (MB) that validate, convert, import and infer open; a larger one is refused (SK140).",
    )
    max_nesting_depth: int = _opt(
        100, "Deepest nesting of lists and mappings in a YAML or JSON file, aliases included (SK143)."
    )
    max_yaml_aliases: int = _opt(1000, "Most aliases (*name) one YAML file may use (SK158).")
    max_document_nodes: int = _opt(
        1_000_000,
        "Most values one YAML or JSON document may hold once its aliases are expanded: a 'billion laughs' "
        "file is refused (SK144).",
    )
    max_rows: int = _opt(1_000_000, "Most rows read from one sheet or data file (SK153).")
    max_columns: int = _opt(
        10_000, "Most columns read from one sheet or data file; a heading further right is refused (SK153)."
    )
    max_unpacked_mb: int = _opt(
        1000, "Most megabytes a workbook (.xlsx, a zip archive) may unpack to (SK152)."
    )
    max_zip_ratio: int = _opt(
        200,
        "Largest unpacked-to-packed size ratio of a workbook part over 1 MB: a zip bomb is refused (SK152).",
    )
    read_timeout_s: int = _opt(
        120, "Longest time (seconds) reading one file may take before it is stopped (SK154)."
    )
    regex_timeout_ms: int = _opt(
        1000, "Longest time (milliseconds) the regex() calls of one expression evaluation may take (SK310)."
    )
    max_upload_mb: int = _opt(
        20,
        "Largest file (a photo, a recording, a document) an image/audio/video/file question accepts, in MB; "
        "files are stored with the interview in the database.",
    )

    # serving the apps (surveykit.ui.server, docs/deploy.md): one Voilà process runs one kernel per open page
    max_kernels: int = _opt(
        0,
        "Most app pages (kernels) one Voilà process keeps open at once; the next visitor gets a 'the server is "
        "busy, try again in a minute' page (HTTP 503) instead of the machine running out of memory. 0: from "
        "the machine's memory (three quarters of it, at 250 MB a page).",
    )
    kernel_idle_minutes: int = _opt(
        15, "An app page's kernel with no activity for this long is shut down (closed laptops, crashed tabs)."
    )
    kernel_cull_interval_s: int = _opt(60, "How often (seconds) idle kernels are looked for.")
    kernel_cull_connected: bool = _opt(
        False,
        "Also shut down idle kernels whose page is still open (off: an open page keeps its kernel until it "
        "has been idle and disconnected).",
    )

    def __post_init__(self) -> None:
        root = Path(self.root)
        object.__setattr__(self, "root", root)
        if not str(self.data_dir) or str(self.data_dir) == ".":
            object.__setattr__(self, "data_dir", root / "data")
        if not str(self.questionnaires_dir) or str(self.questionnaires_dir) == ".":
            object.__setattr__(self, "questionnaires_dir", root / "questionnaires")
        if not str(self.signing_key) or str(self.signing_key) == ".":
            object.__setattr__(self, "signing_key", Path(self.data_dir) / "keys" / "issuer.pem")
        if not str(self.backup_key) or str(self.backup_key) == ".":
            object.__setattr__(self, "backup_key", Path(self.data_dir) / "keys" / "backup.pem")
        if not self.verify_url.strip():
            base = self.public_url.strip().rstrip("/") or DEFAULT_PUBLIC_URL
            object.__setattr__(self, "verify_url", f"{base}{VERIFY_PATH}")
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{Path(self.data_dir) / 'surveykit.sqlite'}")
        if self.min_cell_size < 1:
            raise ConfigError(
                ErrorCode.CONFIG_INVALID,
                Location(field="min_cell_size"),
                name="min_cell_size",
                detail=f"must be at least 1, got {self.min_cell_size}",
                fix="Set SURVEYKIT_MIN_CELL_SIZE to a whole number of respondents, e.g. 5.",
            )
        for name in (
            "session_idle_minutes",
            "session_max_hours",
            "lockout_threshold",
            "lockout_minutes",
            *_LIMITS,
            "max_upload_mb",
            "kernel_idle_minutes",
            "kernel_cull_interval_s",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(
                    ErrorCode.CONFIG_INVALID,
                    Location(field=name),
                    name=name,
                    detail=f"must be at least 1, got {getattr(self, name)}",
                    fix=f"Set SURVEYKIT_{name.upper()} to a whole number of at least 1.",
                )

        if self.max_kernels < 0:
            raise ConfigError(
                ErrorCode.CONFIG_INVALID,
                Location(field="max_kernels"),
                name="max_kernels",
                detail=f"must be 0 (from the machine's memory) or more, got {self.max_kernels}",
                fix="Set SURVEYKIT_MAX_KERNELS to 0 or to the number of pages one Voilà process may hold, e.g. 40.",
            )

    @property
    def logs_dir(self) -> Path:
        return Path(self.data_dir) / "logs"

    @classmethod
    def help(cls) -> dict[str, str]:
        return {f.name: f.metadata.get("help", "") for f in fields(cls)}

    @classmethod
    def load(cls, environ: dict[str, str] | None = None, root: Path | None = None) -> Settings:
        env = os.environ if environ is None else environ
        base_root = Path(env.get("SURVEYKIT_ROOT") or root or PROJECT_ROOT)
        values: dict[str, Any] = {"root": base_root}
        toml_path = base_root / "surveykit.toml"
        if toml_path.exists():
            try:
                values.update(tomllib.loads(toml_path.read_text(encoding="utf-8")).get("surveykit", {}))
            except tomllib.TOMLDecodeError as err:
                raise ConfigError(
                    ErrorCode.CONFIG_INVALID,
                    Location(file=str(toml_path)),
                    name="surveykit.toml",
                    detail=str(err),
                    fix="Fix the TOML syntax.",
                ) from err
        for f in fields(cls):
            key = f"SURVEYKIT_{f.name.upper()}"
            if key in env:
                values[f.name] = env[key]
        return cls(**{k: _convert(k, v) for k, v in values.items() if k in {f.name for f in fields(cls)}})


#: the settings that bound reading a file (each at least 1)
_LIMITS = (
    "max_file_mb",
    "max_nesting_depth",
    "max_yaml_aliases",
    "max_document_nodes",
    "max_rows",
    "max_columns",
    "max_unpacked_mb",
    "max_zip_ratio",
    "read_timeout_s",
    "regex_timeout_ms",
)


def _convert(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    try:
        if kind == "int":
            return int(value)
        if kind == "bool":
            return (
                value if isinstance(value, bool) else str(value).strip().lower() in {"1", "true", "yes", "on"}
            )
        if kind == "Path":
            return Path(value)
    except ValueError as err:
        raise ConfigError(
            ErrorCode.CONFIG_INVALID,
            Location(field=name),
            name=name,
            detail=f"{value!r} is not a valid {kind}",
            fix=f"Set SURVEYKIT_{name.upper()} to a {kind}.",
        ) from err
    return value


@functools.cache
def settings() -> Settings:
    """The settings of this process (read once; tests call ``settings.cache_clear()`` after changing env)."""
    return Settings.load()
