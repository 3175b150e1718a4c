"""The importer, judged by what a reader would see of a story or an uploader is told."""

from __future__ import annotations

import codecs
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.library.importer import (
    ImportRejected,
    decode,
    normalise,
    parse_story,
    split_chapters,
    with_metadata,
)
from bot.library.model import Rating, Status, StoryDraft, TagKind
from tests.samples import yaml_bomb

SAMPLES = Path(__file__).parent / "samples"


def story(text: str, filename: str = "story.txt", sidecar: str | None = None) -> StoryDraft:
    """The story an upload of this text (and sidecar YAML) makes."""
    return parse_story(text.encode(), filename, None if sidecar is None else sidecar.encode())


def rejection(raw: bytes, filename: str = "story.txt", sidecar: bytes | None = None) -> str:
    """What the uploader is told when this upload is refused."""
    with pytest.raises(ImportRejected) as excinfo:
        parse_story(raw, filename, sidecar)
    return str(excinfo.value)


def words(*texts: str) -> Counter[str]:
    return Counter(word for text in texts for word in text.split())


def story_words(draft: StoryDraft) -> Counter[str]:
    """Every word a reader can see in the story's chapters and notes, titles aside."""
    return words(
        *(part for c in draft.chapters for part in (c.notes_before, c.text, c.notes_after))
    )


def titles(draft: StoryDraft) -> list[str]:
    return [chapter.title for chapter in draft.chapters]


# --- The sample stories (excerpts of the seed library) ------------------------------------


@pytest.mark.parametrize(
    ("sample", "heading_words"),
    [
        ("kurt_smiles.txt", ""),
        ("heart_broken.txt", "Chapter One: Heart Broken"),
        ("last_dance.txt", ""),
    ],
)
def test_every_word_of_a_sample_survives(sample: str, heading_words: str) -> None:
    source = (SAMPLES / sample).read_text(encoding="utf-8")
    assert story_words(story(source, sample)) + words(heading_words) == words(source)


def test_kurt_smiles_is_one_chapter_that_opens_with_its_short_first_line() -> None:
    draft = story((SAMPLES / "kurt_smiles.txt").read_text(encoding="utf-8"), "kurt_smiles.txt")
    (chapter,) = draft.chapters
    assert (draft.title, chapter.title) == ("Kurt Smiles", "Kurt Smiles")
    assert chapter.text.startswith("Kurt smiles..\n\nThe school day is over")
    assert chapter.text.endswith("He succumbed to it gratefully.")
    assert (chapter.notes_before, chapter.notes_after) == ("", "")
    assert (draft.author, draft.rating, draft.status) == (
        "Unknown",
        Rating.NOT_RATED,
        Status.COMPLETE,
    )


def test_heart_broken_keeps_its_to_be_continued_teaser_apart() -> None:
    draft = story((SAMPLES / "heart_broken.txt").read_text(encoding="utf-8"), "heart_broken.txt")
    (chapter,) = draft.chapters
    assert chapter.title == "Heart Broken"
    assert chapter.text.startswith("He should have never seen them.")
    assert chapter.text.endswith("the long walk towards of Kurt's home.")
    assert chapter.notes_after == "To Be Continued...\n\nNext Chapter: Kurt wants to be alone."
    assert chapter.notes_before == ""


def test_last_dance_sets_its_scene_in_a_note() -> None:
    draft = story((SAMPLES / "last_dance.txt").read_text(encoding="utf-8"), "last_dance.txt")
    (chapter,) = draft.chapters
    assert chapter.notes_before == (
        "Scene: Senior Prom. Kurt and Blaine broke up sometime during the year, and Kurt is single."
    )
    assert chapter.text.startswith('"Kurt... um... may I have this dance?"\n\nKurt turned around')
    assert chapter.text.endswith('came into his mind:\n\n"We keep dancing."')
    assert "\n\n\n" not in chapter.text


# --- Chapter headings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Chapter One: Heart Broken", "Heart Broken"),
        ("Chapter 1", "Chapter 1"),
        ("CHAPTER IV.", "CHAPTER IV"),
        ("Chapter 12 - The Return", "The Return"),
        ("Chapter 12 – The Return", "The Return"),
        ("Chapter twenty-one: Regionals", "Regionals"),
        ("Chapter 3 The Return", "The Return"),
        ("Ch. 3: Slushie", "Slushie"),
        ("Part Two", "Part Two"),
        ("Part 2 of 3", "Part 2 of 3"),
        ("Prologue", "Prologue"),
        ("Epilogue", "Epilogue"),
        ("Interlude: Dalton", "Interlude: Dalton"),
        ("**Chapter 7**", "Chapter 7"),
        ("# Chapter 5: Sectionals", "Sectionals"),
        ("## Heart Broken", "Heart Broken"),
    ],
)
def test_heading_styles_start_chapters(heading: str, title: str) -> None:
    draft = story(f"{heading}\n\nKurt smiled.\n\n{heading}\n\nBlaine smiled back.")
    assert titles(draft) == [title, title]
    assert [c.text for c in draft.chapters] == ["Kurt smiled.", "Blaine smiled back."]


