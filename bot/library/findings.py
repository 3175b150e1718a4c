"""What an upload's preview asks the uploader to check: a line that may be a heading that was
missed, a chapter so much longer than the others that one probably was, and what reading the
file noticed (a web page that holds one chapter of a work)."""

from __future__ import annotations

import statistics

from bot.library.importer import looks_like_heading
from bot.library.model import StoryDraft
from bot.library.render import shorten

LONGER = 5
"""A chapter more than this many times the median length of the others is pointed out."""
_MIN_CHAPTERS = 3
"""With fewer chapters, no length is usual enough to compare with."""
_QUOTED = 80
_SHORT_TITLE = 60
_SENTENCE_END = tuple(".!?…,;:\"'”’)*")


def _missed_heading(text: str, *, title_like: bool = False) -> str | None:
    """The first paragraph of prose that begins as a chapter heading does, if any; or, with
    `title_like`, else the first short line of its own that reads as a title ("The Storm")."""
    lines = [paragraph.split("\n", 1)[0].strip() for paragraph in text.split("\n\n")]
    found = next((line for line in lines if looks_like_heading(line)), None)
    if found is None and title_like:
        found = next((line for line in lines if _reads_as_title(line)), None)
    return shorten(found, _QUOTED) if found else None


def _reads_as_title(line: str) -> bool:
    return (
        len(line) <= _SHORT_TITLE
        and line[:1].isupper()
        and any(c.isalpha() for c in line[1:])
        and not line.endswith(_SENTENCE_END)
    )


def _times_longer(words: list[int], index: int) -> int:
    """How many times longer chapter `index` is than the median of the others, if that is more
    than LONGER times (0 if not, or if there are too few chapters to say)."""
    if len(words) < _MIN_CHAPTERS:
        return 0
    median = statistics.median(words[:index] + words[index + 1 :])
    return int(words[index] / median) if median and words[index] > LONGER * median else 0


def findings(draft: StoryDraft, *, first: int = 1) -> list[str]:
    """Sentences on what to check before the draft is saved: what reading its file noticed,
    then one for each chapter that may hold a heading that did not start a chapter; chapters
    are numbered from `first`, as new chapters of a story go on from its last."""
    words = [chapter.word_count for chapter in draft.chapters]
    found = list(draft.notices)
    for index, chapter in enumerate(draft.chapters):
        number, line = first + index, _missed_heading(chapter.text)
        if times := _times_longer(words, index):
            line = line or _missed_heading(chapter.text, title_like=True)
            such_as = f", such as “{line}”" if line else ""
            found.append(
                f"Chapter {number} is {times} times longer than the others: check that no "
                f"heading was missed{such_as}."
            )
        elif line:
            found.append(
                f"Chapter {number} has a line that looks like a heading but did not start a "
                f"chapter: “{line}”."
            )
    return found
