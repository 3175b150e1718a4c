-- Reading figures for moderators and authors: counts only, never who read what (see the
-- README's "What is counted"). Days and hours are UTC.

-- A reader's place also keeps the server it was last moved in (NULL: in DMs), the furthest
-- chapter it reached and whether it reached the story's end: a story's drop-off, finishes and
-- readers over a period are counted from readers' places, which readers may forget.
ALTER TABLE reading_progress ADD COLUMN guild_id INTEGER;
ALTER TABLE reading_progress ADD COLUMN furthest_chapter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reading_progress ADD COLUMN finished INTEGER NOT NULL DEFAULT 0;
UPDATE reading_progress SET furthest_chapter = chapter_number;
CREATE INDEX reading_progress_by_story ON reading_progress (story_id, guild_id, updated_at);

-- Per server, day and story: pages read there, and readers who started or finished it.
CREATE TABLE story_day (
    guild_id INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    story_id INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    pages    INTEGER NOT NULL DEFAULT 0,
    started  INTEGER NOT NULL DEFAULT 0,
    finished INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day, story_id)
) WITHOUT ROWID;
CREATE INDEX story_day_by_story ON story_day (story_id);

-- Per server, day and hour: pages read, for the busiest hours of the week.
CREATE TABLE guild_hour (
    guild_id INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    hour     INTEGER NOT NULL,
    pages    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day, hour)
) WITHOUT ROWID;

-- Per server and day: distinct readers (rolled up from day_reader once the day is over),
-- excerpts drawn and discussion messages.
CREATE TABLE guild_day (
    guild_id            INTEGER NOT NULL,
    day                 TEXT    NOT NULL,
    readers             INTEGER NOT NULL DEFAULT 0,
    excerpts            INTEGER NOT NULL DEFAULT 0,
    discussion_messages INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day)
) WITHOUT ROWID;

-- The readers already counted in a server on a day that is not over: rolled up into
-- guild_day.readers and deleted within the hour after it ends.
CREATE TABLE day_reader (
    guild_id INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, day, user_id)
) WITHOUT ROWID;
