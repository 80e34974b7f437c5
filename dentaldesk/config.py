"""Where DentalDesk keeps its data and which database it opens (DATA-3).

The database URL is chosen, first match wins: ``--url`` on the command line, the
``DENTALDESK_DATABASE_URL`` environment variable, ``database_url`` in ``settings.json`` in the
user config directory, else ``dentaldesk.sqlite3`` in the user data directory (platformdirs).
``DENTALDESK_HOME`` puts both directories under one folder (tests and portable installs).
"""

from __future__ import annotations

import contextlib
import json
import os
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
        return json.loads(p.settings_file.read_text(encoding="utf-8"))
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


def database_url(cli_url: str | None = None, *, demo: bool = False) -> str:
    """The database this run opens (DATA-3)."""
    if cli_url:
        refuse_password_in_url(cli_url)
        return cli_url
    env = os.environ.get(ENV_URL)
    if env:
        return env
    p = paths()
    if demo:
        return sqlite_url(p.demo_database)
    configured = read_settings(p).get("database_url")
    if isinstance(configured, str) and configured:
        return configured
    return sqlite_url(p.default_database)


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
