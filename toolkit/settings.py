"""Settings: every knob declared once (name, default, help), read at the edge, passed down.

A setting comes from, in rising priority: its default, the `SAFESHARE_<NAME>` environment
variable, an explicit override (a command-line flag). Nothing below reads the environment
except `Settings.from_env`, so the library itself holds no global state; the CLI, `serve`
and the notebooks' `show()` functions are the edges that call it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from toolkit.errors import SafeShareError

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "SAFESHARE_"


def _default_database_url() -> str:
    # var/ sits beside notebooks/, never inside it: Voilà serves notebooks/ only, so the
    # database file can never be fetched over HTTP. var/ is gitignored.
    return f"sqlite:///{REPO_ROOT / 'var' / 'safeshare.db'}"


def _default_case_dirs() -> tuple[Path, ...]:
    return (REPO_ROOT / "case_studies",)


def _default_lti_key_dir() -> Path:
    # Beside the database in var/, outside notebooks/, so never served.
    return REPO_ROOT / "var" / "lti"


def _parse_words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _render_words(words: tuple[str, ...]) -> str:
    return " ".join(words)


def _default_log_path() -> Path:
    # Beside the database in var/, outside notebooks/, so never served.
    return REPO_ROOT / "var" / "log" / "app.log"


# What one learner kernel in use costs (RSS, measured in docs/performance.md: 72 MiB), what the
# server, the database and the system keep back, and the share of the rest kernels may use.
KERNEL_MIB = 75
RESERVED_MIB = 1024
KERNEL_SHARE = 0.75


def default_max_kernels(memory_bytes: int | None = None) -> int:
    """How many learner kernels this machine's memory holds: three quarters of what is left
    after RESERVED_MIB, in KERNEL_MIB kernels (at least 2). `memory_bytes` defaults to the
    machine's physical memory."""
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    spare_mib = memory_bytes / 2**20 - RESERVED_MIB
    return max(2, int(spare_mib * KERNEL_SHARE // KERNEL_MIB))


def _parse_int(text: str) -> int:
    return int(text.strip())


def _parse_float(text: str) -> float:
    return float(text.strip())


KERNEL_PROVISIONERS = ("fork", "local")


def _parse_provisioner(text: str) -> str:
    value = text.strip().lower()
    if value not in KERNEL_PROVISIONERS:
        raise ValueError(f"choose {' or '.join(KERNEL_PROVISIONERS)}")
    return value


def _parse_optional_str(text: str) -> str | None:
    return text or None


def _parse_paths(text: str) -> tuple[Path, ...]:
    return tuple(Path(part) for part in text.split(os.pathsep) if part)


def _render_paths(paths: tuple[Path, ...]) -> str:
    return os.pathsep.join(str(p) for p in paths)


def _setting(
    default: Any = MISSING,
    *,
    help: str,
    parse: Callable[[str], Any] = str,
    render: Callable[[Any], str] = str,
    default_factory: Callable[[], Any] | Any = MISSING,
    secret: bool = False,
) -> Any:
    """A dataclass field carrying what docs, `--help` and the environment reader need."""
    meta = {"help": help, "parse": parse, "render": render, "secret": secret}
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """Where data lives and how the servers listen. Build with `Settings.from_env()`."""

    database_url: str = _setting(
        default_factory=_default_database_url,
        help="SQLAlchemy URL of the results store: a SQLite file by default, "
        "postgresql+psycopg://… for a shared server.",
    )
    case_dirs: tuple[Path, ...] = _setting(
        default_factory=_default_case_dirs,
        parse=_parse_paths,
        render=_render_paths,
        help=f"Folders holding scenarios/ and reviews/ (separate several with '{os.pathsep}').",
    )
    host: str = _setting("127.0.0.1", help="Address the servers listen on.")
    port: int = _setting(8866, parse=_parse_int, help="Port of the learner app.")
    trainer_port: int = _setting(8867, parse=_parse_int, help="Port of the trainer app.")
    reviewer_port: int = _setting(8868, parse=_parse_int, help="Port of the reviewer app.")
    room: int = _setting(
        2,
        parse=_parse_int,
        help="Kernels kept warm per app so the next learner's page opens at once "
        "(0 turns preheating off). Size it to the room: each warm learner kernel holds "
        "about 75 MB, and warming one takes about 2 s of one core.",
    )
    pool_fill_delay: float = _setting(
        10.0,
        parse=_parse_float,
        help="Seconds Voilà waits after a warm kernel is taken before starting its "
        "replacement, so a room arriving at once is not slowed by kernels warming up.",
    )
    iopub_timeout: int = _setting(
        60,
        parse=_parse_int,
        help="Seconds Voilà waits for a notebook's last output while rendering a page; "
        "on a busy machine a short wait sends the page without its widgets.",
    )
    store_wait: float = _setting(
        30.0,
        parse=_parse_float,
        help="Seconds a learner or trainer kernel waits at start for the database (reachable, "
        "its schema brought up to date by the server) before giving up; a warm kernel that "
        "gives up is dropped from the room and replaced.",
    )
    kernel_provisioner: str = _setting(
        "fork",
        parse=_parse_provisioner,
        help="How the learner server starts kernels: 'fork' forks each from a process that "
        "has imported the app once (milliseconds and a few MiB each); 'local' starts each as "
        "a new Python process. Where fork is unavailable, kernels start the local way and "
        "the log says why.",
    )
    max_kernels: int = _setting(
        default_factory=default_max_kernels,
        parse=_parse_int,
        help="Most kernels the learner server runs at once, warm ones included; past it a "
        "page says the room is full and tries again by itself, without starting a kernel. "
        f"Default: what this machine's memory holds ({KERNEL_MIB} MiB a kernel).",
    )
    client_kernels_per_minute: int = _setting(
        30,
        parse=_parse_int,
        help="New learner pages (each a kernel) one client address may open in a minute; "
        "0 means no limit. A room behind one address arrives at once: keep it at least "
        "the room's size.",
    )
    pause_idle_after: int = _setting(
        1800,
        parse=_parse_int,
        help="Seconds a learner page may sit idle before it is paused: its kernel is freed "
        "and the page offers Continue, which reopens it where it was (0: never).",
    )
    log_path: Path = _setting(
        default_factory=_default_log_path,
        parse=Path,
        help="The app log every kernel writes to: rotated by size, repeated records rate-limited.",
    )
    # The LMS routes (issue 14; docs/lms.md).
    lti_port: int = _setting(
        8869,
        parse=_parse_int,
        help="Port of the LTI 1.3 tool and the SCORM endpoints, which `safeshare serve` "
        "starts beside the learner app once `safeshare lti keygen` has made a key.",
    )
    lti_url: str | None = _setting(
        None,
        parse=_parse_optional_str,
        help="Where the LMS and browsers reach the LTI tool's /lti/ and /scorm/ paths "
        "(behind TLS), e.g. https://safeshare.example.org; default http://<host>:<lti_port>.",
    )
    learner_url: str | None = _setting(
        None,
        parse=_parse_optional_str,
        help="The learner app's public address, where launches send learners; "
        "default http://<host>:<port>/.",
    )
    trainer_url: str | None = _setting(
        None,
        parse=_parse_optional_str,
        help="The trainer app's public address, where launches send instructors; "
        "default http://<host>:<trainer_port>/.",
    )
    lti_key_dir: Path = _setting(
        default_factory=_default_lti_key_dir,
        parse=Path,
        help="Folder of the LTI tool's private signing keys (owner-only; never served).",
    )
    ticket_seconds: float = _setting(
        60.0,
        parse=_parse_float,
        help="Seconds a launch's single-use ticket stays valid between the LMS launch and "
        "the SafeShare page that takes it.",
    )
    lms_origins: tuple[str, ...] = _setting(
        default_factory=tuple,
        parse=_parse_words,
        render=_render_words,
        help="Origins (https://lms.example.org; separate several with spaces) allowed to "
        "frame the learner app and to call the SCORM endpoints: your LMS's address.",
    )
    trainer_token: str | None = _setting(
        None,
        parse=_parse_optional_str,
        secret=True,
        help="Sign-in token for the trainer app; when unset a fresh one is made and "
        "printed at start.",
    )
    retention_days: int = _setting(
        90,
        parse=_parse_int,
        help="Days a cohort's answers are kept, counted from its creation, before purge.",
    )

    def __post_init__(self) -> None:
        if self.kernel_provisioner not in KERNEL_PROVISIONERS:
            raise SafeShareError(
                f"{env_var('kernel_provisioner')}: choose {' or '.join(KERNEL_PROVISIONERS)}, "
                f"not {self.kernel_provisioner!r}"
            )
        for name in ("port", "trainer_port", "reviewer_port", "lti_port"):
            if not 0 <= getattr(self, name) <= 65535:
                raise SafeShareError(
                    f"{env_var(name)}: a port is 0–65535, not {getattr(self, name)}"
                )
        for name, least in _LEAST.items():
            if getattr(self, name) < least:
                raise SafeShareError(
                    f"{env_var(name)}: must be {least} or more, not {getattr(self, name)}"
                )
        if self.room > self.max_kernels:
            raise SafeShareError(
                f"{env_var('room')}: {self.room} warm kernels is more than "
                f"{env_var('max_kernels')} ({self.max_kernels}) allows"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `SAFESHARE_*` variables, then `overrides` (None means "not given").

        `environ` defaults to `os.environ`; tests pass a dict instead. Raises SafeShareError
        naming the variable when a value cannot be read, or for an unknown override.
        """
        environ = os.environ if environ is None else environ
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise SafeShareError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(env_var(f.name))
            if raw is not None:
                try:
                    values[f.name] = f.metadata["parse"](raw)
                except ValueError as exc:
                    raise SafeShareError(f"{env_var(f.name)}={raw!r}: {exc}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some settings changed (the instance itself is frozen)."""
        return replace(self, **changes)

    def to_env(self, *, include_secrets: bool = False) -> dict[str, str]:
        """The `SAFESHARE_*` variables that rebuild these settings in a child process.

        Secrets (the trainer token) are left out unless asked for, so a learner's kernel
        never holds the trainer's token. Unset optional values are left out.
        """
        env = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or (f.metadata["secret"] and not include_secrets):
                continue
            env[env_var(f.name)] = f.metadata["render"](value)
        return env


# The least value each numeric setting may take (ports are checked on their own).
_LEAST = {
    "room": 0,
    "pool_fill_delay": 0,
    "store_wait": 0,
    "iopub_timeout": 1,
    "max_kernels": 1,
    "client_kernels_per_minute": 0,
    "pause_idle_after": 0,
    "retention_days": 1,
    "ticket_seconds": 1,
}


def env_var(name: str) -> str:
    """The environment variable of a setting: `port` → `SAFESHARE_PORT`."""
    return ENV_PREFIX + name.upper()


class Setting(NamedTuple):
    """One row of the settings table that docs and `--help` render."""

    name: str
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        return env_var(self.name)


def _registry() -> tuple[Setting, ...]:
    rows = []
    for f in fields(Settings):
        default = f.default if f.default_factory is MISSING else f.default_factory()
        rows.append(Setting(f.name, default, f.metadata["help"]))
    return tuple(rows)


SETTINGS: tuple[Setting, ...] = _registry()
