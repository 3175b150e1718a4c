"""A synthetic story library from a fixed seed, in the importer's Markdown format, cached on disk.

Prose comes from a word-level Markov chain over a Zipf-distributed vocabulary (English function
and content words, then made-up words for the long tail), so word frequencies, collocations and
the full-text index look like fiction's. Chapters run from 1 k to 40 k characters (log-uniform),
stories from 1 to 200 chapters; ratings, warnings, tags and authors are mixed. A library is
written once into `bench/.cache/` and read from there after; its manifest is written last, so a
library without one is an interrupted generation and is made again.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import random
import re
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.library.model import ARCHIVE_WARNINGS, Rating

VERSION = 1
"""Bump when the output changes, so caches of the old output are not reused."""
SEED = 20_240_607
CACHE = Path(__file__).resolve().parent / ".cache"
SIZES = {"tiny": 40, "mini": 400, "small": 1_000, "large": 100_000}
"""Chapters in each library size; quick mode uses tiny and mini for small and large."""

MIN_CHAPTER, MAX_CHAPTER = 1_000, 40_000
MAX_STORY_CHAPTERS = 200
ONESHOT_SHARE = 0.3
_MANIFEST = "library.json"
_NOT_SLUG = re.compile(r"\W+")

_FUNCTION_WORDS = """
the and to of a was he she in it that her his you had i with for as at on but not said
they him be my is all from so have what this were there would one out up no me them could
been we when then like into back if an down about over only just by their or now before
did your know more than here who which where how again through still while even little
after because never very eyes too away off something nothing around against always
""".split()
_CONTENT_WORDS = """
time hand face head door room night way looked thought felt turned made asked told smiled
voice moment heart life day house mind light world left right long last good old small
dark cold warm soft quiet deep bright hard young same whole other first next own
looked knew wanted seemed started pulled walked stopped stood sat waited laughed whispered
window table floor wall bed chair kitchen street car phone book letter paper morning
evening summer winter rain snow wind sky sun moon star fire water sea river road garden
school class music song dance stage piano guitar coffee tea bread dinner breakfast hair
shoulder arm finger lips breath tears smile silence answer question reason secret promise
dream memory story name friend family mother father brother sister boy girl man woman
people everyone someone anyone nobody tomorrow yesterday tonight today forever always
slowly quickly softly gently suddenly finally almost really probably maybe perhaps
closed opened reached touched held kissed hugged watched listened heard saw found lost
broke fell ran moved brought kept left took gave called tried needed loved hated missed
remembered forgot believed wondered noticed realized decided promised shook nodded sighed
glass stone silver golden red blue green grey white black empty full broken open tired
afraid happy sad angry quiet gentle careful strange familiar ordinary beautiful terrible
""".split()
_TITLE_ADJECTIVES = """
silver golden broken quiet hidden last first lonely bright dark frozen burning distant
secret endless fading falling rising silent wild gentle bitter sweet hollow open crimson
""".split()
_TITLE_NOUNS = """
door light heart song winter summer river road star dance promise secret letter garden
shadow storm echo mirror window bridge ocean ember thread crown feather harbor lantern
""".split()
_TAGS = """
Angst|Fluff|Hurt/Comfort|Slow Burn|Alternate Universe|Friendship|Romance|Humor|Drama|
Family|Found Family|Canon Divergence|Post-Canon|Pre-Canon|Established Relationship|
Enemies to Lovers|Friends to Lovers|Mystery|Adventure|Magic|Coffee Shops & Cafés|
High School|College|Road Trip|Christmas|Halloween|Summer Vacation|Letters|Music|Dancing|
Grief/Mourning|Happy Ending|Open Ending|Character Study|Introspection|Time Travel|
Missing Scene|Episode Related|Epistolary|Domestic|Sibling Bonding|Pining|Mutual Pining
""".replace("\n", "").split("|")
_FANDOMS = """
Original Work|The Lantern Years|Harbor Lights|Starfall Academy|The Silver Court|
Winter's Crown|Ember & Ash|Northbound|The Quiet Hours|Riverside High
""".replace("\n", "").split("|")
_RATING_WEIGHTS = {
    Rating.GENERAL: 30,
    Rating.TEEN: 35,
    Rating.MATURE: 15,
    Rating.EXPLICIT: 12,
    Rating.NOT_RATED: 8,
}
_ONSETS = "b bl br c ch cl d dr f fl g gr h j k l m n p pr r s sh st t th tr v w".split()
_VOWELS = "a e i o u ai ea ee oa ou".split()
_CODAS = ["", "", "n", "r", "l", "s", "th", "nd", "st", "m", "ck"]
_TAIL_WORDS = 15_000
_PHRASES = 60_000
_FOLLOW = 0.7
"""Chance that the next word is one of the current word's usual successors."""