def test_headings_need_no_blank_lines_in_one_line_per_paragraph_text() -> None:
    draft = story("Chapter 1\nKurt smiled.\nBlaine smiled.\nChapter 2\nThey sang.")
    assert titles(draft) == ["Chapter 1", "Chapter 2"]
    assert draft.chapters[0].text == "Kurt smiled.\n\nBlaine smiled."


@pytest.mark.parametrize(
    "line",
    [
        "Chapter and verse, he knew every rule of the glee club.",
        "Part of me wanted to stay with him.",
        "Part one of the plan was simple.",
        "Chapter 5. The next day he went back to the choir room.",
        "Prologue was the word Rachel used for her first solo.",
        "Next Chapter: Kurt wants to be alone.",
        "Chapter 3 Blaine had read twice already, and he still could not say what it was in it that"
        " kept him up",
    ],
)
def test_prose_that_begins_like_a_heading_stays_prose(line: str) -> None:
    text = f"Kurt sat down.\n\n{line}\n\nBlaine sat next to him."
    (chapter,) = story(text).chapters
    assert chapter.text == text


LONG_HEADING_TITLE = (
    "The Night the Lamp Went Out Over the Harbour and Nobody in Lima Could Say Why It Happened"
    " to Us, All"
)


@pytest.mark.parametrize("label", ["Chapter 2: ", "Chapter Two - ", "CHAPTER II. ", "## "])
def test_a_heading_of_any_length_starts_a_chapter(label: str) -> None:
    assert len(LONG_HEADING_TITLE) == 100
    heading = f"{label}{LONG_HEADING_TITLE}"
    first = "## Chapter 1" if label == "## " else "Chapter 1"
    draft = story(f"{first}\n\nKurt smiled.\n\n{heading}\n\nBlaine smiled back.")
    assert titles(draft) == ["Chapter 1", LONG_HEADING_TITLE]
    assert [c.text for c in draft.chapters] == ["Kurt smiled.", "Blaine smiled back."]


def test_a_wrapped_line_that_begins_like_a_heading_stays_in_its_paragraph() -> None:
    lines = [
        "She opened the old book to the page her sister had marked and read",
        "Chapter 2. Then she read it aloud, slowly, to the whole of the",
        "garden, while the Rabbit listened and the daisies nodded in the",
        "warm afternoon air.",
    ]
    (chapter,) = story("\n".join(lines)).chapters
    assert chapter.text == " ".join(lines)


def test_a_markdown_title_over_chapters_names_the_story() -> None:
    draft = story(
        "# Glee Club\n\n## Chapter 1\n\nKurt sang.\n\n## Chapter 2: Regionals\n\nThey won.",
        "glee.md",
    )
    assert draft.title == "Glee Club"
    assert titles(draft) == ["Chapter 1", "Regionals"]
    assert "Glee" not in story_words(draft)


def test_a_lone_markdown_title_names_a_oneshot() -> None:
    draft = story("# The Last Dance\n\nKurt and Dave danced.", "prom.md")
    assert draft.title == "The Last Dance"
    assert titles(draft) == ["The Last Dance"]
    assert draft.chapters[0].text == "Kurt and Dave danced."


def test_a_lone_chapter_heading_is_not_the_story_title() -> None:
    draft = story("# Chapter 1\n\nKurt and Dave danced.", "my_story-draft.md")
    assert (draft.title, titles(draft)) == ("My Story Draft", ["Chapter 1"])


def test_a_text_without_headings_is_one_chapter_named_for_the_story() -> None:
    draft = story("---\ntitle: Glee Club\n---\nKurt sang.\n\nBlaine sang.", "glee.md")
    assert titles(draft) == ["Glee Club"]
    assert [chapter.title for chapter in split_chapters("Kurt sang.")] == ["Chapter 1"]


@pytest.mark.parametrize(
    "opening",
    [
        "The Last Waltz\nby Ada Quill",
        "The Last Waltz\nBy: Ada Quill",
        "The Last Waltz\n\nBY Ada Quill",
        "# The Last Waltz\nby Ada Quill",
    ],
)
def test_a_title_over_a_by_line_names_the_story_and_its_author(opening: str) -> None:
    draft = story(f"{opening}\n\nChapter 1\n\nKurt danced.\n\nChapter 2\n\nBlaine danced.")
    assert (draft.title, draft.author) == ("The Last Waltz", "Ada Quill")
    assert titles(draft) == ["Chapter 1", "Chapter 2"]
    assert draft.chapters[0].notes_before == ""
    assert draft.chapters[0].text == "Kurt danced."


