"""What an upload's preview asks the uploader to check, judged on the stories files make."""

from __future__ import annotations

from dataclasses import replace

from bot.library.findings import findings
from bot.library.importer import parse_story
from bot.library.model import ChapterDraft, StoryDraft


def found(text: str, filename: str = "story.txt", *, first: int = 1) -> list[str]:
    return findings(parse_story(text.encode(), filename), first=first)


def chapters(*texts: str) -> StoryDraft:
    return StoryDraft(
        title="Glee",
        chapters=tuple(ChapterDraft(f"Chapter {n}", text) for n, text in enumerate(texts, 1)),
    )


def prose(words: int) -> str:
    return " ".join(["Kurt sang."] * (words // 2))


def test_a_story_whose_headings_all_started_chapters_has_nothing_to_check() -> None:
    text = "Chapter 1\n\nKurt sang.\n\nChapter 2\n\nBlaine sang.\n\nChapter 3\n\nThey won."
    assert found(text) == []


def test_a_line_that_begins_like_a_chapter_heading_inside_prose_is_pointed_out() -> None:
    text = (
        "Chapter 1\n\nKurt sang.\n\nChapter 2\n\nBlaine sang.\n\n"
        "Chapter 3. The next day he went back to the choir room.\n\nThey won."
    )
    assert found(text) == [
        "Chapter 2 has a line that looks like a heading but did not start a chapter: "
        "“Chapter 3. The next day he went back to the choir room.”."
    ]


def test_a_deeper_markdown_heading_inside_a_chapter_is_pointed_out() -> None:
    text = "## Chapter 1\n\nKurt sang.\n\n### Regionals\n\nThey won.\n\n## Chapter 2\n\nBlaine."
    assert found(text, "glee.md") == [
        "Chapter 1 has a line that looks like a heading but did not start a chapter: "
        "“### Regionals”."
    ]


def test_a_scene_break_of_hashes_is_no_heading() -> None:
    assert found("## Chapter 1\n\nKurt sang.\n\n# # #\n\nThey won.", "glee.md") == []


def test_a_chapter_many_times_longer_than_the_others_is_pointed_out() -> None:
    draft = chapters(
        prose(100), prose(100), f"{prose(450)}\n\nThe Storm\n\n{prose(450)}", prose(80)
    )
    assert findings(draft) == [
        "Chapter 3 is 9 times longer than the others: check that no heading was missed, such "
        "as “The Storm”."
    ]


def test_a_chapter_only_five_times_longer_is_not() -> None:
    assert findings(chapters(prose(100), prose(500), prose(100))) == []


def test_with_two_chapters_no_length_is_usual_enough_to_compare() -> None:
    assert findings(chapters(prose(100), prose(2_000))) == []


def test_a_long_chapter_names_the_line_that_looks_like_a_heading_first() -> None:
    long = f"{prose(300)}\n\nThe Storm\n\n{prose(300)}\n\nCH. 9 in which nothing happens\n\nEnd."
    assert findings(chapters(prose(50), long, prose(50))) == [
        "Chapter 2 is 12 times longer than the others: check that no heading was missed, such "
        "as “CH. 9 in which nothing happens”."
    ]


def test_new_chapters_are_numbered_from_where_the_story_goes_on() -> None:
    text = "Chapter 1\n\nKurt sang.\n\nChapter 2 and the rest of it, Blaine said.\n\nHe won."
    assert found(text, first=8) == [
        "Chapter 8 has a line that looks like a heading but did not start a chapter: "
        "“Chapter 2 and the rest of it, Blaine said.”."
    ]


def test_what_reading_the_file_noticed_comes_first() -> None:
    text = "Chapter 1\n\nKurt sang.\n\nChapter 2. He went back the next day, and the next.\n\n"
    draft = replace(parse_story(text.encode(), "story.txt"), notices=("This page holds…",))
    assert findings(draft)[0] == "This page holds…"
    assert len(findings(draft)) == 2
