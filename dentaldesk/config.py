"""Where DentalDesk keeps its data and which database it opens (DATA-3).

The database URL is chosen, first match wins: ``--url`` on the command line (a URL or a plain
SQLite file path), ``--demo`` (``demo.sqlite3``), the ``DENTALDESK_DATABASE_URL`` environment
variable, ``database_url`` in ``settings.json`` in the user config directory, else
``dentaldesk.sqlite3`` in the user data directory (platformdirs).
``DENTALDESK_HOME`` puts both directories under one folder (tests and portable installs).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from dentaldesk.domain.errors import DentalDeskError

APP_NAME = "DentalDesk"
ENV_URL = "DENTALDESK_DATABASE_URL"
ENV_HOME = "DENTALDESK_HOME"


class StorageError(DentalDeskError):
    """The database cannot be opened, created or upgraded; the message says why and what to do."""


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def default_database(self) -> Path:
        return self.data_dir / "dentaldesk.sqlite3"

    @property
    def demo_database(self) -> Path:
        return self.data_dir / "demo.sqlite3"


def paths() -> Paths:
    home = os.environ.get(ENV_HOME)
    if home:
        root = Path(home)
        return Paths(data_dir=root / "data", config_dir=root / "config")
    return Paths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
    )


def make_private(path: Path) -> None:
    """SEC-6: a file of DentalDesk's (database, settings, backup) is its owner's only (0600)."""
    try:
        if path.exists() and path.stat().st_mode & 0o077:
            path.chmod(0o600)
    except OSError:  # a file of another user, or a file system without modes: left as it is
        pass


def make_private_folder(folder: Path) -> None:
    """SEC-6: the data folder is created, and kept, readable by its owner only (0700).

    A shared temporary folder (the sticky bit, as /tmp has) is left as it is: a database put
    there by its URL must not lock every other user and service out of it (making /tmp 0700
    stopped the machine's PostgreSQL server).
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        mode = folder.stat().st_mode
        if mode & 0o077 and not mode & stat.S_ISVTX:
            folder.chmod(0o700)
    except OSError:
        pass


def read_settings(p: Paths | None = None) -> dict[str, object]:
    p = p or paths()
    make_private(p.settings_file)  # it may hold the database password (SEC-6)
    try:
        settings: dict[str, object] = json.loads(p.settings_file.read_text(encoding="utf-8"))
        return settings
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StorageError(f"The settings file {p.settings_file} cannot be read: {exc}") from exc


def write_setting(key: str, value: object | None, p: Paths | None = None) -> None:
    """Set (or with None remove) one key of the settings file, written 0600 from its first byte
    through a temporary file renamed over it (SEC-6): the file may hold passwords."""
    import tempfile

    p = p or paths()
    settings = read_settings(p)
    if value is None:
        settings.pop(key, None)
    else:
        settings[key] = value
    folder = p.settings_file.parent
    try:
        make_private_folder(folder)
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".settings.", suffix=".part")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
                json.dump(settings, out, indent=2, sort_keys=True)
            os.replace(temp_name, p.settings_file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
    except OSError as exc:
        raise StorageError(f"The settings file {p.settings_file} cannot be written: {exc.strerror or exc}.") from exc


SMTP_PASSWORD_KEY = "smtp_password"


def smtp_password() -> str | None:
    """CASE-4, SEC-6: the mail server's password, kept in this workstation's settings file (0600),
    never in the database."""
    value = read_settings().get(SMTP_PASSWORD_KEY)
    return value if isinstance(value, str) and value else None


def set_smtp_password(password: str | None) -> None:
    """Keep the mail server's password in the settings file; None or "" removes it."""
    write_setting(SMTP_PASSWORD_KEY, password or None)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def database_password() -> str | None:
    """A PostgreSQL password from ``"database_password"`` in the settings file (SEC-6).

    Else libpq finds one itself in ``PGPASSWORD`` or the PostgreSQL password file (~/.pgpass).
    """
    value = read_settings().get("database_password")
    return value if isinstance(value, str) and value else None


def refuse_password_in_url(url: str) -> None:
    """SEC-6: a password typed on the command line is visible to every user in the process list."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return
    if parsed.password:
        raise StorageError(
            "Do not put the database password in --url: other users of this computer can read the "
            'command line. Put it in settings.json ("database_password"), in PGPASSWORD, or in the '
            "PostgreSQL password file (~/.pgpass)."
        )


SQLITE_SUFFIXES = (".sqlite3", ".sqlite", ".db", ".db3")
# "postgres:secret@server", "sqlite:/x.db": a scheme without its "//" (a drive letter is no scheme)
_LOOKS_LIKE_A_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:(?![\\/])|^[A-Za-z][A-Za-z0-9+.-]+:/[^/]")
URL_EXAMPLES = (
    "a file path such as practice.sqlite3, sqlite:///path/to/practice.sqlite3, "
    "or postgresql://user@server/dentaldesk for a shared office"
)


@dataclass(frozen=True)
class DatabaseChoice:
    """The database a run opens, where the choice came from, and whether it lives in our own folder.

    ``in_data_folder``: the default or the demo database, in DentalDesk's data folder, which may be
    created on first use; a file named by the person must be in a folder that exists (a mistyped
    path creates nothing).
    """

    url: str
    source: str
    in_data_folder: bool = False


def parse_database_url(text: str, source: str) -> str:
    """A typed database location as the SQLAlchemy URL DentalDesk opens (DATA-3).

    A URL is taken as it is (``postgres://`` and any ``postgresql+driver://`` are read as
    PostgreSQL through psycopg 3); a plain file path is an SQLite file. Anything else is refused
    with a message that names ``source`` (``--url``, the environment variable or settings.json)
    and shows what to write.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    value = text.strip()
    if not value:
        raise StorageError(f"{source} is empty. Write {URL_EXAMPLES}.")
    if "://" in value or _LOOKS_LIKE_A_URL.match(value):
        try:
            parsed = make_url(value)
        except ArgumentError:
            raise StorageError(f"{source} '{value}' is not a database URL. Write {URL_EXAMPLES}.") from None
        backend = parsed.get_backend_name()
        if backend in ("postgres", "postgresql"):
            return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        if backend != "sqlite":
            raise StorageError(
                f"{source}: DentalDesk works with SQLite or PostgreSQL, not '{backend}'. Write {URL_EXAMPLES}."
            )
        return value
    path = Path(value).expanduser()
    if path.is_file() or path.suffix.lower() in SQLITE_SUFFIXES or len(path.parts) > 1:
        return sqlite_url(path.resolve())
    raise StorageError(
        f"{source} '{value}' is neither a database URL nor the path of an SQLite file "
        f"(ending in {', '.join(SQLITE_SUFFIXES)}). Write {URL_EXAMPLES}."
    )


def choose_database(cli_url: str | None = None, *, demo: bool = False) -> DatabaseChoice:
    """The database this run opens (DATA-3): --url, else --demo's file, else the environment,
    else settings.json, else the default file. ``--demo`` wins over the environment and the
    settings: it is asked for on this command line."""
    if cli_url is not None:
        url = parse_database_url(cli_url, "--url")
        refuse_password_in_url(url)  # SEC-6: never a password on the command line
        return DatabaseChoice(url, "--url")
    p = paths()
    if demo:
        return DatabaseChoice(sqlite_url(p.demo_database), "--demo", in_data_folder=True)
    env = os.environ.get(ENV_URL)
    if env:  # set but empty is how a shell clears it
        return DatabaseChoice(parse_database_url(env, ENV_URL), ENV_URL)
    configured = read_settings(p).get("database_url")
    if isinstance(configured, str) and configured:
        source = f'"database_url" in {p.settings_file}'
        return DatabaseChoice(parse_database_url(configured, source), source)
    return DatabaseChoice(sqlite_url(p.default_database), "the default database", in_data_folder=True)


def database_url(cli_url: str | None = None, *, demo: bool = False) -> str:
    """The URL of :func:`choose_database`."""
    return choose_database(cli_url, demo=demo).url


def display_url(url: str) -> str:
    """A URL as a person wrote it: ``postgresql://`` (not the driver's name), never a password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql")
    return parsed.render_as_string(hide_password=True)


def describe_url(url: str) -> str:
    """The database as shown in the status bar: a file path or host/db, never a password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database or 'in memory'}"
    return f"PostgreSQL {parsed.host or 'localhost'}/{parsed.database}"


def resources_dir() -> Path:
    """The resources/ folder: beside the package in a checkout, inside the bundle when frozen."""
    import sys

    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"