def test_a_title_and_by_line_over_a_oneshot_name_it_too() -> None:
    draft = story("The Last Waltz\nby Ada Quill\n\nKurt danced.")
    assert (draft.title, draft.author, titles(draft)) == (
        "The Last Waltz",
        "Ada Quill",
        ["The Last Waltz"],
    )
    assert draft.chapters[0].text == "Kurt danced."


def test_front_matter_a_sidecar_and_the_upload_options_still_come_first() -> None:
    text = "The Last Waltz\nby Ada Quill\n\nKurt danced."
    front = story(f"---\ntitle: Prom\n---\n{text}")
    assert (front.title, front.author, front.chapters[0].text) == (
        "Prom",
        "Ada Quill",
        "Kurt danced.",
    )
    sidecar = story(text, sidecar="author: Bea Quince\n")
    assert (sidecar.title, sidecar.author) == ("The Last Waltz", "Bea Quince")
    given = with_metadata(story(text), {"author": "Cee"}, "the upload's options")
    assert (given.title, given.author) == ("The Last Waltz", "Cee")


@pytest.mark.parametrize(
    "opening",
    [
        "Kurt smiled.\nby the lockers he waited, as he always did",
        "Kurt waited by the lockers, as he always did\nby the end of the day he was gone.",
        "The Last Waltz\n\n\nby Ada Quill",
        "For Sam, who read this first.\n\nThe Last Waltz\nby Ada Quill",
        "A/N: thanks for reading\nby the way",
        f"{'Waltz ' * 40}\nby Ada Quill",
        f"The Last Waltz\nby {'Ada ' * 30}",
    ],
    ids=[
        "prose",
        "prose ending a sentence",
        "two blank lines",
        "not at the top",
        "a note",
        "title over 200",
        "author over 100",
    ],
)
def test_lines_that_only_look_like_a_title_and_by_line_stay_in_the_story(opening: str) -> None:
    draft = story(f"{opening}\n\nChapter 1\n\nKurt danced.")
    assert (draft.title, draft.author) == ("Story", "Unknown")
    assert story_words(draft) == words(opening, "Kurt danced.")


def test_a_short_preface_becomes_the_first_chapter_notes() -> None:
    draft = story("For Sam, who read this first.\n\nChapter 1\n\nKurt sang.")
    (chapter,) = draft.chapters
    assert chapter.notes_before == "For Sam, who read this first."
    assert chapter.text == "Kurt sang."


def test_substantial_prose_before_the_first_heading_is_a_chapter_of_its_own() -> None:
    opening = " ".join(["Kurt waited by the lockers."] * 25)
    draft = story(f"{opening}\n\nChapter 1\n\nBlaine came.")
    assert titles(draft) == ["Prologue", "Chapter 1"]
    assert draft.chapters[0].text == opening


def test_part_headings_over_chapters_become_notes_before_them() -> None:
    draft = story("Part One\n\nChapter 1\n\nKurt.\n\nPart Two\n\nChapter 2\n\nBlaine.")
    assert titles(draft) == ["Chapter 1", "Chapter 2"]
    assert [c.notes_before for c in draft.chapters] == ["Part One", "Part Two"]
    assert [c.text for c in draft.chapters] == ["Kurt.", "Blaine."]


# --- Paragraphs and scene breaks -------------------------------------------------------------


def test_one_line_per_paragraph_keeps_every_line_a_paragraph() -> None:
    lines = [
        "Kurt closed his locker and turned to look down the hall.",
        "Blaine was waiting by the choir room door with two coffees.",
        '"You remembered," Kurt said, taking the cup from his hand.',
        '"I always remember," Blaine said, and he smiled at him.',
    ]
    (chapter,) = story("\n".join(lines)).chapters
    assert chapter.text == "\n\n".join(lines)


@pytest.mark.parametrize("scene_break", ["* * *", "***", "~~~", "-----", "o0o", "xXx", "-o0o-"])
def test_scene_breaks_are_kept_as_written(scene_break: str) -> None:
    (chapter,) = story(f"Kurt left.\n\n{scene_break}\n\nBlaine stayed.").chapters
    assert chapter.text == f"Kurt left.\n\n{scene_break}\n\nBlaine stayed."


