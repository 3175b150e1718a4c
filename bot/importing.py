"""Importing story files from disk into the library (the CLI's `import` and the first start)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.library.importer import SUFFIXES, ImportRejected, parse_story
from bot.library.model import StoryDraft
from bot.store import SaveOutcome, Store

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".yaml"


@dataclass(frozen=True)
class FileImport:
    """What became of one file: saved (with its outcome) or rejected (with the reason)."""

    path: Path
    outcome: SaveOutcome | None = None
    title: str = ""
    chapters: int = 0
    words: int = 0
    error: str = ""


def story_files(paths: Iterable[Path]) -> list[Path]:
    """The story files named by `paths`: files as given, folders searched for known suffixes."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                entry
                for entry in path.rglob("*")
                if entry.is_file() and entry.suffix.lower() in SUFFIXES
            )
        else:
            found.append(path)
    return found


async def import_files(
    store: Store,
    files: Iterable[Path],
    *,
    page_size: int,
    on_file: Callable[[FileImport], None] = lambda result: None,
) -> list[FileImport]:
    """Import each file into the bundled library; a bad file is reported and the rest go in."""
    results = []
    for path in files:
        result = await _import_file(store, path, page_size)
        on_file(result)
        results.append(result)
    return results


async def import_library_if_empty(store: Store, library_dir: Path, page_size: int) -> None:
    """On first start, fill an empty library with the bundled stories."""
    if await store.stories():
        return
    files = story_files([library_dir])
    log.info("empty library: importing %d files from %s", len(files), library_dir)
    for result in await import_files(store, files, page_size=page_size):
        if result.error:
            log.warning("skipped %s", result.error)


async def _import_file(store: Store, path: Path, page_size: int) -> FileImport:
    try:
        draft, content_hash = await asyncio.to_thread(_read_story, path)
    except ImportRejected as error:
        return FileImport(path, error=str(error))
    outcome, _ = await store.save_story(
        draft, source_key=path.name, content_hash=content_hash, page_size=page_size
    )
    return FileImport(path, outcome, draft.title, len(draft.chapters), draft.word_count)


def _read_story(path: Path) -> tuple[StoryDraft, str]:
    """Read and parse a story file and its sidecar (off the event loop: files can be large)."""
    sidecar_path = path.with_suffix(SIDECAR_SUFFIX)
    try:
        raw = path.read_bytes()
        sidecar = sidecar_path.read_bytes() if sidecar_path.is_file() else None
    except OSError as error:
        raise ImportRejected(f"“{path.name}” could not be read: {error.strerror}.") from None
    digest = hashlib.sha256(raw)
    digest.update(b"\0" + (sidecar or b""))
    return parse_story(raw, path.name, sidecar), digest.hexdigest()
