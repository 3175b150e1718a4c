"""/submit, /review and /mywork: members publish their own stories, and moderators review them.

A member the server allows (`/settings submissions`) submits a file as a moderator uploads one,
with the same preview; the submission then waits in the server's queue, in the database, until
a moderator approves it (it is published, announced and notified as an upload), rejects it or
asks for changes. Its author is told either way. A trusted writer's new chapters skip the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.access import Changer
from bot.errors import ONLY_MODERATORS, UserFacingError
from bot.library.model import StoryDraft
from bot.library.pages import paginate
from bot.library.render import chapter_span, escape, plural, render_prose, shorten
from bot.moderation import is_moderator, moderators_only
from bot.store import (
    NEWS,
    AlreadyDecided,
    GuildSettings,
    Page,
    Preferences,
    Submission,
    SubmissionState,
)
from bot.store.settings import Submitters
from bot.ui import limits
from bot.ui.items import ReportingModal, StatefulItem, StatelessLayout, StatelessView, number
from bot.ui.lookup import server_of
from bot.ui.notices import tell_member
from bot.ui.reader import PagePart, page_text
from bot.ui.uploading import (
    FILE_OPTIONS,
    RATING_CHOICES,
    UploadPreview,
    preview_embed,
    read_story_file,
)

if TYPE_CHECKING:
    from bot.app import StoryBot

_DAY = timedelta(days=1)


def may_not_submit(settings: GuildSettings, member: discord.Member) -> str | None:
    """Why the member may not submit here, naming who can allow it; None if they may."""
    if settings.submissions is Submitters.NOBODY:
        return (
            "This server does not take members' stories. Its moderators can open submissions "
            "with `/settings submissions`."
        )
    if settings.submissions is Submitters.WRITERS and not any(
        role.id == settings.writer_role_id for role in member.roles
    ):
        return (
            f"Only members with <@&{settings.writer_role_id}> can submit stories here; ask a "
            "moderator for the role."
        )
    return None


def queue_line(submission: Submission) -> str:
    """One submission as the review queue lists it."""
    what = (
        "new story"
        if submission.new_story
        else f"{plural(submission.chapter_count, 'new chapter')} of a story of theirs"
    )
    submitted = int(datetime.fromisoformat(submission.submitted_at).timestamp())
    return (
        f"**#{submission.id} “{escape(shorten(submission.title, 80))}”** by "
        f"<@{submission.author_id}>: {what}, {plural(submission.word_count, 'word')}, "
        f"{submission.rating.value}, sent <t:{submitted}:R>"
    )


@dataclass(frozen=True)
class DraftPage:
    """Page `number` of a draft, across all its chapters, as a moderator reads it."""

    number: int
    count: int
    chapter: int
    """The draft's chapter it is in, from 1."""
    text: str


def draft_page(draft: StoryDraft, wanted: int, page_size: int) -> DraftPage:
    """Page `wanted` of the draft (the last if beyond), its pages cut as the library cuts
    them."""
    pages = [
        (index, start, end)
        for index, chapter in enumerate(draft.chapters, 1)
        for start, end in paginate(chapter.text, page_size)
    ]
    number = min(max(wanted, 1), len(pages))
    chapter, start, end = pages[number - 1]
    return DraftPage(number, len(pages), chapter, draft.chapters[chapter - 1].text[start:end])