def test_gutenberg_boilerplate_goes_and_wrapped_lines_join() -> None:
    draft = parse_story((SAMPLES / "alice.txt").read_bytes(), "alice.txt")
    assert (draft.title, draft.author) == ("Alice’s Adventures in Wonderland", "Lewis Carroll")
    assert titles(draft) == ["Down the Rabbit-Hole", "The Pool of Tears"]
    first, second = draft.chapters
    assert first.text.split("\n\n")[0] == (
        "Alice was beginning to get very tired of sitting by her sister on the bank, and of "
        "having nothing to do: once or twice she had peeped into the book her sister was "
        "reading, but it had no pictures or conversations in it, “and what is the use of a "
        "book,” thought Alice “without pictures or conversations?”"
    )
    assert "There was nothing so _very_ remarkable in that;" in first.text
    assert second.text.endswith(
        "“How doth the little crocodile\nImprove his shining tail,\n"
        "And pour the waters of the Nile\nOn every golden scale!”"
    )
    everything = "".join(f"{c.notes_before}{c.text}{c.notes_after}" for c in draft.chapters)
    assert "Gutenberg" not in everything
    assert "Updated editions" not in everything
    assert first.notes_before.endswith(
        "Contents\n\nCHAPTER I.     Down the Rabbit-Hole\nCHAPTER II.    The Pool of Tears"
    )


# --- Author's notes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "A/N: Thanks for all the reviews!",
        "AN: Thanks for all the reviews!",
        "Author's Note: Thanks for all the reviews!",
        "Author's note: thanks for all the reviews!",
        "Authors Note - Thanks for all the reviews!",
        "(A/N: Thanks for all the reviews!)",
        "Disclaimer: I don't own Glee.",
        "I don't own Glee or any of its characters.",
    ],
)
def test_notes_at_either_end_of_a_chapter_are_kept_apart(note: str) -> None:
    (chapter,) = story(f"{note}\n\nKurt smiled.\n\nBlaine smiled.\n\n{note}").chapters
    assert (chapter.notes_before, chapter.text, chapter.notes_after) == (
        note,
        "Kurt smiled.\n\nBlaine smiled.",
        note,
    )


@pytest.mark.parametrize(
    "line",
    [
        "An hour later, Kurt came back.",
        "Note to self, Kurt thought: never sing Gaga at Dalton.",
        "Scene after scene, the club rehearsed.",
        "Warning lights flashed on the dashboard.",
    ],
)
def test_prose_that_begins_like_a_note_stays_prose(line: str) -> None:
    (chapter,) = story(f"{line}\n\nBlaine smiled.\n\n{line}").chapters
    assert chapter.text == f"{line}\n\nBlaine smiled.\n\n{line}"
    assert (chapter.notes_before, chapter.notes_after) == ("", "")


def test_a_note_in_the_middle_of_a_chapter_stays_prose() -> None:
    text = "Kurt smiled.\n\nA/N: Sorry this took so long!\n\nBlaine smiled."
    (chapter,) = story(text).chapters
    assert (chapter.notes_before, chapter.text, chapter.notes_after) == ("", text, "")


def test_a_note_label_on_its_own_line_takes_the_paragraph_under_it() -> None:
    (chapter,) = story("Kurt smiled.\n\nAuthor's Note:\n\nThis one is for Sam.").chapters
    assert chapter.text == "Kurt smiled."
    assert chapter.notes_after == "Author's Note:\n\nThis one is for Sam."


def test_a_short_sign_off_under_the_last_note_belongs_to_it() -> None:
    text = "Kurt smiled.\n\nThe End\n\nA/N: Thanks for reading!\n\nPlease review!\n\nxoxo"
    (chapter,) = story(text).chapters
    assert chapter.text == "Kurt smiled.\n\nThe End"
    assert chapter.notes_after == "A/N: Thanks for reading!\n\nPlease review!\n\nxoxo"


def test_tbc_and_a_teaser_end_the_chapter_as_notes() -> None:
    (chapter,) = story("Kurt smiled.\n\n* * *\n\nTBC\n\nNext time: Regionals!").chapters
    assert chapter.text == "Kurt smiled."
    assert chapter.notes_after == "* * *\n\nTBC\n\nNext time: Regionals!"


def test_a_chapter_that_is_only_a_note_shows_it_as_its_text() -> None:
    draft = story("Chapter 1\n\nKurt smiled.\n\nChapter 2\n\nA/N: On hiatus, sorry!")
    assert draft.chapters[1].text == "A/N: On hiatus, sorry!"


# --- Metadata --------------------------------------------------------------------------------

FRONT_MATTER = """\
---
title: Courage
author: klainebow
summary: Kurt learns to be brave.
rating: T
warnings: [no archive warnings apply]
fandoms: Glee
relationships:
  - Kurt Hummel/Blaine Anderson
characters: [Kurt Hummel, Blaine Anderson]
tags: Angst, Hurt/Comfort
status: wip
language: en
source: https://archiveofourown.org/works/1
---
Kurt smiled.
"""


