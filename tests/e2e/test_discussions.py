"""Chapter discussions through the Discord stand-in: one thread a chapter in a server, made on
first use, shared, opened again, made again, and locked with its story."""

from __future__ import annotations

import asyncio

from standin.server import Standin
from standin.world import CREATE_PUBLIC_THREADS, Channel
from tests.conftest import BotRunner, reader_page, story_of_buttons
from tests.samples import MARKDOWN

HEART_BROKEN = "Heart Broken — Chapter 1: Heart Broken"


async def test_two_readers_at_once_share_one_thread_made_again_once_deleted(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader, other = (standin.user(n) for n in ("moderator", "reader", "reader2"))
    async with storybot():
        chosen = await moderator.slash("settings discussion-channel", channel="general")
        assert "Chapters are discussed in" in chosen.text
        pages = [
            await person.slash("read", story="Heart Broken", page=10) for person in (reader, other)
        ]
        answers = await asyncio.gather(*(page.click("💬 Discuss") for page in pages))
        (thread,) = standin.threads("general")
        assert thread.name == HEART_BROKEN
        for answer in answers:
            assert f"<#{thread.id}>" in answer.text and answer.ephemeral
        (opening,) = standin.messages(thread)
        assert "Spoilers for everything up to the end of this chapter" in opening.text
        back = await reader.click(opening, "Read chapter 1")
        assert reader_page(back).footer.startswith("page 1 of 10")

        await standin.archive(thread)
        reopened = await pages[0].click("💬 Discuss")
        assert f"<#{thread.id}>" in reopened.text and not thread.archived

        await standin.delete_channel(thread)
        renewed = await pages[1].click("💬 Discuss")
        (again,) = standin.threads("general")
        assert again.id != thread.id and again.name == HEART_BROKEN
        assert f"<#{again.id}>" in renewed.text
        requests = len(standin.requests)
        await pages[0].click("💬 Discuss")  # known now: no thread is made
        assert not [r for r in standin.requests[requests:] if r.endswith("/threads")]


async def test_a_forum_holds_a_post_a_chapter_and_a_removed_story_locks_its_posts(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        await moderator.slash("settings discussion-channel", channel="discussions")
        upload = await moderator.slash("upload", file=standin.attachment("l.md", MARKDOWN))
        await upload.click("Confirm")
        first = await reader.slash("discuss", story="The Lighthouse Keeper")
        second = await reader.slash("discuss", story="The Lighthouse Keeper", chapter=2)
        posts = standin.threads("discussions")
        assert [post.name for post in posts] == [
            "The Lighthouse Keeper — Chapter 1: The Lamp",
            "The Lighthouse Keeper — Chapter 2: The Storm",
        ]
        assert f"<#{posts[0].id}>" in first.text and f"<#{posts[1].id}>" in second.text
        assert "Read chapter 2" in str(standin.messages(posts[1])[0].components)
        missing = await reader.slash("discuss", story="The Lighthouse Keeper", chapter=3)
        assert "That chapter is not in the story any more" in missing.text
        confirm = await moderator.slash("library remove", story="The Lighthouse Keeper")
        await confirm.click("Remove it")
        await standin.until(lambda: all(post.locked for post in posts), "the posts to be locked")


async def test_discussions_need_a_channel_the_bot_can_hold_them_in(
    storybot: BotRunner, standin: Standin
) -> None:
    club = standin.world.guild("Story Club")
    club.channels.append(Channel("quiet", overwrites={"Storybot": (0, CREATE_PUBLIC_THREADS)}))
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        off = await reader.slash("discuss", story="Heart Broken")
        assert "no discussion channel yet" in off.text
        last = await reader.slash("read", story="Heart Broken", page=10)
        assert "💬 Discuss" not in str(last.components)  # no button where there are none
        refused = await moderator.slash("settings discussion-channel", channel="quiet")
        assert "give me Create Public Threads there" in refused.text
        assert (await reader.slash("discuss", story="Heart Broken")).text == off.text
        in_dms = await reader.forge(
            f"discuss:{story_of_buttons(last, 'kudos:')}:1", where="dm"
        )  # an old button, in DMs
        assert "not in DMs" in in_dms.text


async def test_discord_failing_while_a_thread_is_made_never_leaves_two(
    storybot: BotRunner, standin: Standin
) -> None:
    moderator, reader = standin.user("moderator"), standin.user("reader")
    async with storybot():
        await moderator.slash("settings discussion-channel", channel="general")
        standin.fail("POST", "/channels/{id}/threads", 429, retry_after=0.05)
        standin.fail("POST", "/channels/{id}/threads", 500, lost=True)  # made, answer lost
        page = await reader.slash("read", story="Heart Broken", page=10)
        answer = await page.click("💬 Discuss")
        (thread,) = standin.threads("general")
        assert f"<#{thread.id}>" in answer.text
        assert len(standin.messages(thread)) == 1  # one opening message
