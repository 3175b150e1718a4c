"""Importing story files from disk into the library (the CLI's `import` and the first start)."""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import logging
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
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
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_ORPHAN_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class StoryFile:
    """A file to import and the key that names its story in the library: importing a file of
    the same key again updates that story. None: keyed by its content (see `story_files`)."""

    path: Path
    source_key: str | None


@dataclass(frozen=True)
class FileImport:
    """What became of one file: saved (with its outcome) or rejected (with the reason)."""

    file: StoryFile
    outcome: SaveOutcome | None = None
    title: str = ""
    chapters: int = 0
    words: int = 0
    error: str = ""


def story_files(paths: Iterable[Path]) -> list[StoryFile]:
    """The story files named by `paths` (files as given, folders searched for known suffixes),
    each once, with its source key.

    A file's key is its path inside the folder given (a file given by itself: its name), so
    that the bundled library keeps the keys it has always had, its bare file names. Two files
    of one import are never given one key: where they would be, each is keyed by its path
    under the folder given with that folder's name in front, and where even that is shared
    (two folders of one name), by its content.
    """
    once: dict[Path, tuple[Path, Path]] = {}  # each file (resolved) once: (path, folder given)
    for given in paths:
        if given.is_dir():
            found = sorted(
                entry
                for entry in given.rglob("*")
                if entry.is_file() and entry.suffix.lower() in SUFFIXES
            )
            root = given
        else:
            found, root = [given], given.parent
        for path in found:
            once.setdefault(path.resolve(), (path, root))
    named = [
        (path, path.relative_to(root).as_posix(), root.resolve().name)
        for path, root in once.values()
    ]
    shared = Counter(key for _, key, _ in named)
    kept = {key for key, count in shared.items() if count == 1}
    prefixed = Counter(f"{folder}/{key}" for _, key, folder in named if shared[key] > 1)

    def source_key(key: str, folder: str) -> str | None:
        if shared[key] == 1:
            return key
        longer = f"{folder}/{key}"
        return longer if prefixed[longer] == 1 and longer not in kept else None

    return [StoryFile(path, source_key(key, folder)) for path, key, folder in named]


async def import_files(
    store: Store,
    files: Iterable[StoryFile],
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
    pool = (
        ProcessPoolExecutor(
            workers, get_context("spawn"), initializer=_die_with_parent, initargs=(os.getpid(),)
        )
        if len(files) > _POOL_AFTER
        else None
    )
    loop = asyncio.get_running_loop()
    pending: deque[tuple[StoryFile, asyncio.Future[tuple[StoryDraft, str]]]] = deque()
    results = []
    try:
        for file in files:
            pending.append((file, loop.run_in_executor(pool, _read_story, file.path)))
            if len(pending) > 2 * workers:
                results.append(await _save(store, *pending.popleft(), page_size, on_file))
        while pending:
            results.append(await _save(store, *pending.popleft(), page_size, on_file))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return results


async def import_library_if_empty(store: Store, library_dir: Path, page_size: int) -> None:
    """On first start, fill an empty library with the bundled stories: once, by the first of
    the processes that start together (the others wait, then find it filled)."""
    async with store.alone():
        if await store.story_count():
            return
        files = story_files([library_dir])
        log.info("empty library: importing %d files from %s", len(files), library_dir)
        for result in await import_files(store, files, page_size=page_size):
            if result.error:
                log.warning("skipped %s", result.error)


async def _save(
    store: Store,
    file: StoryFile,
    parsed: asyncio.Future[tuple[StoryDraft, str]],
    page_size: int,
    on_file: Callable[[FileImport], None],
) -> FileImport:
    try:
        draft, content_hash = await parsed
    except ImportRejected as error:
        result = FileImport(file, error=str(error))
    else:
        outcome, _ = await store.save_story(
            draft,
            source_key=file.source_key or f"content:{content_hash}",
            content_hash=content_hash,
            page_size=page_size,
        )
        result = FileImport(file, outcome, draft.title, len(draft.chapters), draft.word_count)
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


def _die_with_parent(parent: int) -> None:
    """Run first in each worker: end it when the import that started it ends, even by SIGKILL,
    which lets the import shut no worker down (one left behind would wait for work forever)."""
    if not _killed_with_parent():
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the import ended before the worker got this far
        os._exit(1)


def _killed_with_parent() -> bool:
    """Ask Linux to send this process SIGKILL when its parent ends; whether it will."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0)
    except (OSError, AttributeError):
        return False


def _exit_when_orphaned(parent: int) -> None:
    """Where the kernel cannot be asked: exit once the parent is gone (the process is then
    another's child)."""
    while os.getppid() == parent:
        time.sleep(_ORPHAN_POLL_SECONDS)
    os._exit(1)