@pytest.mark.parametrize("filename", ["courage.md", "courage.txt"])
def test_front_matter_describes_the_story(filename: str) -> None:
    draft = story(FRONT_MATTER, filename)
    assert (draft.title, draft.author, draft.summary) == (
        "Courage",
        "klainebow",
        "Kurt learns to be brave.",
    )
    assert (draft.rating, draft.status) == (Rating.TEEN, Status.IN_PROGRESS)
    assert draft.warnings == ("No Archive Warnings Apply",)
    assert draft.tags == {
        TagKind.FANDOM: ("Glee",),
        TagKind.RELATIONSHIP: ("Kurt Hummel/Blaine Anderson",),
        TagKind.CHARACTER: ("Kurt Hummel", "Blaine Anderson"),
        TagKind.FREEFORM: ("Angst", "Hurt/Comfort"),
    }
    assert (draft.language, draft.source) == ("en", "https://archiveofourown.org/works/1")
    assert [c.text for c in draft.chapters] == ["Kurt smiled."]


def test_a_sidecar_describes_the_story_and_front_matter_wins_per_key() -> None:
    sidecar = "title: Prom\nauthor: klainebow\nrating: Mature\n"
    plain = story("Kurt danced.", "prom.txt", sidecar)
    assert (plain.title, plain.author, plain.rating) == ("Prom", "klainebow", Rating.MATURE)
    both = story("---\ntitle: The Last Dance\nrating: gen\n---\nKurt danced.", "prom.md", sidecar)
    assert (both.title, both.author, both.rating) == ("The Last Dance", "klainebow", Rating.GENERAL)


def test_front_matter_puts_a_story_in_a_series_at_its_part() -> None:
    draft = story("---\nseries: Keepers\nseries_part: 2\n---\nKurt smiled.", "two.md")
    assert (draft.series, draft.series_part) == ("Keepers", 2)
    alone = story("---\nseries_part: 2\n---\nKurt smiled.", "alone.md")
    assert (alone.series, alone.series_part) == ("", None)
    assert rejection(b"---\nseries: K\nseries_part: second\n---\nKurt.", "k.md") == (
        "In the front matter of “k.md”, series_part “second” is not accepted: use a part "
        "number from 1 to 10,000."
    )


def test_an_unknown_key_is_refused_with_a_suggestion() -> None:
    assert rejection(b"---\nratng: T\n---\nKurt smiled.", "courage.md") == (
        "In the front matter of “courage.md”, “ratng” is not a metadata key "
        "(did you mean “rating”?): use title, author, summary, rating, warnings, fandoms, "
        "relationships, characters, tags, status, language, source, series or series_part."
    )


@pytest.mark.parametrize(
    ("sidecar", "expected"),
    [
        (
            b"rating: R",
            "In “courage.yaml”, rating “R” is not accepted: use General Audiences, "
            "Teen And Up Audiences, Mature, Explicit or Not Rated.",
        ),
        (
            b"warnings: [Major Character Death, Violence]",
            "In “courage.yaml”, warnings “Violence” is not accepted: use Creator Chose Not To "
            "Use Archive Warnings, Graphic Depictions Of Violence, Major Character Death, "
            "No Archive Warnings Apply, Rape/Non-Con or Underage Sex.",
        ),
        (
            b"status: abandoned",
            "In “courage.yaml”, status “abandoned” is not accepted: use complete or in progress.",
        ),
        (
            b"fandoms: {Glee: yes}",
            "In “courage.yaml”, fandoms “{'Glee': True}” is not accepted: "
            "use a name, or a list of names.",
        ),
        (
            b"title: [Courage\nauthor: x",
            "I can't read “courage.yaml” as YAML (line 2): "
            "write one “key: value” per line, such as “title: The Last Dance”.",
        ),
        (
            b"Just some words",
            "I can't read “courage.yaml” as YAML: "
            "write one “key: value” per line, such as “title: The Last Dance”.",
        ),
    ],
)
def test_a_bad_value_is_refused_saying_what_is_accepted(sidecar: bytes, expected: str) -> None:
    assert rejection(b"Kurt smiled.", "courage.txt", sidecar) == expected


@pytest.mark.parametrize("levels", [9, 10])
def test_a_yaml_bomb_is_refused_before_its_aliases_are_expanded(levels: int) -> None:
    # Expanded, nine levels are 387 million values: this test only ends if they never are.
    bomb = yaml_bomb(levels)
    assert rejection(f"---\n{bomb}---\nKurt smiled.".encode(), "bomb.txt") == (
        "In the front matter of “bomb.txt”, aliases (*name) expand to more than 1,000 values, "
        "far more than a story's details need, so I won't read it."
    )
    assert "“bomb.yaml”, aliases (*name) expand to more than 1,000 values" in rejection(
        b"Kurt smiled.", "bomb.txt", bomb.encode()
    )


