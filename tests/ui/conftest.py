"""UI test helpers: an AppContext on a test database, and where screenshots go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dentaldesk.ui.context import AppContext


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Folder for screenshots: DENTALDESK_SHOTS if set (to look at them), else the test's tmp."""
    folder = Path(os.environ.get("DENTALDESK_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def make_ctx():
    def make(engine: Engine, actor=None) -> AppContext:
        return AppContext(engine=engine, database=str(engine.url), actor=actor)

    return make
