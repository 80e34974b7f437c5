"""Where DentalDesk keeps its data and which database it opens (DATA-3).

The database URL is chosen, first match wins: ``--url`` on the command line, the
``DENTALDESK_DATABASE_URL`` environment variable, ``database_url`` in ``settings.json`` in the
user config directory, else ``dentaldesk.sqlite3`` in the user data directory (platformdirs).
``DENTALDESK_HOME`` puts both directories under one folder (tests and portable installs).
"""

from __future__ import annotations

import json
import os
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


def read_settings(p: Paths | None = None) -> dict[str, object]:
    p = p or paths()
    try:
        return json.loads(p.settings_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise StorageError(f"The settings file {p.settings_file} cannot be read: {exc}") from exc


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def database_url(cli_url: str | None = None, *, demo: bool = False) -> str:
    """The database this run opens (DATA-3)."""
    if cli_url:
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