def test_a_large_value_is_quoted_in_a_refusal_only_in_part() -> None:
    message = rejection(b"Kurt smiled.", "courage.txt", yaml_bomb(3).encode())
    assert message.startswith("In “courage.yaml”, title “[['lol', 'lol', 'lol', 'lol', ...], ")
    assert len(message) < 200
    long_key = b"? " + b"x" * 100_000 + b"\n: Courage\n"
    assert len(rejection(b"Kurt smiled.", "courage.txt", long_key)) < 400


def test_deeply_nested_yaml_is_refused() -> None:
    nested = b"title: " + b"[" * 5_000 + b"]" * 5_000
    assert rejection(b"Kurt smiled.", "courage.txt", nested) == (
        "In “courage.yaml”, values are nested more than 20 deep, far more than a story's "
        "details need, so I won't read it."
    )


@pytest.mark.parametrize("value", [b"2011-02-30", b"1" * 5_000])
def test_a_value_like_a_date_or_number_that_is_none_is_refused(value: bytes) -> None:
    assert rejection(b"Kurt smiled.", "courage.txt", b"source: " + value) == (
        "I can't read “courage.yaml”: a value in it looks like a date or a number but is none "
        "(put it in quotes if it is text)."
    )


def test_front_matter_without_its_closing_line_is_refused() -> None:
    assert rejection(b"---\ntitle: Courage\n\nKurt smiled.", "courage.md") == (
        "I can't find the end of the front matter of “courage.md”: "
        "close it with a line of three dashes, “---”."
    )


def test_metadata_without_a_story_is_refused() -> None:
    assert rejection(b"---\ntitle: Courage\n---\n", "courage.md") == (
        "“courage.md” has metadata but no story after it."
    )


def test_without_a_title_the_file_name_is_made_readable() -> None:
    assert story("Kurt smiled.", "my_story-draft.txt").title == "My Story Draft"


# --- Limits on details -----------------------------------------------------------------------

LONG = "Courage " * 1_250
"""A title of 10,000 characters."""


@pytest.mark.parametrize(
    ("text", "sidecar", "filename", "where"),
    [
        (
            f"---\ntitle: {LONG}\n---\nKurt smiled.",
            None,
            "long.txt",
            "the front matter of “long.txt”",
        ),
        ("Kurt smiled.", f"title: {LONG}", "long.txt", "“long.yaml”"),
        (f"# {LONG}\n\nKurt smiled.", None, "long.md", "“long.md”"),
        (
            f"Title: {LONG}\nAuthor: Kurt\n\n*** START OF THE PROJECT GUTENBERG EBOOK ***\n"
            "Kurt smiled.",
            None,
            "long.txt",
            "“long.txt”",
        ),
    ],
    ids=["front matter", "sidecar", "markdown heading", "gutenberg header"],
)
def test_a_title_longer_than_200_characters_is_refused_wherever_it_comes_from(
    text: str, sidecar: str | None, filename: str, where: str
) -> None:
    raw = text.encode()
    assert rejection(raw, filename, None if sidecar is None else sidecar.encode()) == (
        f"In {where}, the title is 9,999 characters long; a title may be at most 200."
    )


def test_a_title_may_have_200_characters_and_not_one_more() -> None:
    assert story(f"---\ntitle: {'a' * 200}\n---\nKurt smiled.").title == "a" * 200
    assert rejection(f'---\ntitle: "{"|" * 3_000}"\n---\nKurt smiled.'.encode()) == (
        "In the front matter of “story.txt”, the title is 3,000 characters long; "
        "a title may be at most 200."
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            f"author: {'k' * 101}",
            "the author's name is 101 characters long; an author's name may be at most 100",
        ),
        (
            f"summary: {'Kurt smiled. ' * 200}",
            "the summary is 2,599 characters long; a summary may be at most 2,000",
        ),
        (
            f"fandoms: [Glee, {'g' * 101}]",
            "the fandom “" + "g" * 59 + "…” is 101 characters long; a fandom may be at most 100",
        ),
        (
            f"tags: {'x' * 101}",
            "the tag “" + "x" * 59 + "…” is 101 characters long; a tag may be at most 100",
        ),
        (
            f"language: {'e' * 36}",
            "the language is 36 characters long; a language may be at most 35",
        ),
        (
            f"source: https://{'s' * 500}",
            "the source is 508 characters long; a source may be at most 500",
        ),
    ],
    ids=["author", "summary", "fandom", "tag", "language", "source"],
)
def test_every_detail_has_its_limit(line: str, reason: str) -> None:
    assert (
        rejection(b"Kurt smiled.", "courage.txt", line.encode()) == f"In “courage.yaml”, {reason}."
    )


