"""`python -m bot …`: run the bot, import stories, list the library, check the set-up, back up.

Exit codes: 0 ok, 1 some input was rejected or the database is damaged, 2 a usage or
configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

from dotenv import load_dotenv, set_key
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bot.config import (
    ConfigError,
    Secret,
    Settings,
    configure_logging,
    describe,
    load_settings,
    shown_url,
)
from bot.importing import FileImport, import_files, import_library_if_empty, story_files
from bot.store import Store
from bot.store.maintenance import Finding, back_up, check_file

try:
    import uvloop
except ImportError:  # Windows: asyncio's own event loop
    uvloop = None  # type: ignore[assignment]  # checked before use

OK, REJECTED, USAGE = 0, 1, 2
DAMAGED = REJECTED  # check and backup found the database, or its copy, damaged
ENV_FILE = Path(".env")

console = Console()
errors = Console(stderr=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="start the bot (imports the sample library on first start)")
    importer = commands.add_parser("import", help="import story files or folders into the library")
    importer.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    lister = commands.add_parser("list", help="show every story, bundled and uploaded, as a table")
    lister.add_argument("--guild", type=int, metavar="ID", help="only this server's uploads")
    lister.add_argument("--json", action="store_true", help="print JSON for scripts")
    commands.add_parser("check", help="check the configuration and the database")
    backup = commands.add_parser("backup", help="copy the database, safe while the bot runs")
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    copier = commands.add_parser(
        "copy-library", help="copy the SQLite library into an empty PostgreSQL database"
    )
    copier.add_argument("--to", required=True, metavar="URL", help="postgresql://…")
    stats = commands.add_parser("stats", help="print what is read, as /library stats shows it")
    stats.add_argument("--guild", type=int, metavar="ID", help="one server (default: each)")
    stats.add_argument("--days", type=int, default=30, metavar="N", help="1 to 365 (30)")
    stats.add_argument("--png", type=Path, metavar="FILE", help="write the chart (with --guild)")
    args = parser.parse_args(argv)

    load_dotenv(ENV_FILE)
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        if args.command == "run":
            return _run(settings)
        if args.command == "import":
            return asyncio.run(_import(settings, args.paths))
        if args.command == "list":
            return asyncio.run(_list(settings, guild_id=args.guild, as_json=args.json))
        if args.command == "backup":
            return _backup(settings, args.file, force=args.force)
        if args.command == "copy-library":
            return asyncio.run(_copy_library(settings, args.to))
        if args.command == "stats":
            return asyncio.run(_stats(settings, args.guild, args.days, args.png))
        return asyncio.run(_check(settings))
    except ConfigError as error:
        errors.print(f"storybot: {error}", markup=False, highlight=False)
        return USAGE


def _run(settings: Settings) -> int:
    # discord.py is imported only to run the bot: the import's worker processes load this
    # module again, and would each hold it in memory for nothing.
    import discord

    if not settings.discord_token:
        token = _ask_for_token()
        settings = load_settings({**os.environ, "DISCORD_TOKEN": token.reveal()})
    try:
        # uvloop's event loop turns more interactions a second than asyncio's own
        (uvloop.run if uvloop else asyncio.run)(_serve(settings))
    except discord.LoginFailure:
        errors.print("storybot: Discord refused the token: check DISCORD_TOKEN in .env.")
        return USAGE
    except KeyboardInterrupt:
        pass
    return OK


def _ask_for_token() -> Secret:
    """On a terminal, ask for the token (and offer to save it); elsewhere, stop with one line."""
    if not sys.stdin.isatty():
        raise ConfigError(
            "DISCORD_TOKEN is not set: put your bot token in .env (see .env.example)."
        )
    token = getpass.getpass("Your bot's token (from the Discord developer portal): ").strip()
    if not token:
        raise ConfigError("no token given.")
    answer = input(f"Save it to {ENV_FILE} for next time? [y/N] ").strip().lower()
    if answer in {"y", "yes"}:
        ENV_FILE.touch(mode=0o600, exist_ok=True)
        set_key(ENV_FILE, "DISCORD_TOKEN", token)
        console.print(f"Saved to {ENV_FILE}.")
    return Secret(token)


async def _open_store(settings: Settings) -> Store:
    """The library the settings name; a PostgreSQL database that cannot be used is one line
    (its password never shown), as a wrong setting is."""
    if settings.database_url is None:
        return await Store.open(settings.database_path)
    from bot.store.postgres import unreachable

    url = settings.database_url.reveal()
    try:
        return await Store.open(url)
    except (OSError, TimeoutError, ConnectionError) as error:
        reason = unreachable(error, url)
    except Exception as error:  # asyncpg's errors: refused logins, missing databases, …
        if not type(error).__module__.startswith("asyncpg"):
            raise
        reason = unreachable(error, url)
    raise ConfigError(f"cannot use the database at {shown_url(url)}: {reason}")


async def _serve(settings: Settings) -> None:
    from bot.app import StoryBot, use_discord_endpoints

    token = settings.require_token()
    use_discord_endpoints(settings.discord_rest_url, settings.discord_gateway_url)
    store = await _open_store(settings)
    try:
        await import_library_if_empty(store, settings.library_dir, settings.page_size)
        async with StoryBot(settings, store) as bot:
            await bot.start(token.reveal())
    finally:
        await store.close()


async def _import(settings: Settings, paths: list[Path]) -> int:
    missing = [path for path in paths if not path.exists()]
    if missing:
        raise ConfigError(f"no such file or folder: {missing[0]}")
    files = story_files(paths)
    store = await _open_store(settings)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Importing", total=len(files))

            def advance(result: FileImport) -> None:
                progress.advance(task)
                if result.error:
                    progress.console.print(
                        f"skipped: {result.error}", markup=False, highlight=False
                    )

            results = await import_files(
                store, files, page_size=settings.page_size, on_file=advance
            )
    finally:
        await store.close()
    _print_import_summary(results)
    return REJECTED if any(result.error for result in results) else OK


def _print_import_summary(results: list[FileImport]) -> None:
    table = Table(title="Import")
    for column in ("File", "Title", "Result", "Chapters", "Words"):
        table.add_column(column, justify="right" if column in ("Chapters", "Words") else "left")
    for result in results:
        outcome = result.outcome.value if result.outcome else "rejected"
        table.add_row(
            result.file.source_key or str(result.file.path),
            result.title,
            outcome,
            f"{result.chapters:,}",
            f"{result.words:,}",
        )
    saved = [result for result in results if result.outcome]
    table.add_section()
    table.add_row(
        f"{len(results)} files",
        f"{len(saved)} stories",
        f"{len(results) - len(saved)} rejected",
        f"{sum(result.chapters for result in saved):,}",
        f"{sum(result.words for result in saved):,}",
    )
    console.print(table)
    by_content = [str(result.file.path) for result in results if result.file.source_key is None]
    if by_content:
        _say(
            f"{len(by_content)} files share their path under folders of the same name, so each "
            f"is known by its content: {', '.join(by_content)}. Importing them again changes "
            "nothing, but a changed one is added as a new story; to keep them apart by path, "
            "import a folder that holds them all."
        )


async def _list(settings: Settings, *, guild_id: int | None, as_json: bool) -> int:
    store = await _open_store(settings)
    try:
        listed = await store.all_stories(guild_id)
    finally:
        await store.close()
    fields = ("title", "author", "guild_id", "rating", "chapter_count", "word_count", "status")
    if as_json:
        rows = [
            {key: value for key, value in asdict(entry.story).items() if key in fields}
            | {"removed": entry.removed}
            for entry in listed
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return OK
    where = f"Server {guild_id}" if guild_id is not None else "Library"
    table = Table(title=f"{where}: {len(listed)} stories")
    for column in ("Title", "Author", "Server", "Rating", "Chapters", "Words", "Status", "Removed"):
        table.add_column(column, justify="right" if column in ("Chapters", "Words") else "left")
    for entry in listed:
        story = entry.story
        table.add_row(
            story.title,
            story.author,
            "bundled" if story.guild_id is None else str(story.guild_id),
            story.rating.value,
            f"{story.chapter_count:,}",
            f"{story.word_count:,}",
            story.status.value,
            "removed" if entry.removed else "",
        )
    console.print(table)
    return OK


async def _check(settings: Settings) -> int:
    """Every part on its own line, going on past what is wrong; the exit code says the worst."""
    for name, value in describe(settings):
        _say(f"{name}: {value}")
    if settings.database_url is None:
        findings = await check_file(settings.database_path)
    else:
        from bot.store.postgres import check_database

        findings = await check_database(settings.database_url.reveal())
    _say_findings(findings)
    _say("token: set" if settings.discord_token else "token: missing (put DISCORD_TOKEN in .env)")
    if not all(finding.ok for finding in findings):
        return DAMAGED
    return OK if settings.discord_token else USAGE


async def _copy_library(settings: Settings, target: str) -> int:
    """Copy the library at DATABASE_PATH into the empty PostgreSQL database at `target`."""
    from bot.store.copying import CopyMismatch, TargetNotEmpty, copy_library

    if not target.startswith(("postgresql://", "postgres://")):
        raise ConfigError("--to must be a PostgreSQL URL such as postgresql://user@host/storybot.")
    source = settings.database_path
    if not source.is_file():
        raise ConfigError(f"there is no library at {source} to copy.")
    try:
        copied = await copy_library(source, target)
    except TargetNotEmpty as error:
        raise ConfigError(f"{error}: copy into an empty database.") from None
    except CopyMismatch as error:
        errors.print(f"storybot: nothing was copied: {error}", markup=False, highlight=False)
        return DAMAGED
    table = Table(title=f"Copied to {shown_url(target)}")
    table.add_column("Table")
    table.add_column("Rows", justify="right")
    for name, rows in copied:
        table.add_row(name, f"{rows:,}")
    console.print(table)
    _say(f"Set DATABASE_URL={shown_url(target)} (with its password) to run the bot on it.")
    return OK


async def _stats(settings: Settings, guild_id: int | None, days: int, png: Path | None) -> int:
    from bot.library import charts  # matplotlib only when it is used

    refusal = charts.days_refusal(days)
    if refusal or (png and guild_id is None):
        errors.print(f"storybot: {refusal or '--png needs --guild'}", markup=False)
        return USAGE
    store = await _open_store(settings)
    try:
        guilds = [guild_id] if guild_id is not None else await store.reading_servers(days)
        figures = [(guild, await store.library_stats(guild, days)) for guild in guilds]
    finally:
        await store.close()
    if not figures:
        _say(f"Nothing was read in any server in the last {days:,} days.")
    for guild, stats in figures:
        _say(f"Server {guild}")
        _say(charts.library_summary(stats).replace("**", ""))
    if png:
        chart = await asyncio.to_thread(charts.library_chart, figures[0][1])
        await asyncio.to_thread(png.write_bytes, chart)
        _say(f"The chart is in {png}.")
    return OK


def _backup(settings: Settings, target: Path, *, force: bool) -> int:
    """Copy the database to `target` and check the copy; an existing file only with --force."""
    if settings.database_url is not None:
        raise ConfigError(
            "backup copies the SQLite file; back up a PostgreSQL library with pg_dump."
        )
    source = settings.database_path
    if not source.is_file():
        raise ConfigError(f"there is no database at {source} to back up.")
    if not target.parent.is_dir():
        raise ConfigError(f"no such folder: {target.parent}")
    if target.exists() and target.resolve() == source.resolve():
        raise ConfigError("the backup must go to another file than the database itself.")
    if target.exists() and not force:
        raise ConfigError(f"{target} already exists: give --force to replace it.")
    findings = asyncio.run(back_up(source, target))
    _say_findings(findings)
    if not all(finding.ok for finding in findings):
        errors.print(
            f"storybot: the copy is damaged, so it was not saved as {target}: "
            "run check on the database.",
            markup=False,
            highlight=False,
        )
        return DAMAGED
    _say(f"backup: {target}")
    return OK


def _say_findings(findings: list[Finding]) -> None:
    for finding in findings:
        _say(f"{finding.part}: {finding.verdict}")


def _say(line: str) -> None:
    console.print(line, markup=False, highlight=False, soft_wrap=True)


if __name__ == "__main__":
    sys.exit(main())