def review_view(submission: Submission, draft: StoryDraft, shown: DraftPage) -> StatelessLayout:
    """A submission's page as its reviewer reads it, with the buttons to turn its pages and to
    decide on it. The page is set as readers will see it, notes and all."""
    chapter = draft.chapters[shown.chapter - 1]
    page = Page(
        story_id=0,
        story_title=draft.title,
        author=submission.author_name,
        rating=submission.rating,
        status=draft.status,
        guild_id=submission.guild_id,
        chapter_count=len(draft.chapters),
        story_pages=shown.count,
        chapter_number=shown.chapter,
        chapter_title=chapter.title,
        number=shown.number,
        page_count=shown.count,
        pages_before=0,
        text=shown.text,
        notes_before=chapter.notes_before,
        notes_after=chapter.notes_after,
        nearby_chapters=(),
        preferences=Preferences(),
    )
    title = f"## {render_prose(draft.title)}"
    about = f"-# {queue_line(submission)}"
    footer = (
        f"-# submission #{submission.id} · page {shown.number} of {shown.count} · "
        f"chapter {shown.chapter} of {len(draft.chapters)}"
    )
    room = limits.LAYOUT_TEXT - len(title) - len(about) - len(footer)
    text = page_text(PagePart(page, 1, 1, shown.text), room)
    card: discord.ui.Container[Any] = discord.ui.Container(
        discord.ui.TextDisplay(title),
        discord.ui.TextDisplay(about),
        discord.ui.TextDisplay(text),
        discord.ui.Separator(),
        discord.ui.TextDisplay(footer),
        accent_colour=discord.Colour.blurple(),
    )
    ident = submission.id
    turns: discord.ui.ActionRow[Any] = discord.ui.ActionRow(
        ReviewButton.make("page", ident, shown.number - 1, "◀ Back", shown.number == 1),
        ReviewButton.make("page", ident, shown.number + 1, "Next ▶", shown.number == shown.count),
    )
    decide: discord.ui.ActionRow[Any] = discord.ui.ActionRow(
        ReviewButton.make("approve", ident, shown.number, "Approve", style=_GREEN),
        ReviewButton.make("reject", ident, shown.number, "Reject…", style=_RED),
        ReviewButton.make("changes", ident, shown.number, "Ask for changes…"),
    )
    return StatelessLayout(card, turns, decide)


_GREEN, _RED = discord.ButtonStyle.success, discord.ButtonStyle.danger


async def tell_author(bot: StoryBot, submission: Submission, text: str) -> None:
    """Tell a submission's author how it went (/mywork shows it too)."""
    await tell_member(bot, submission.guild_id, submission.author_id, text)


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])


async def own_story_autocomplete(
    interaction: discord.Interaction[StoryBot], current: str
) -> list[app_commands.Choice[str]]:
    """The member's own published stories here whose title holds what they typed."""
    typed = current.strip().lower()
    works = await interaction.client.store.authors_stories(
        server_of(interaction), interaction.user.id
    )
    return [
        app_commands.Choice(name=shorten(work.title, limits.CHOICE_NAME), value=str(work.id))
        for work, _ in works
        if typed in work.title.lower()
    ][: limits.CHOICES]


async def own_story(interaction: discord.Interaction[StoryBot], value: str) -> tuple[int, str]:
    """(id, title) of the member's own story here that `value` names, or a reply saying why
    not."""
    works = await interaction.client.store.authors_stories(
        server_of(interaction), interaction.user.id
    )
    for work, _ in works:
        if value == str(work.id) or value.strip().lower() == work.title.lower():
            return work.id, work.title
    raise UserFacingError(
        f"You have no story called “{escape(shorten(value, 80))}” here: you can add chapters "
        "only to your own published stories."
    )