def test_a_story_may_have_75_tags_in_all() -> None:
    tags = [f"Tag {n}" for n in range(70)]
    given = f"fandoms: [Glee]\ncharacters: [Kurt, Blaine, Finn, Rachel]\ntags: [{', '.join(tags)}]"
    assert sum(map(len, story("Kurt smiled.", sidecar=given).tags.values())) == 75
    assert rejection(
        b"Kurt smiled.", "courage.txt", f"{given}\nrelationships: Kurt/Blaine".encode()
    ) == (
        "In “courage.txt”, the story has 76 fandoms, relationships, characters and tags "
        "together; a story may have at most 75."
    )


def test_a_title_from_a_long_file_name_is_shortened_not_refused() -> None:
    title = story("Kurt smiled.", "dance_" * 50 + ".txt").title
    assert len(title) <= 200
    assert title.startswith("Dance Dance")
    assert title.endswith("…")


def test_a_long_chapter_heading_is_shortened_not_refused() -> None:
    draft = story(f"## {LONG}\n\nKurt smiled.\n\n## Chapter 2\n\nBlaine smiled.", "long.md")
    first = draft.chapters[0].title
    assert len(first) <= 200
    assert first.startswith("Courage Courage")
    assert first.endswith("…")


@pytest.mark.parametrize("blank", ["' '", '"\u200f\u200e\u2060 \u061c"', '"\u202e\u2069\u180e"'])
def test_a_blank_title_counts_as_not_given(blank: str) -> None:
    assert story(f"---\ntitle: {blank}\n---\nKurt smiled.", "last_dance.txt").title == "Last Dance"
    after_heading = story(f"---\ntitle: {blank}\n---\n# Prom\n\nKurt smiled.", "prom.md")
    assert after_heading.title == "Prom"
    sidecar = story(f"---\ntitle: {blank}\n---\nKurt smiled.", "prom.txt", "title: Prom Night")
    assert sidecar.title == "Prom Night"
    unknown = story(f"---\nauthor: {blank}\n---\nKurt smiled.")
    assert unknown.author == "Unknown"


def test_direction_and_zero_width_characters_never_reach_a_title() -> None:
    draft = story('---\ntitle: "\u202eKurt\u202c \u2066Smiles\u2069\u200f"\n---\nKurt smiled.')
    assert draft.title == "Kurt Smiles"
    given = {
        "title": "\u202e Kurt\u200b \n\t Smiles\u180e\ufeff ",
        "author": "\u200fklaine\u061cbow",
    }
    fixed = with_metadata(draft, given, "the form")
    assert (fixed.title, fixed.author) == ("Kurt Smiles", "klainebow")
    assert (
        with_metadata(draft, {"title": " \u200b", "author": "\u2066"}, "the form").title
        == "Kurt Smiles"
    )


@pytest.mark.parametrize("title", ["A family: 👨\u200d👩\u200d👧", "می\u200cخواهم"])
def test_joiners_in_a_title_are_kept(title: str) -> None:
    assert story(f'---\ntitle: "{title}"\n---\nKurt smiled.').title == title


def test_the_upload_options_and_the_form_have_the_same_limits() -> None:
    draft = story("Kurt smiled.")
    with pytest.raises(ImportRejected) as refused:
        with_metadata(draft, {"title": LONG}, "the form")
    assert str(refused.value) == (
        "In the form, the title is 9,999 characters long; a title may be at most 200."
    )


# --- Encodings and refusals ------------------------------------------------------------------

PROSE = "“I’m fine,” said Kurt. Café au lait, naïve Renée — Blaine’s treat."


@pytest.mark.parametrize(
    "raw",
    [
        codecs.BOM_UTF8 + PROSE.encode("utf-8"),
        codecs.BOM_UTF16_LE + PROSE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + PROSE.encode("utf-16-be"),
        PROSE.encode("cp1252"),
    ],
    ids=["utf-8 with BOM", "utf-16 LE", "utf-16 BE", "windows-1252"],
)
def test_encodings_are_read_correctly(raw: bytes) -> None:
    assert decode(raw) == PROSE
    assert story_words(parse_story(raw, "story.txt")) == words(PROSE)


def test_utf8_with_a_passage_in_windows_1252_is_refused_saying_where() -> None:
    raw = "“I’m fine,” said Kurt.\n\n".encode() + "Café au lait, naïve Renée.\n".encode("cp1252")
    assert rejection(raw, "mixed.txt") == (
        "“mixed.txt” mixes two character encodings (UTF-8 and an older one such as "
        "Windows-1252; line 3): please save it as UTF-8 and upload it again."
    )


