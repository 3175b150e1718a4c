"""Importing story files from disk into the library (the CLI's `import` and the first start)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from bot.library.importer import SUFFIXES, ImportRejected, parse_story
from bot.library.model import StoryDraft
from bot.store import SaveOutcome, Store

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".yaml"
_POOL_AFTER = 8  # fewer files than this are parsed in a thread: starting workers costs more


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
    """Import each file into the bundled library; a bad file is reported and the rest go in.

    Many files are parsed in worker processes while earlier ones are written, two per worker
    ahead of the writer (so it seldom waits), so a large library streams through instead of
    being held in memory.
    """
    files = list(files)
    workers = os.cpu_count() or 1
    pool = ProcessPoolExecutor(workers, get_context("spawn")) if len(files) > _POOL_AFTER else None
    loop = asyncio.get_running_loop()
    pending: deque[tuple[Path, asyncio.Future[tuple[StoryDraft, str]]]] = deque()
    results = []
    try:
        for path in files:
            pending.append((path, loop.run_in_executor(pool, _read_story, path)))
            if len(pending) > 2 * workers:
                results.append(await _save(store, *pending.popleft(), page_size, on_file))
        while pending:
            results.append(await _save(store, *pending.popleft(), page_size, on_file))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return results


async def import_library_if_empty(store: Store, library_dir: Path, page_size: int) -> None:
    """On first start, fill an empty library with the bundled stories."""
    if await store.story_count():
        return
    files = story_files([library_dir])
    log.info("empty library: importing %d files from %s", len(files), library_dir)
    for result in await import_files(store, files, page_size=page_size):
        if result.error:
            log.warning("skipped %s", result.error)


async def _save(
    store: Store,
    path: Path,
    parsed: asyncio.Future[tuple[StoryDraft, str]],
    page_size: int,
    on_file: Callable[[FileImport], None],
) -> FileImport:
    try:
        draft, content_hash = await parsed
    except ImportRejected as error:
        result = FileImport(path, error=str(error))
    else:
        outcome, _ = await store.save_story(
            draft, source_key=path.name, content_hash=content_hash, page_size=page_size
        )
        result = FileImport(path, outcome, draft.title, len(draft.chapters), draft.word_count)
    on_file(result)
    return result


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
    draft = parse_story(raw, path.name, sidecar)
    draft.word_count  # noqa: B018 - counted here, in the worker, and kept with the draft
    return draft, digest.hexdigest()