class Submissions(commands.Cog):
    """Members' own stories: submitting, reviewing, and an author's list of their works."""

    def __init__(self, bot: StoryBot):
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ReviewButton, ReviewSelect)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ReviewButton, ReviewSelect)

    @app_commands.command(name="submit")
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    @app_commands.describe(
        file="Your story: .txt, .md, .html (AO3 download) or .epub",
        story="Add the file's chapters to this story of yours instead of making a new one",
        **FILE_OPTIONS,
    )
    @app_commands.choices(rating=RATING_CHOICES)
    @app_commands.autocomplete(story=own_story_autocomplete)
    async def submit(
        self,
        interaction: discord.Interaction[StoryBot],
        file: discord.Attachment,
        story: str | None = None,
        title: app_commands.Range[str, 1, 200] | None = None,
        rating: str | None = None,
        warnings: app_commands.Range[str, 1, 400] | None = None,
        tags: app_commands.Range[str, 1, 1000] | None = None,
        summary: app_commands.Range[str, 1, 2000] | None = None,
    ) -> None:
        """Send your own story, or new chapters of it, to this server's moderators for review."""
        store = interaction.client.store
        guild_id = server_of(interaction)
        settings = await store.guild_settings(guild_id)
        member = interaction.user
        if not isinstance(member, discord.Member) or interaction.guild is None:
            raise UserFacingError("Submit your story in the server whose library it is for.")
        if refusal := may_not_submit(settings, member):
            raise UserFacingError(refusal)
        since = (store.clock() - _DAY).isoformat(timespec="seconds")
        made = await store.submissions_since(guild_id, member.id, since)
        if made >= settings.submissions_per_day:
            raise UserFacingError(
                f"You have sent {plural(made, 'submission')} in the last day, as many as this "
                "server takes; send the next one tomorrow."
            )
        target = await own_story(interaction, story) if story else None
        options = {
            "title": title,
            "author": member.display_name,
            "rating": rating,
            "warnings": warnings,
            "tags": tags,
            "summary": summary,
        }
        limit = min(
            settings.submission_max_bytes or interaction.client.settings.upload_max_bytes,
            interaction.client.settings.upload_max_bytes,
        )
        draft, content_hash = await read_story_file(interaction, file, options, limit)
        preview = SubmissionPreview(interaction, draft, content_hash, appending_to=target)
        embed = preview_embed(draft, None)
        if target is not None:
            embed.title = shorten(f"New chapters for “{escape(target[1])}”", limits.EMBED_TITLE)
        await interaction.edit_original_response(embed=embed, view=preview)

    @app_commands.command(name="review")
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.allowed_installs(guilds=True, users=False)
    @moderators_only
    async def review(self, interaction: discord.Interaction[StoryBot]) -> None:
        """See the stories members submitted, oldest first, and read, approve or reject them."""
        waiting = await interaction.client.store.waiting_submissions(server_of(interaction))
        if not waiting:
            await interaction.response.send_message(
                "No submissions are waiting for review.", ephemeral=True
            )
            return
        lines = "\n".join(queue_line(submission) for submission in waiting)
        view = StatelessView()
        view.add_item(ReviewSelect.make(waiting))
        await interaction.response.send_message(
            shorten(
                f"{plural(len(waiting), 'submission')} waiting, oldest first:\n{lines}",
                limits.MESSAGE_CONTENT,
            ),
            view=view,
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @app_commands.command(name="mywork")
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def mywork(self, interaction: discord.Interaction[StoryBot]) -> None:
        """Your stories in this server: published, waiting for review or turned down."""
        store = interaction.client.store
        guild_id, author = server_of(interaction), interaction.user.id
        lines = [
            f"• “{escape(shorten(work.title, 80))}”: published, "
            f"{plural(work.chapter_count, 'chapter')}, {plural(readers, 'reader')}, "
            f"♥ {work.kudos_count:,}"
            for work, readers in await store.authors_stories(guild_id, author)
        ]
        for submission in await store.authors_submissions(guild_id, author):
            what = (
                ""
                if submission.new_story
                else f" ({plural(submission.chapter_count, 'new chapter')})"
            )
            state = {
                SubmissionState.WAITING: "waiting for review",
                SubmissionState.REJECTED: "not accepted",
                SubmissionState.CHANGES_ASKED: "changes asked",
            }.get(submission.state, submission.state.value)
            lines.append(f"• “{escape(shorten(submission.title, 80))}”{what}: {state}")
        await interaction.response.send_message(
            shorten("\n".join(lines), limits.MESSAGE_CONTENT)
            if lines
            else "You have no stories here yet: send one with /submit.",
            ephemeral=True,
        )


class SubmissionPreview(UploadPreview):
    """The member's preview: Confirm sends the story to the review queue, or publishes a
    trusted writer's new chapters at once."""

    def __init__(
        self,
        interaction: discord.Interaction[StoryBot],
        draft: StoryDraft,
        content_hash: str,
        *,
        appending_to: tuple[int, str] | None,
    ):
        super().__init__(
            interaction,
            draft,
            content_hash,
            appending_to=appending_to[0] if appending_to else None,
        )

    async def save(self, interaction: discord.Interaction[StoryBot]) -> str:
        bot = interaction.client
        store = bot.store
        member = interaction.user
        assert interaction.guild_id is not None and isinstance(member, discord.Member)
        settings = await store.guild_settings(interaction.guild_id)
        if refusal := may_not_submit(settings, member):
            raise UserFacingError(f"{refusal} Nothing was sent.")
        guild_id, story = interaction.guild_id, self.appending_to
        if story is not None and await store.is_trusted_writer(guild_id, member.id):
            first, last = await store.append_chapters(
                story,
                Changer(guild_id, member.id, moderator=False),  # their own story only
                self.draft.chapters,
                content_hash=self.content_hash,
                page_size=bot.settings.page_size,
            )
            return (
                f"Published {chapter_span(first, last)}: as a trusted writer, you need no review."
            )
        submitted = await store.submit(
            guild_id,
            member.id,
            member.display_name,
            self.draft,
            content_hash=self.content_hash,
            adds_to=story,
        )
        return (
            f"Sent “{escape(submitted.title)}” to the moderators for review (submission "
            f"#{submitted.id}). You will hear from me when they decide; /mywork shows it meanwhile."
        )


class ReviewSelect(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"review:open",
):
    """Opens one waiting submission of the queue at its first page."""

    @classmethod
    def make(cls, waiting: list[Submission]) -> ReviewSelect:
        options = [
            discord.SelectOption(
                label=shorten(f"#{s.id} {s.title}", limits.OPTION_LABEL),
                value=str(s.id),
                description=shorten(
                    f"{s.author_name} · {plural(s.word_count, 'word')} · {s.rating.value}",
                    limits.OPTION_DESCRIPTION,
                ),
            )
            for s in waiting[: limits.SELECT_OPTIONS]
        ]
        return cls.select(options, placeholder="Read a submission")

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        assert isinstance(self.item, discord.ui.Select)
        await show_submission(interaction, number(self.item.values[0]), 1, edit=False)


async def show_submission(
    interaction: discord.Interaction[StoryBot], submission_id: int, page: int, *, edit: bool
) -> None:
    """A submission's page for its reviewer (a moderator), or why it cannot be shown."""
    if not await is_moderator(interaction):
        raise UserFacingError(ONLY_MODERATORS)
    store = interaction.client.store
    guild_id = server_of(interaction)
    submission = await store.submission(guild_id, submission_id)
    draft = await store.submission_draft(guild_id, submission_id)
    if submission is None or draft is None:
        raise UserFacingError("That submission is not in this server's queue.")
    if submission.state is not SubmissionState.WAITING:
        raise UserFacingError(decided(submission))
    view = review_view(
        submission, draft, draft_page(draft, page, interaction.client.settings.page_size)
    )
    mentions = discord.AllowedMentions.none()
    if edit:
        await interaction.response.edit_message(view=view, allowed_mentions=mentions)
    else:
        await interaction.response.send_message(
            view=view, ephemeral=True, allowed_mentions=mentions
        )


_DECIDED = {
    SubmissionState.APPROVED: "approved",
    SubmissionState.REJECTED: "rejected",
    SubmissionState.CHANGES_ASKED: "sent back for changes",
}


def decided(submission: Submission) -> str:
    """What became of a submission a moderator decided on already."""
    by = f" by <@{submission.decided_by}>" if submission.decided_by else ""
    state = _DECIDED.get(submission.state, submission.state.value)
    return f"“{escape(submission.title)}” was {state}{by} already."


class ReviewButton(
    StatefulItem,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"review:(?P<action>page|approve|reject|changes):(?P<submission>[^:]+):(?P<page>[^:]+)",
):
    """Turn a submission's pages, approve it, or turn it down with a reason."""

    action: str
    submission: int
    page: int

    @classmethod
    def make(
        cls,
        action: str,
        submission: int,
        page: int,
        label: str,
        disabled: bool = False,
        *,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> ReviewButton:
        return cls.button(
            label, style=style, disabled=disabled, action=action, submission=submission, page=page
        )

    async def run(self, interaction: discord.Interaction[StoryBot]) -> None:
        if self.action == "page":
            await show_submission(interaction, self.submission, self.page, edit=True)
            return
        if not await is_moderator(interaction):
            raise UserFacingError(ONLY_MODERATORS)
        if self.action == "approve":
            await approve(interaction, self.submission)
            return
        await interaction.response.send_modal(
            TurnDownModal(self.submission, changes_asked=self.action == "changes")
        )


async def approve(interaction: discord.Interaction[StoryBot], submission_id: int) -> None:
    bot = interaction.client
    try:
        submission, published = await bot.store.approve_submission(
            server_of(interaction),
            submission_id,
            moderator_id=interaction.user.id,
            page_size=bot.settings.page_size,
        )
    except AlreadyDecided as first:
        raise UserFacingError(decided(first.submission)) from None
    span = chapter_span(published.first_chapter, published.last_chapter)
    title = escape(submission.title)
    await interaction.response.edit_message(
        view=StatelessLayout(
            discord.ui.TextDisplay(
                f"Approved “{title}” by <@{submission.author_id}>: it is in the library now."
                if submission.new_story
                else f"Approved {span} of “{title}” by <@{submission.author_id}>."
            )
        ),
        allowed_mentions=discord.AllowedMentions.none(),
    )
    bot.dispatch(NEWS)
    guild = interaction.guild.name if interaction.guild else "the server"
    await tell_author(
        bot,
        submission,
        f"Your story “{title}” was approved and is in the library of {guild}: readers can "
        "open it with /read."
        if submission.new_story
        else f"Your new {span} of “{title}” were approved and are in the library of {guild}.",
    )


class TurnDownModal(ReportingModal):
    """The reason a submission is rejected, or the changes asked of its author."""

    reason: discord.ui.TextInput[TurnDownModal] = discord.ui.TextInput(
        label="Reason, for the author", style=discord.TextStyle.paragraph, max_length=1000
    )

    def __init__(self, submission_id: int, *, changes_asked: bool):
        super().__init__(title="Ask for changes" if changes_asked else "Reject the submission")
        self.submission_id = submission_id
        self.changes_asked = changes_asked
        if changes_asked:
            self.reason.label = "The changes to make, for the author"

    async def on_submit(self, interaction: discord.Interaction[StoryBot]) -> None:  # type: ignore[override]
        bot = interaction.client
        if not await is_moderator(interaction):
            raise UserFacingError(ONLY_MODERATORS)
        reason = self.reason.value.strip()
        try:
            submission = await bot.store.turn_down_submission(
                server_of(interaction),
                self.submission_id,
                moderator_id=interaction.user.id,
                reason=reason,
                changes_asked=self.changes_asked,
            )
        except AlreadyDecided as first:
            raise UserFacingError(decided(first.submission)) from None
        title = escape(submission.title)
        guild = interaction.guild.name if interaction.guild else "the server"
        done = "Asked for changes to" if self.changes_asked else "Rejected"
        await interaction.response.edit_message(
            view=StatelessLayout(
                discord.ui.TextDisplay(f"{done} “{title}”; its author is told why.")
            )
        )
        told = (
            f"The moderators of {guild} asked for changes to your submission “{title}”:\n"
            f"{_quoted(reason)}\nSend it again with /submit once it is ready."
            if self.changes_asked
            else f"Your submission “{title}” to {guild} was not accepted. The moderators "
            f"said:\n{_quoted(reason)}"
        )
        await tell_author(bot, submission, told)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Submissions(bot))