def test_windows_1252_letters_that_happen_to_pair_like_utf8_are_still_windows_1252() -> None:
    german = "Die Straße” war naß, süß und schön, sagte Jürgen."
    assert decode(german.encode("cp1252")) == german


@pytest.mark.parametrize(
    "text",
    [PROSE, "Курт улыбнулся. Блейн ждал его у шкафчика, как всегда."],
    ids=["latin", "cyrillic"],
)
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(text: str, encoding: str) -> None:
    raw = f"Chapter 1\n\n{text}\n".encode(encoding)
    assert story_words(parse_story(raw, "story.txt")) == words(text)


def test_other_legacy_encodings_are_read_correctly() -> None:
    russian = "Курт улыбнулся. Блейн ждал его у шкафчика, как всегда."
    assert decode(russian.encode("cp1251")) == russian


@pytest.mark.parametrize(
    ("raw", "filename", "expected"),
    [
        (b"", "notes.txt", "“notes.txt” is empty."),
        (b" \r\n\r\n\t", "notes.txt", "“notes.txt” is empty."),
        (
            b"Kurt smiled.",
            "cover.png",
            "“cover.png” is not a text file: stories must be plain text or Markdown (.txt, .md).",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
            "story.txt",
            "“story.txt” is not a text file: stories must be plain text or Markdown (.txt, .md).",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml",
            "story.md",
            "“story.md” is not a text file: stories must be plain text or Markdown (.txt, .md).",
        ),
        (
            bytes(range(1, 9)) * 20 + b"Kurt smiled.",
            "story.txt",
            "“story.txt” is not a text file: stories must be plain text or Markdown (.txt, .md).",
        ),
        (
            b"\x07\x00\x1b\x00" * 100,
            "story.txt",
            "“story.txt” is not a text file: stories must be plain text or Markdown (.txt, .md).",
        ),
        (
            bytes(range(0x80, 0x100)) * 4,
            "story.txt",
            "“story.txt” uses a character encoding I can't read: "
            "please save it as UTF-8 and upload it again.",
        ),
        (
            b"1, 2, 3 ... 4!\n\n* * *\n\n2011-05-01\n",
            "story.txt",
            "“story.txt” has no letters in it, so there is no story to read.",
        ),
    ],
)
def test_what_is_not_a_story_is_refused_in_one_sentence(
    raw: bytes, filename: str, expected: str
) -> None:
    assert rejection(raw, filename) == expected


def test_a_huge_file_is_refused_before_it_is_read() -> None:
    raw = b"a" * (50 * 2**20)
    started = time.perf_counter()
    message = rejection(raw, "huge.txt")
    assert time.perf_counter() - started < 0.5
    assert message == "“huge.txt” is 50 MB, larger than the 20 MB a story may be."


def test_the_size_limit_can_be_lowered() -> None:
    with pytest.raises(ImportRejected, match="larger than the 1 KB a story may be"):
        parse_story(b"Kurt smiled. " * 200, "story.txt", max_bytes=1024)


def test_one_line_of_megabytes_is_not_prose() -> None:
    assert rejection(b"Kurt smiled. " * 300_000) == (
        "“story.txt” has a line of 3,900,000 characters, which is not prose with line breaks: "
        "please put each paragraph on a line of its own."
    )


# --- Normalising -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Kurt smiled.\r\nBlaine smiled.\rThey sang.", "Kurt smiled.\nBlaine smiled.\nThey sang."),
        ("Kurt\tsmiled.\x07   \nBlaine\x1b smiled. \t", "Kurt smiled.\nBlaine smiled."),
        ("Cafe\u0301 au lait", "Café au lait"),
        ("Kurt\u200b smiled\u2060 at\ufeff Bla\u200bine.", "Kurt smiled at Blaine."),
        (
            "\u202eKurt\u202c \u2066smiled\u2069 \u202a\u202b\u202dat\u202c him.",
            "Kurt smiled at him.",
        ),
        ("Page one.\fPage two.", "Page one.\nPage two."),
    ],
)
def test_normalising_tidies_without_changing_words(raw: str, clean: str) -> None:
    assert normalise(raw) == clean


@pytest.mark.parametrize("text", ["A family: 👨\u200d👩\u200d👧.", "می\u200cخواهم"])
def test_joiners_that_carry_meaning_are_kept(text: str) -> None:
    assert normalise(text) == text


def test_invisible_characters_leave_the_words_of_a_story_unchanged() -> None:
    (chapter,) = story("Kurt\u200b smiled\u202e at Bla\u2060ine.").chapters
    assert chapter.text == "Kurt smiled at Blaine."
