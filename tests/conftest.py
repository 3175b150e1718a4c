"""Shared fixtures: a store on a real temporary SQLite file, and the Discord stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Store

REPO = Path(__file__).resolve().parents[1]
SAMPLE_LIBRARY = REPO / "data"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "library.db")
    yield opened
    await opened.close()