@dataclass(frozen=True)
class StoryEntry:
    """What the benchmark's readers need to know about a story: how to ask for it."""

    title: str
    chapters: int
    rating: str


@dataclass(frozen=True)
class Library:
    """A generated library on disk, with what was generated."""

    path: Path
    size: str
    seed: int
    stories: tuple[StoryEntry, ...]
    queries: tuple[str, ...]
    chapters: int
    characters: int
    bytes: int

    @property
    def files(self) -> list[Path]:
        return sorted(self.path.glob("*.md"))


def library(size: str, seed: int = SEED, cache: Path = CACHE) -> Library:
    """The library of `size` (a key of SIZES): from the cache, or generated into it first."""
    folder = cache / f"library-{size}-s{seed}-v{VERSION}"
    manifest = folder / _MANIFEST
    if not manifest.is_file():
        generate(folder, SIZES[size], seed)
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return Library(
        path=folder,
        size=size,
        seed=seed,
        stories=tuple(StoryEntry(*entry) for entry in data["stories"]),
        queries=tuple(data["queries"]),
        chapters=data["chapters"],
        characters=data["characters"],
        bytes=data["bytes"],
    )


def generate(folder: Path, chapters: int, seed: int) -> None:
    """Write a library of `chapters` chapters into `folder`, replacing whatever is there."""
    started = time.monotonic()
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    rng = random.Random(seed)
    prose = _Prose(rng)
    stories: list[StoryEntry] = []
    titles: set[str] = set()
    characters = written = 0
    for index, count in enumerate(_story_lengths(rng, chapters)):
        title = _unique_title(rng, titles)
        story = _Story(rng, prose, title, count)
        text = story.markdown()
        slug = _NOT_SLUG.sub("-", title.lower())
        path = partial / f"{index:05d}_{slug}.md"
        path.write_text(text, encoding="utf-8")
        stories.append(StoryEntry(title, count, story.rating.value))
        characters += story.characters
        written += len(text.encode())
    manifest = {
        "version": VERSION,
        "seed": seed,
        "chapters": chapters,
        "characters": characters,
        "bytes": written,
        "seconds": round(time.monotonic() - started, 1),
        "stories": [list(asdict(story).values()) for story in stories],
        "queries": prose.queries(rng, 300),
    }
    (partial / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)


def _story_lengths(rng: random.Random, total: int) -> list[int]:
    """Chapters per story, adding up to `total`: many oneshots, the rest log-uniform to 200."""
    lengths: list[int] = []
    left = total
    while left > 0:
        if rng.random() < ONESHOT_SHARE:
            count = 1
        else:
            count = int(math.exp(rng.uniform(math.log(2), math.log(MAX_STORY_CHAPTERS + 1))))
        lengths.append(min(count, left))
        left -= lengths[-1]
    return lengths


def _unique_title(rng: random.Random, taken: set[str]) -> str:
    for attempt in itertools.count():
        adjective, noun = rng.choice(_TITLE_ADJECTIVES), rng.choice(_TITLE_NOUNS)
        other = rng.choice(_TITLE_NOUNS)
        title = rng.choice(
            (
                f"The {adjective} {noun}",
                f"{adjective} {noun}s",
                f"The {noun} and the {other}",
                f"A {noun} of {other}s",
                f"{adjective} {noun}, {adjective} {other}",
            )
        ).title()
        if attempt > 20:  # the combinations run out in the large library
            title += f" {rng.choice(_TITLE_NOUNS).title()} {attempt}"
        if title not in taken:
            taken.add(title)
            return title
    raise AssertionError("unreachable")


def _made_up_word(rng: random.Random) -> str:
    return "".join(
        rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
        for _ in range(rng.choice((1, 1, 2, 2, 2, 3)))
    )


