"""End-to-end tests of the Discord stand-in itself, driving a small bare discord.py bot."""

from __future__ import annotations

import asyncio
import io
import json
import re
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from standin.fixtures import running
from standin.limits import COMPONENTS_V2
from standin.server import ATTACHMENT_SIZE_LIMIT, Standin
from standin.world import Guild, World, on_shard

STORIES = ["Prom Night", "Prologue", "Winter Tale"]


class NextPage(discord.ui.DynamicItem[discord.ui.Button], template=r"page:(?P<page>\d+)"):
    """A page button that keeps its state in its custom_id, so it outlives the view."""

    def __init__(self, page: int) -> None:
        super().__init__(discord.ui.Button(label="Next", emoji="➡️", custom_id=f"page:{page}"))
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> NextPage:
        return cls(int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        page = self.page + 1
        view = discord.ui.View().add_item(NextPage(page))
        await interaction.response.edit_message(
            content=f"page {page} for {interaction.user.name}", view=view
        )


def _where(interaction: discord.Interaction) -> str:
    """Where an interaction came from and which installs authorized it, as the bot sees it."""
    context = interaction.context
    place = "server" if context.guild else "bot DM" if context.dm_channel else "private channel"
    return (
        f"{place}; by your install: {interaction.is_user_integration()}; "
        f"by the server's: {interaction.is_guild_integration()}"
    )


class Where(discord.ui.DynamicItem[discord.ui.Button], template=r"where"):
    """Says where its own click came from."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="Where?", custom_id="where"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str]
    ) -> Where:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(content=_where(interaction))


class Chapters(discord.ui.View):
    @discord.ui.select(
        options=[discord.SelectOption(label=f"Chapter {n}", value=str(n)) for n in (1, 2, 3)]
    )
    async def choose(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.edit_message(content=f"chapter {select.values[0]}", view=None)


class GoToPage(discord.ui.Modal, title="Go to page"):
    page: discord.ui.TextInput = discord.ui.TextInput(label="Page", max_length=4)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"going to page {self.page.value}", ephemeral=True)


class Page(discord.ui.LayoutView):
    """A reader's page in components v2: a container of text, a separator, a row with a
    button and a row with a select, then a section whose accessory is a button."""

    def __init__(self, page: int, reader: str) -> None:
        super().__init__()
        self.page = page
        turn = discord.ui.Button(label="Next", custom_id=f"v2-next:{page}")
        turn.callback = self.turn  # type: ignore[method-assign]
        options = [discord.SelectOption(label=f"Page {n}", value=str(n)) for n in (1, 2, 3)]
        self.jump: discord.ui.Select[Page] = discord.ui.Select(custom_id="v2-jump", options=options)
        self.jump.callback = self.go  # type: ignore[method-assign]
        plain = discord.ui.Button(label="Plain", custom_id="v2-plain")
        plain.callback = self.plain  # type: ignore[method-assign]
        self.add_item(
            discord.ui.Container(
                discord.ui.TextDisplay(f"## Prom Night, page {page}"),
                discord.ui.TextDisplay(f"for {reader}"),
                discord.ui.Separator(spacing=discord.SeparatorSpacing.large),
                discord.ui.ActionRow(turn),
                discord.ui.ActionRow(self.jump),
                accent_colour=0x5865F2,
            )
        )
        self.add_item(discord.ui.Section("Rather read it plain?", accessory=plain))

    async def turn(self, interaction: discord.Interaction) -> None:
        await interaction.response.edit_message(view=Page(self.page + 1, interaction.user.name))

    async def go(self, interaction: discord.Interaction) -> None:
        page = int(self.jump.values[0])
        await interaction.response.edit_message(view=Page(page, interaction.user.name))

    async def plain(self, interaction: discord.Interaction) -> None:
        """Tries to turn the page back into a message of content, which Discord refuses."""
        try:
            await interaction.response.edit_message(
                content="plain again", view=discord.ui.View(), suppress_embeds=False
            )
        except discord.HTTPException as error:
            await interaction.response.send_message(f"refused {error.code}", ephemeral=True)


class Files(app_commands.Group):
    """Work with uploaded files."""

    @app_commands.command()
    @app_commands.describe(file="The file to measure")
    async def size(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        """Measure an uploaded file."""
        await interaction.response.defer(thinking=True)
        data = await file.read()
        await interaction.edit_original_response(content=f"{file.filename}: {len(data)} bytes")

    @app_commands.command()
    @app_commands.describe(size="How many bytes the file has")
    async def send(self, interaction: discord.Interaction, size: int) -> None:
        """Send a file of this many bytes."""
        await interaction.response.defer(thinking=True)
        try:
            await interaction.followup.send(file=discord.File(io.BytesIO(b"x" * size), "big.txt"))
        except discord.HTTPException as error:
            await interaction.followup.send(f"refused: {error.status} {error.code}")


def make_bot(standin: Standin) -> commands.Bot:
    """A bare bot with one command per stand-in feature; "club" is a Story Club command."""
    bot = commands.Bot(
        command_prefix=commands.when_mentioned,
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    tree = bot.tree
    tree.add_command(Files(name="files"))

    @tree.command()
    async def hello(interaction: discord.Interaction) -> None:
        """A message with an embed and a button."""
        embed = discord.Embed(title="Prom Night", description="It was late.")
        view = discord.ui.View().add_item(NextPage(1))
        await interaction.response.send_message("page 1", embed=embed, view=view)

    @tree.command()
    @app_commands.describe(deferred="Think first, then edit the answer and follow up")
    async def layout(interaction: discord.Interaction, deferred: bool = False) -> None:
        """A page in components v2."""
        reader = interaction.user.name
        if not deferred:
            await interaction.response.send_message(view=Page(1, reader))
            return
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(view=Page(1, reader))
        await interaction.followup.send(view=Page(2, reader))
        try:
            await interaction.edit_original_response(content="plain again")
        except discord.HTTPException as error:
            await interaction.followup.send(f"refused {error.code}")

    @tree.command()
    async def chapters(interaction: discord.Interaction) -> None:
        """A select menu of chapters."""
        await interaction.response.send_message("pick one", view=Chapters())

    @tree.command()
    async def goto(interaction: discord.Interaction) -> None:
        """A modal asking for a page."""
        await interaction.response.send_modal(GoToPage())

    @tree.command()
    @app_commands.describe(story="The story to read")
    async def find(interaction: discord.Interaction, story: str) -> None:
        """Autocomplete of story titles."""
        await interaction.response.send_message(f"reading {story}")

    @find.autocomplete("story")
    async def _stories(interaction: discord.Interaction, typed: str) -> list[app_commands.Choice]:
        found = [s for s in STORIES if s.lower().startswith(typed.lower())]
        return [app_commands.Choice(name=s, value=s) for s in found]

    @tree.command()
    async def whisper(interaction: discord.Interaction) -> None:
        """DM the user."""
        try:
            await interaction.user.send("psst")
        except discord.Forbidden as error:
            await interaction.response.send_message(f"cannot DM you ({error.code})")
        else:
            await interaction.response.send_message("sent", ephemeral=True)

    @tree.command()
    @app_commands.describe(channel="Where to post", text="What to post")
    async def post(
        interaction: discord.Interaction, channel: discord.TextChannel, text: str
    ) -> None:
        """Post to a channel."""
        try:
            await channel.send(text)
        except discord.HTTPException as error:
            await interaction.response.send_message(f"failed {error.status} {error.code}")
        else:
            await interaction.response.send_message("posted", ephemeral=True)

    @tree.command()
    async def lifecycle(interaction: discord.Interaction) -> None:
        """Original response and follow-up: send, get, edit, delete."""
        await interaction.response.send_message("first")
        original = await interaction.original_response()
        second = await interaction.followup.send("second", wait=True)
        await second.edit(content="second, edited")
        await interaction.edit_original_response(content=f"{original.content}, edited")
        await interaction.delete_original_response()
        await interaction.followup.send(f"original was {original.content!r}")

    @tree.command()
    @app_commands.default_permissions(manage_guild=True)
    async def settings(interaction: discord.Interaction) -> None:
        """Only for those who can manage the server."""
        await interaction.response.send_message("settings")

    @tree.command(guild=discord.Object(standin.world.guild("Story Club").id))
    async def club(interaction: discord.Interaction) -> None:
        """A command registered in Story Club only."""
        await interaction.response.send_message(f"club {interaction.guild}")

    @tree.command()
    async def twice(interaction: discord.Interaction) -> None:
        """Acknowledges twice, as two racing handlers would."""
        send = interaction.response.send_message
        await asyncio.gather(send("one"), send("two"), return_exceptions=True)

    @tree.command()
    async def slow(interaction: discord.Interaction) -> None:
        """Answers after the stand-in's deadline."""
        await asyncio.sleep(standin.response_deadline + 0.1)
        await interaction.response.send_message("too late")

    @tree.command()
    async def early(interaction: discord.Interaction) -> None:
        """Follows up before acknowledging."""
        with pytest.raises(discord.NotFound):
            await interaction.followup.send("too early")
        await interaction.response.send_message("ok")

    @tree.command()
    async def huge(interaction: discord.Interaction) -> None:
        """Posts an embed over Discord's limits."""
        assert isinstance(interaction.channel, discord.TextChannel)
        try:
            await interaction.channel.send(embed=discord.Embed(title="x" * 300))
        except discord.HTTPException as error:
            await interaction.response.send_message(f"rejected {error.code}")

    @tree.command()
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.describe(followups="How many follow-ups to send after trying the channel")
    async def anywhere(interaction: discord.Interaction, followups: int = 0) -> None:
        """Answers wherever an install reaches, then posts to the channel itself."""
        view = discord.ui.View().add_item(Where())
        await interaction.response.send_message(_where(interaction), view=view)
        assert interaction.channel is not None
        try:
            await interaction.channel.send("straight to the channel")  # type: ignore[union-attr]
        except discord.HTTPException as error:
            tried = f"the channel refused {error.code}"
        else:
            tried = "the channel took it"
        for number in range(1, followups + 1):
            try:
                await interaction.followup.send(f"{tried}; follow-up {number}")
            except discord.HTTPException as error:
                await interaction.edit_original_response(
                    content=f"follow-up {number} refused {error.code}"
                )

    @tree.command()
    @app_commands.allowed_installs(guilds=True, users=True)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def nearby(interaction: discord.Interaction) -> None:
        """User-installable, but not for DMs between users."""
        await interaction.response.send_message("nearby")

    @tree.command()
    async def shout(interaction: discord.Interaction) -> None:
        """Lets a ping through."""
        mentions = discord.AllowedMentions(everyone=True)
        await interaction.response.send_message("@everyone story time", allowed_mentions=mentions)

    async def setup_hook() -> None:
        bot.add_dynamic_items(NextPage, Where)
        await tree.sync()
        await tree.sync(guild=discord.Object(standin.world.guild("Story Club").id))

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    return bot


async def test_registration_is_recorded(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        registered = standin.commands()
        assert set(registered) == {
            "files", "hello", "layout", "chapters", "goto", "find", "whisper", "post", "lifecycle",
            "settings", "twice", "slow", "early", "huge", "anywhere", "nearby", "shout",
        }  # fmt: skip
        assert list(standin.commands("Story Club")) == ["club"]
        assert standin.commands("Other Club") == {}
        size = registered["files"]["options"][0]
        assert size["name"] == "size"
        assert size["options"][0]["description"] == "The file to measure"
        assert registered["hello"]["id"] != standin.commands("Story Club")["club"]["id"]
        assert standin.handshakes == ["IDENTIFY /ws"]


async def test_message_with_embed_and_button_is_updated_by_clicks(standin: Standin) -> None:
    reader, other = standin.user("reader"), standin.user("reader2")
    async with running(make_bot(standin), standin):
        reply = await reader.slash("hello")
        assert reply.text == "page 1\nProm Night\nIt was late."
        assert reply.embeds[0]["title"] == "Prom Night"
        assert not reply.ephemeral
        second = await reply.click("Next")
        assert second.content == "page 2 for reader"
        assert second.message is reply.message
        third = await second.click("➡️", as_user=other)
        assert third.content == "page 3 for reader2"
        assert standin.messages("general") == [reply.message]


async def test_select_updates_the_message(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        reply = await standin.user("reader").slash("chapters")
        chosen = await reply.select("Chapter 3")
        assert chosen.content == "chapter 3"
        assert chosen.components == []


async def test_modal_is_opened_and_submitted(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        reply = await standin.user("reader").slash("goto")
        assert reply.modal and reply.modal["title"] == "Go to page"
        assert reply.message is None
        answer = await reply.submit_modal({"Page": "5"})
        assert answer.content == "going to page 5"
        assert answer.ephemeral
        assert standin.messages("general") == []


async def test_autocomplete_suggests_and_the_choice_is_used(standin: Standin) -> None:
    reader = standin.user("reader")
    async with running(make_bot(standin), standin):
        choices = await reader.autocomplete("find", "story", "pro")
        assert [c["name"] for c in choices] == ["Prom Night", "Prologue"]
        reply = await reader.slash("find", story=choices[1]["value"])
        assert reply.content == "reading Prologue"


async def test_subcommand_downloads_attachment_in_deferred_answer(standin: Standin) -> None:
    story = standin.attachment("story.md", b"# Prom\n\nIt was late.")
    async with running(make_bot(standin), standin):
        reply = await standin.user("reader").slash("files size", file=story)
        assert reply.record.response_type == 5
        assert reply.content == f"story.md: {len(story.data)} bytes"
        assert reply.message and not reply.message.loading


async def test_a_file_over_the_upload_limit_is_refused_as_discord_refuses_it(
    standin: Standin,
) -> None:
    async with running(make_bot(standin), standin):
        reader = standin.user("reader")
        sent = await reader.slash("files send", size=ATTACHMENT_SIZE_LIMIT)
        refused = await reader.slash("files send", size=ATTACHMENT_SIZE_LIMIT + 1)
    assert sent.message is not None
    assert sent.message.attachments[0]["size"] == ATTACHMENT_SIZE_LIMIT
    assert refused.content == "refused: 413 40005"


async def test_original_response_and_followups(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        reply = await standin.user("reader").slash("lifecycle")
        last = await reply.followup(1)
        assert last.content == "original was 'first'"
        assert reply.followups[0].content == "second, edited"
        assert reply.message and reply.message.deleted
        assert reply.content == "first, edited"
        assert [m.content for m in standin.messages("general")] == ["second, edited", last.content]


async def test_dms_and_users_who_cannot_be_dmed(standin: Standin) -> None:
    standin.world.user("reader2").dms_open = False
    async with running(make_bot(standin), standin):
        reply = await standin.user("reader").slash("whisper")
        assert reply.content == "sent" and reply.ephemeral
        assert [m.content for m in standin.dms("reader")] == ["psst"]
        refused = await standin.user("reader2").slash("whisper")
        assert refused.content == "cannot DM you (50007)"
        in_dm = await standin.user("reader").slash("hello", where="dm")
        assert in_dm.message in standin.dms("reader")


async def test_channel_posts_and_missing_permissions(standin: Standin) -> None:
    moderator = standin.user("moderator")
    async with running(make_bot(standin), standin) as bot:
        reply = await moderator.slash("post", channel="announcements", text="Chapter 2 is out")
        assert reply.content == "posted"
        posted = await standin.wait_for_message("announcements")
        assert posted.content == "Chapter 2 is out"
        assert posted.allowed_mentions == {"parse": []}
        locked = await moderator.slash("post", channel="locked", text="hi")
        assert locked.content == "failed 403 50013"
        assert standin.messages("locked") == []
        with pytest.raises(discord.NotFound) as unknown:
            await bot.get_partial_messageable(1234).send("anyone?")
        assert unknown.value.code == 10003


async def test_commands_are_offered_only_where_discord_offers_them(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        with pytest.raises(AssertionError, match="lacks the permissions"):
            await standin.user("reader").slash("settings")
        assert (await standin.user("moderator").slash("settings")).content == "settings"
        assert (await standin.user("reader").slash("club")).content == "club Story Club"
        with pytest.raises(AssertionError, match="not registered for Other Club"):
            await standin.user("reader2", guild="Other Club").slash("club")
        with pytest.raises(AssertionError, match="no option 'chapter'"):
            await standin.user("reader").slash("find", story="Prom", chapter=2)


async def test_a_user_install_answers_between_users_only_through_the_interaction(
    standin: Standin,
) -> None:
    world = standin.world
    world.user("reader").installed_app = True
    between = world.private_channel("reader", "reader2")
    group = world.private_channel("reader", "reader2", "moderator")
    reader, friend = standin.user("reader"), standin.user("reader2")
    async with running(make_bot(standin), standin):
        reply = await reader.slash("anywhere", where=between)
        assert reply.content == "private channel; by your install: True; by the server's: False"
        clicked = await reply.click("Where?", as_user=friend)  # their click; reader's install
        assert clicked.content == "private channel; by your install: False; by the server's: False"
        clicked = await reply.click("Where?")
        assert clicked.content == "private channel; by your install: True; by the server's: False"
        tried = f"POST /channels/{between.id}/messages"
        await standin.until(lambda: tried in standin.requests, "the bot to post to the channel")
        assert standin.messages(between) == [reply.message]  # refused: the bot is not in it
        counted = await reader.slash("anywhere", where=group, followups=6)
        await standin.until(lambda: "refused" in counted.content, "the sixth follow-up")
        assert counted.content == "follow-up 6 refused 40094"
        assert [m.content for m in counted.followups] == [
            f"the channel refused 50001; follow-up {n}" for n in range(1, 6)
        ]
        in_server = await reader.slash("anywhere")
        assert in_server.content == "server; by your install: True; by the server's: True"
        posted = await standin.wait_for_message(
            "general", check=lambda m: m is not in_server.message
        )
        assert posted.content == "straight to the channel"  # a server's install may post there
        with pytest.raises(AssertionError, match="has not added the app"):
            await friend.slash("anywhere", where=between)
        with pytest.raises(AssertionError, match="offered here by no install"):
            await reader.slash("hello", where=between)
        with pytest.raises(AssertionError, match="cannot be used in DMs between users"):
            await reader.slash("nearby", where=between)
        with pytest.raises(AssertionError, match="moderator is not in it"):
            await standin.user("moderator").slash("anywhere", where=between)


async def test_rate_limits_are_retried(standin: Standin) -> None:
    reader = standin.user("reader")
    standin.fail("POST", "/channels/{id}/messages", 429, retry_after=0.05)
    standin.fail("POST", "/users/@me/channels", 429, retry_after=0.05, is_global=True)
    async with running(make_bot(standin), standin):
        assert (await reader.slash("post", channel="general", text="hi")).content == "posted"
        assert (await reader.slash("whisper")).content == "sent"
    general = standin.channel("general").id
    assert standin.requests.count(f"POST /channels/{general}/messages") == 2
    assert standin.requests.count("POST /users/@me/channels") == 2


async def test_server_and_client_errors(standin: Standin) -> None:
    reader = standin.user("reader")
    general = standin.channel("general").id
    async with running(make_bot(standin), standin):
        standin.fail("POST", f"/channels/{general}/messages", 500)
        assert (await reader.slash("post", channel="general", text="a")).content == "posted"
        standin.fail("POST", f"/channels/{general}/messages", 404, 10003)
        reply = await reader.slash("post", channel="general", text="b")
        assert reply.content == "failed 404 10003"
        standin.fail("POST", "/channels/{id}/messages", 403, 50013)
        reply = await reader.slash("post", channel="general", text="c")
        assert reply.content == "failed 403 50013"
        posted = [m.content for m in standin.messages("general")]
        assert posted == ["a", "failed 404 10003", "failed 403 50013"]


async def test_gateway_drop_is_resumed_and_missed_events_replayed(standin: Standin) -> None:
    reader = standin.user("reader")
    async with running(make_bot(standin), standin):
        await standin.drop_gateway()
        assert standin.handshakes == ["IDENTIFY /ws", "RESUME /resume"]
        await standin.gateway.drop(4000)
        reply = await reader.slash("hello")
        assert reply.content == "page 1"
        assert standin.handshakes[-1] == "RESUME /resume"


@pytest.mark.parametrize("compress", [None, "zlib-stream"])
async def test_gateway_speaks_plain_and_zlib_stream(standin: Standin, compress: str | None) -> None:
    inflate = zlib.decompressobj()
    query = {"v": "10", "encoding": "json"} | ({"compress": compress} if compress else {})
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(standin.gateway_url, params=query) as socket,
    ):

        async def receive() -> dict:
            message = await socket.receive()
            raw = inflate.decompress(message.data) if compress else message.data
            return json.loads(raw)

        hello = await receive()
        assert hello["op"] == 10
        await socket.send_json({"op": 2, "d": {"token": standin.world.token, "intents": 1}})
        ready = await receive()
        assert (ready["t"], ready["s"]) == ("READY", 1)
        assert [(await receive())["d"]["name"] for _ in range(2)] == ["Story Club", "Other Club"]
        await socket.send_json({"op": 1, "d": 3})
        assert (await receive())["op"] == 11


async def test_second_acknowledgement_is_a_violation(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        reply = await standin.user("reader").slash("twice")
        assert reply.content == "one"
        await standin.until(lambda: standin.violations, "the second acknowledgement")
    assert [v.kind for v in standin.violations] == ["double-ack"]
    standin.violations.clear()


async def test_late_first_response_is_a_violation(standin: Standin) -> None:
    standin.response_deadline = 0.2
    async with running(make_bot(standin), standin):
        with pytest.raises(AssertionError, match=r"did not acknowledge /slow within 0\.2 s"):
            await standin.user("reader").slash("slow")
        answered = lambda: any(r.endswith("/callback") for r in standin.requests)  # noqa: E731
        await standin.until(answered, "the late answer")
    assert [v.kind for v in standin.violations] == ["unanswered"]
    assert standin.messages("general") == []
    standin.violations.clear()


async def test_followup_before_acknowledging_is_a_violation(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        assert (await standin.user("reader").slash("early")).content == "ok"
    assert [v.kind for v in standin.violations] == ["unacknowledged"]
    standin.violations.clear()


async def test_embed_over_limits_is_refused_and_a_violation(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        assert (await standin.user("reader").slash("huge")).content == "rejected 50035"
    assert [v.kind for v in standin.violations] == ["invalid"]
    assert "embeds.0.title" in standin.violations[0].detail
    standin.violations.clear()


async def test_pings_are_violations(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        reply = await standin.user("reader").slash("shout")
        assert reply.content == "@everyone story time"
    assert [v.kind for v in standin.violations] == ["mentions"]
    standin.violations.clear()


async def test_unknown_routes_are_recorded(standin: Standin) -> None:
    async with running(make_bot(standin), standin) as bot:
        with pytest.raises(discord.NotFound):
            await bot.http.request(discord.http.Route("GET", "/nowhere"))
    assert standin.unknown_routes == ["GET /nowhere"]
    standin.unknown_routes.clear()


async def test_global_rate_limit(standin: Standin) -> None:
    standin.global_rate_limit = 2
    headers = {"Authorization": f"Bot {standin.world.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        answers = []
        for _ in range(3):
            async with session.get(standin.rest_url + "/users/@me") as response:
                answers.append((response.status, (await response.json()).get("global")))
        assert answers == [(200, None), (200, None), (429, True)]
        assert response.headers["X-RateLimit-Global"] == "true"


# Components v2: what discord.py's LayoutView sends is accepted, what Discord refuses is refused.


def text(content: str, **fields: Any) -> dict[str, Any]:
    return {"type": 10, "content": content, **fields}


def container(*components: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": 17, "components": list(components), **fields}


def section(*texts: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": 9, "components": list(texts), **fields}


def layout(*components: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"flags": COMPONENTS_V2, "components": list(components), **fields}


ROW = {"type": 1, "components": [{"type": 2, "style": 2, "label": "Next", "custom_id": "next"}]}
READ = {"type": 2, "style": 1, "label": "Read", "custom_id": "read"}
THUMBNAIL = {"type": 11, "media": {"url": "https://example.org/cover.png"}}
PAGE_1 = "## Prom Night, page 1\nfor {}\nRather read it plain?"


async def call(standin: Standin, method: str, path: str, body: Any) -> tuple[int, Any]:
    """A raw request of the bot's to the stand-in, for bodies discord.py would not build."""
    headers = {"Authorization": f"Bot {standin.world.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.request(method, standin.rest_url + path, json=body) as response,
    ):
        return response.status, await response.json()


def refusal(answer: dict[str, Any], path: str) -> list[str]:
    """The messages of a 50035 answer at `path` ("components.0.accessory")."""
    assert answer["code"] == 50035, answer
    node = answer["errors"]
    for key in path.split("."):
        assert key in node, f"no error at {path}: {answer['errors']}"
        node = node[key]
    return [error["message"] for error in node["_errors"]]


async def test_layout_page_is_read_and_used_through_containers_and_sections(
    standin: Standin,
) -> None:
    reader = standin.user("reader")
    async with running(make_bot(standin), standin):
        reply = await reader.slash("layout")
        assert reply.message and reply.message.data["flags"] & COMPONENTS_V2
        assert (reply.content, reply.embeds) == ("", [])
        assert reply.text == PAGE_1.format("reader")
        turned = await reply.click("Next")  # in an action row inside the container
        assert turned.message is reply.message
        assert turned.text.startswith("## Prom Night, page 2\n")
        jumped = await turned.select("Page 3", as_user=standin.user("reader2"))
        assert jumped.text.startswith("## Prom Night, page 3\nfor reader2\n")
        assert reply.message.data["flags"] & COMPONENTS_V2
        refused = await jumped.click("Plain")  # the accessory of a section
        assert refused.content == "refused 50035"
        assert reply.message.text.startswith("## Prom Night, page 3\n")
    [violation] = standin.violations
    assert "flags: The IS_COMPONENTS_V2 flag cannot be removed" in violation.detail
    assert "content: The 'content' field cannot be used" in violation.detail
    standin.violations.clear()


async def test_deferred_layout_answer_is_edited_and_followed_up(standin: Standin) -> None:
    async with running(make_bot(standin), standin):
        reply = await standin.user("reader").slash("layout", deferred=True)
        assert reply.message and not reply.message.loading
        assert reply.message.data["flags"] & COMPONENTS_V2
        assert reply.text == PAGE_1.format("reader")
        follow = await reply.followup(0)
        assert follow.data["flags"] & COMPONENTS_V2
        assert follow.text.startswith("## Prom Night, page 2\n")
        assert (await reply.followup(1)).content == "refused 50035"
        assert reply.text == PAGE_1.format("reader")
    [violation] = standin.violations
    assert "content: The 'content' field cannot be used" in violation.detail
    standin.violations.clear()


async def test_layout_messages_in_a_channel_keep_the_flag(standin: Standin) -> None:
    async with running(make_bot(standin), standin) as bot:
        channel = bot.get_partial_messageable(standin.channel("general").id)
        sent = await channel.send(view=Page(1, "everyone"))
        assert sent.flags.components_v2
        [posted] = standin.messages("general")
        assert posted.text == PAGE_1.format("everyone")
        with pytest.raises(discord.HTTPException, match="In content: The 'content' field"):
            await channel.send("page 1", view=Page(1, "everyone"))
        with pytest.raises(discord.HTTPException, match="In embeds: The 'embeds' field"):
            await channel.send(embed=discord.Embed(title="Prom Night"), view=Page(1, "everyone"))
        with pytest.raises(discord.HTTPException, match="In content: The 'content' field"):
            await sent.edit(content="plain again")
        edited = await sent.edit(view=Page(2, "everyone"))
        assert edited.flags.components_v2
        assert posted.text.startswith("## Prom Night, page 2\n")
        clicked = await standin.user("reader").click(posted, "Next")
        assert clicked.text.startswith("## Prom Night, page 3\nfor reader\n")
    assert [v.kind for v in standin.violations] == ["invalid"] * 3
    standin.violations.clear()


async def test_valid_layouts_are_accepted_up_to_the_limits(standin: Standin) -> None:
    general = f"/channels/{standin.channel('general').id}/messages"
    gallery = {"type": 12, "items": [{"media": {"url": "https://example.org/a.png"}}]}
    bodies = [
        layout(container(*[text(f"line {n}") for n in range(39)])),
        layout(text("a" * 2000, id=1), container(text("b" * 2000, id=2), id=3)),
        layout(
            section(text("Prom Night"), accessory=THUMBNAIL),
            section(text("by Kurt"), accessory={**READ, "id": 0}),
            {"type": 14, "divider": False, "spacing": 2},
            container(gallery, ROW, accent_color=0xFFFFFF, spoiler=True, id=0),
        ),
    ]
    for body in bodies:
        status, answer = await call(standin, "POST", general, body)
        assert status == 200, answer
        assert answer["flags"] == COMPONENTS_V2
    lines, full, mixed = (m.text for m in standin.messages("general"))
    assert lines == "\n".join(f"line {n}" for n in range(39))
    assert full == "a" * 2000 + "\n" + "b" * 2000
    assert mixed == "Prom Night\nby Kurt"


@pytest.mark.parametrize(
    ("body", "path"),
    [
        pytest.param(
            layout(text("page 1"), content="page 1"), "content", id="content beside the flag"
        ),
        pytest.param(
            layout(text("page 1"), embeds=[{"title": "Prom Night"}]),
            "embeds",
            id="embeds beside the flag",
        ),
        pytest.param(
            layout(text("page 1"), sticker_ids=["1"]), "sticker_ids", id="stickers beside the flag"
        ),
        pytest.param(
            {"components": [text("page 1")]}, "components.0", id="text display without the flag"
        ),
        pytest.param(
            {"components": [ROW, container(ROW)]}, "components.1", id="container without the flag"
        ),
        pytest.param(
            layout(section(text("a"), accessory=[READ, THUMBNAIL])),
            "components.0.accessory",
            id="two accessories",
        ),
        pytest.param(layout(section(text("a"))), "components.0.accessory", id="no accessory"),
        pytest.param(
            layout(section(text("a"), accessory=ROW)),
            "components.0.accessory",
            id="an action row as accessory",
        ),
        pytest.param(
            layout(section(*[text(str(n)) for n in range(4)], accessory=THUMBNAIL)),
            "components.0.components",
            id="four texts in a section",
        ),
        pytest.param(
            layout(container(*[text(f"line {n}") for n in range(40)])),
            "components",
            id="41 components",
        ),
        pytest.param(
            layout(text("a" * 2000), container(text("b" * 2001))),
            "components",
            id="4001 characters of text",
        ),
        pytest.param(
            layout(container({"type": 1, "components": [text("a")]})),
            "components.0.components.0.components.0",
            id="text display in an action row",
        ),
        pytest.param(
            layout(container(container(text("a")))),
            "components.0.components.0",
            id="container in a container",
        ),
        pytest.param(layout(THUMBNAIL), "components.0", id="thumbnail outside a section"),
        pytest.param(layout(container()), "components.0.components", id="empty container"),
        pytest.param(
            layout(container(text("a"), accent_color=0x1000000)),
            "components.0.accent_color",
            id="accent colour over 0xFFFFFF",
        ),
        pytest.param(layout({"type": 14, "spacing": 3}), "components.0.spacing", id="spacing 3"),
        pytest.param(
            layout({"type": 14, "divider": "yes"}),
            "components.0.divider",
            id="divider not a boolean",
        ),
        pytest.param(
            layout(section(text("a"), accessory={"type": 11, "media": {}})),
            "components.0.accessory.media.url",
            id="thumbnail without url",
        ),
        pytest.param(
            layout(section(text("a"), accessory={**THUMBNAIL, "description": "a" * 1025})),
            "components.0.accessory.description",
            id="alt text over 1024",
        ),
        pytest.param(layout({"type": 12, "items": []}), "components.0.items", id="empty gallery"),
        pytest.param(layout(text("")), "components.0.content", id="empty text display"),
        pytest.param(
            layout({"type": 13, "file": {"url": "https://example.org/a.txt"}}),
            "components.0.file.url",
            id="file not an attachment",
        ),
        pytest.param(
            layout(text("a", id=7), container(text("b", id=7))),
            "components.1.components.0.id",
            id="duplicate ids",
        ),
        pytest.param(layout(text("a", id=2**31)), "components.0.id", id="id over 32 bits"),
    ],
)
async def test_invalid_layouts_are_refused_naming_the_path(
    standin: Standin, body: dict[str, Any], path: str
) -> None:
    status, answer = await call(standin, "POST", f"/channels/{standin.channel().id}/messages", body)
    assert status == 400
    assert refusal(answer, path)
    assert standin.messages("general") == []
    assert [v.kind for v in standin.violations] == ["invalid"]
    standin.violations.clear()


async def test_edits_keep_the_flag_and_may_add_it_to_a_message_emptied_of_content(
    standin: Standin,
) -> None:
    general = f"/channels/{standin.channel('general').id}/messages"
    _, v2 = await call(standin, "POST", general, layout(text("page 1")))
    _, plain = await call(standin, "POST", general, {"content": "page 1", "components": [ROW]})
    refused = [
        (v2, {"flags": 0}, "flags"),
        (v2, {"flags": 1 << 2, "components": [ROW]}, "flags"),
        (v2, {"content": "page 1"}, "content"),
        (v2, {"components": [container()]}, "components.0.components"),
        (plain, {"components": [text("page 2")]}, "components.0"),
        (plain, layout(text("page 2")), "content"),
    ]
    for message, body, path in refused:
        status, answer = await call(standin, "PATCH", f"{general}/{message['id']}", body)
        assert status == 400
        assert refusal(answer, path)
    assert [m.text for m in standin.messages("general")] == ["page 1", "page 1"]
    status, answer = await call(
        standin, "PATCH", f"{general}/{plain['id']}", layout(text("page 2"), content=None)
    )
    assert status == 200
    assert (answer["flags"], answer["content"]) == (COMPONENTS_V2, "")
    status, answer = await call(standin, "PATCH", f"{general}/{v2['id']}", {"components": [ROW]})
    assert status == 200
    assert answer["flags"] == COMPONENTS_V2
    assert [v.kind for v in standin.violations] == ["invalid"] * len(refused)
    standin.violations.clear()


async def test_pings_in_text_displays_are_violations(standin: Standin) -> None:
    general = f"/channels/{standin.channel('general').id}/messages"
    status, _ = await call(standin, "POST", general, layout(container(text("@everyone page 1"))))
    assert status == 200
    assert [v.kind for v in standin.violations] == ["mentions"]
    standin.violations.clear()


async def test_a_message_sent_again_with_its_nonce_is_the_one_made_first(standin: Standin) -> None:
    general = standin.channel("general")
    async with running(make_bot(standin), standin) as bot:
        channel = bot.get_partial_messageable(general.id)
        standin.fail("POST", "/channels/{id}/messages", 503, lost=True)
        with pytest.raises(discord.DiscordServerError):
            await channel.send("made, but its answer is lost", nonce=42)
        again = await channel.send("made, but its answer is lost", nonce=42)
        other = await channel.send("another", nonce=43)
        unchecked = await channel.send("another")  # discord.py's own nonce: a new message
    first, second, third = standin.messages("general")
    assert (again.id, other.id, unchecked.id) == (first.id, second.id, third.id)
    assert [m.content for m in (first, second, third)] == [again.content, "another", "another"]


# Sharding: a bot run as two processes, shard 0 of 2 and shard 1, on the stand-in at once.


class ShardProcess(commands.AutoShardedBot):
    """One process of a bot sharded in two: it runs shard `shard_id` only, notes where each
    interaction it is sent comes from, and answers `/shard` with its shard."""

    def __init__(self, shard_id: int) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
            shard_count=2,
            shard_ids=[shard_id],
        )
        self.heard: list[str] = []

        @self.tree.command()
        async def shard(interaction: discord.Interaction) -> None:
            """Says which shard heard it."""
            await interaction.response.send_message(f"shard {shard_id}")

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.heard.append(interaction.guild.name if interaction.guild else "DM")

    async def setup_hook(self) -> None:
        await self.tree.sync()


def split_in_two(world: World) -> None:
    """Story Club on shard 0 of 2, Other Club on shard 1."""
    world.guild("Story Club").id = on_shard(0, 2)
    world.guild("Other Club").id = on_shard(1, 2)


@asynccontextmanager
async def both_shards(standin: Standin) -> AsyncIterator[tuple[ShardProcess, ShardProcess]]:
    """The world split in two, and a process running each shard."""
    split_in_two(standin.world)
    first, second = ShardProcess(0), ShardProcess(1)
    async with running(first, standin), running(second, standin):
        yield first, second


FRAME_WAIT = aiohttp.ClientWSTimeout(ws_receive=2)
"""How long a hand-made connection waits for a frame: one that never comes fails the test."""


@asynccontextmanager
async def raw_gateway(
    standin: Standin, **identify: Any
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A gateway connection made by hand, past HELLO and an IDENTIFY with these fields."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(standin.gateway_url, timeout=FRAME_WAIT) as socket,
    ):
        assert (await socket.receive_json())["op"] == 10
        token = standin.world.token
        await socket.send_json({"op": 2, "d": {"token": token, "intents": 1, **identify}})
        yield socket


async def test_each_shard_is_sent_only_its_guilds(standin: Standin) -> None:
    async with both_shards(standin) as (first, second):
        assert [guild.name for guild in first.guilds] == ["Story Club"]
        assert [guild.name for guild in second.guilds] == ["Other Club"]
    assert standin.handshakes == ["IDENTIFY /ws [0, 2]", "IDENTIFY /ws [1, 2]"]


async def test_an_interaction_in_a_guild_goes_only_to_its_shard(standin: Standin) -> None:
    async with both_shards(standin) as (first, second):
        far = standin.user("reader2", guild="Other Club")
        assert (await far.slash("shard")).content == "shard 1"
        assert (await standin.user("reader").slash("shard")).content == "shard 0"
    assert (first.heard, second.heard) == (["Story Club"], ["Other Club"])


async def test_an_interaction_in_a_dm_goes_only_to_shard_0(standin: Standin) -> None:
    async with both_shards(standin) as (first, second):
        assert (await standin.user("reader2").slash("shard", where="dm")).content == "shard 0"
    assert (first.heard, second.heard) == (["DM"], [])


async def test_the_global_rate_limit_counts_every_process_of_the_token(standin: Standin) -> None:
    reader = standin.world.user("reader")
    async with both_shards(standin) as (first, second):
        standin.global_rate_limit = 2
        await first.fetch_user(reader.id)
        await first.fetch_user(reader.id)
        await second.fetch_user(reader.id)  # answered 429 (global), tried again after it
    assert standin.requests.count(f"GET /users/{reader.id}") == 4


async def test_sessions_on_one_shard_are_each_sent_its_events(standin: Standin) -> None:
    split_in_two(standin.world)
    other = standin.world.guild("Other Club")
    async with (
        raw_gateway(standin, shard=[1, 2]) as one,
        raw_gateway(standin, shard=[1, 2]) as again,
        raw_gateway(standin, shard=[0, 2]) as zero,
    ):
        for socket in (one, again, zero):
            ready = await socket.receive_json()
            assert ready["t"] == "READY" and len(ready["d"]["guilds"]) == 1
            assert (await socket.receive_json())["t"] == "GUILD_CREATE"
        typing = {"channel_id": str(other.channel("general").id), "user_id": "1"}
        await standin.gateway.dispatch("TYPING_START", typing | {"guild_id": str(other.id)})
        await standin.gateway.dispatch("TYPING_START", typing)  # no guild: shard 0's
        heard = [(await socket.receive_json())["d"].get("guild_id") for socket in (one, again)]
        assert heard == [str(other.id)] * 2
        assert "guild_id" not in (await zero.receive_json())["d"]


async def test_a_shard_beyond_the_count_is_refused_with_4010(standin: Standin) -> None:
    with pytest.raises(discord.ConnectionClosed) as closed:
        async with running(ShardProcess(2), standin):
            pass
    assert closed.value.code == 4010
    assert standin.gateway.sessions == []


async def test_a_session_that_would_hold_too_many_guilds_is_refused_with_4011(
    standin: Standin,
) -> None:
    world = standin.world
    world.guilds_per_shard = 1
    split_in_two(world)
    async with raw_gateway(standin) as unsharded:
        closing = await unsharded.receive()
        assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, 4011)
    async with raw_gateway(standin, shard=[1, 2]) as sharded:
        ready = await sharded.receive_json()
        assert ready["d"]["shard"] == [1, 2]
        assert ready["d"]["guilds"] == [
            {"id": str(world.guild("Other Club").id), "unavailable": True}
        ]


async def test_gateway_bot_recommends_the_worlds_shards_and_counts_session_starts(
    standin: Standin,
) -> None:
    standin.world.shards = 3
    _, before = await call(standin, "GET", "/gateway/bot", None)
    async with raw_gateway(standin) as socket:
        assert (await socket.receive_json())["t"] == "READY"
        _, after = await call(standin, "GET", "/gateway/bot", None)
    assert (before["url"], before["shards"]) == (standin.gateway_url, 3)
    limit = before["session_start_limit"]
    assert (limit["total"], limit["remaining"], limit["max_concurrency"]) == (1000, 1000, 1)
    assert 0 < limit["reset_after"] <= 24 * 60 * 60 * 1000
    assert after["session_start_limit"]["remaining"] == 999
    standin.world.guilds += [Guild(f"Club {n}", channels=[], members={}) for n in range(2600)]
    _, many = await call(standin, "GET", "/gateway/bot", None)
    assert many["shards"] == 3  # a shard for each 1,000 guilds or part of them
