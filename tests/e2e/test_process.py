"""`python -m bot run` as the host starts it, pointed at the stand-in by configuration only."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from standin.server import Standin
from tests.conftest import REPO, SAMPLE_LIBRARY, reader_page


async def test_run_imports_the_samples_on_first_start_and_answers(
    standin: Standin, tmp_path: Path
) -> None:
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    env |= {
        "PYTHONPATH": str(REPO),
        "DISCORD_TOKEN": standin.world.token,
        "DATABASE_PATH": str(tmp_path / "storybot.db"),
        "LIBRARY_DIR": str(SAMPLE_LIBRARY),
        "DISCORD_REST_URL": standin.rest_url,
        "DISCORD_GATEWAY_URL": standin.gateway_url,
    }
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await standin.until(lambda: standin.gateway.sessions, "the bot to connect", 20)
        reply = await standin.user("reader").slash("read", story="We Keep Dancing")
        assert reader_page(reply).title == "We Keep Dancing"
    finally:
        bot.terminate()
        output = (await bot.communicate())[0].decode()
    assert "importing 3 files" in output
    assert standin.world.token not in output