class _Prose:
    """Sentences and paragraphs from a Markov chain over a Zipf vocabulary.

    Walks of 2 to 6 words ("phrases") are drawn once; sentences string phrases together, which is
    what makes generating a gigabyte take a minute or two rather than an hour.
    """

    def __init__(self, rng: random.Random):
        tail = list(dict.fromkeys(_made_up_word(rng) for _ in range(_TAIL_WORDS)))
        words = list(dict.fromkeys(_FUNCTION_WORDS + _CONTENT_WORDS + tail))
        self.words = words
        cumulative = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(len(words))))

        def draw() -> str:
            return words[bisect.bisect(cumulative, rng.random() * cumulative[-1])]

        successors = {word: [draw() for _ in range(6)] for word in words}
        self.phrases = []
        for _ in range(_PHRASES):
            word = draw()
            phrase = [word]
            for _ in range(rng.randint(1, 5)):
                word = rng.choice(successors[word]) if rng.random() < _FOLLOW else draw()
                phrase.append(word)
            self.phrases.append(" ".join(phrase))
        self.names = [w.title() for w in tail[:400] if 4 <= len(w) <= 9]

    def sentence(self, rng: random.Random) -> str:
        parts = rng.choices(self.phrases, k=rng.choice((1, 2, 2, 3, 3, 4)))
        text = (", " if rng.random() < 0.3 else " ").join(parts)
        end = rng.choices((".", "?", "!", "…"), (88, 6, 4, 2))[0]
        return text[0].upper() + text[1:] + end

    def paragraph(self, rng: random.Random, names: list[str]) -> str:
        if rng.random() < 0.2:
            said = rng.choice(("said", "asked", "whispered", "called", "answered"))
            line = self.sentence(rng)[:-1]
            return f"“{line},” {rng.choice(names)} {said}. {self.sentence(rng)}"
        sentences = [self.sentence(rng) for _ in range(rng.randint(1, 7))]
        if rng.random() < 0.3:
            said = self.sentence(rng)
            sentences.insert(rng.randrange(len(sentences)), f"{rng.choice(names)} {said.lower()}")
        return " ".join(sentences)

    def text(self, rng: random.Random, length: int, names: list[str]) -> str:
        paragraphs = []
        size = 0
        while size < length:
            paragraph = "* * *" if paragraphs and rng.random() < 0.02 else None
            paragraph = paragraph or self.paragraph(rng, names)
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        return "\n\n".join(paragraphs)

    def queries(self, rng: random.Random, count: int) -> list[str]:
        """What readers search for: two words of a phrase, a less common word, or a name."""
        found = []
        for _ in range(count):
            kind = rng.random()
            if kind < 0.5:
                words = rng.choice(self.phrases).split()
                start = rng.randrange(max(1, len(words) - 1))
                found.append(" ".join(words[start : start + 2]))
            elif kind < 0.75:
                found.append(rng.choice(self.words[200:3000]))
            else:
                found.append(rng.choice(self.names))
        return found


class _Story:
    """One story's metadata and chapters, as a Markdown file with YAML front matter."""

    def __init__(self, rng: random.Random, prose: _Prose, title: str, chapters: int):
        self.title = title
        self.author = f"{rng.choice(prose.words[100:600])}_{rng.choice(prose.names).lower()}"
        self.rating = rng.choices(list(_RATING_WEIGHTS), list(_RATING_WEIGHTS.values()))[0]
        self.warnings = rng.sample(ARCHIVE_WARNINGS, rng.choice((1, 1, 1, 2)))
        self.tags = rng.sample(_TAGS, rng.randint(0, 8))
        self.fandom = rng.choice(_FANDOMS)
        self.complete = rng.random() < 0.6
        names = rng.sample(prose.names, 4)
        self.summary = " ".join(prose.sentence(rng) for _ in range(2))
        self.chapters = []
        for number in range(1, chapters + 1):
            length = int(math.exp(rng.uniform(math.log(MIN_CHAPTER), math.log(MAX_CHAPTER))))
            heading = " ".join(rng.sample(_TITLE_NOUNS, rng.randint(1, 3))).title()
            self.chapters.append((f"Chapter {number}: {heading}", prose.text(rng, length, names)))
        self.characters = sum(len(text) for _, text in self.chapters)

    def markdown(self) -> str:
        front = {
            "title": self.title,
            "author": self.author,
            "rating": self.rating.value,
            "warnings": self.warnings,
            "fandoms": [self.fandom],
            "tags": self.tags,
            "status": "complete" if self.complete else "in progress",
            "summary": self.summary,
        }
        lines = ["---", *(f"{key}: {json.dumps(value)}" for key, value in front.items()), "---"]
        if len(self.chapters) == 1:  # a oneshot has no heading, as people write them
            return "\n".join(lines) + "\n\n" + self.chapters[0][1] + "\n"
        body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in self.chapters)
        return "\n".join(lines) + "\n\n" + body + "\n"
