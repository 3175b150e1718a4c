-- Members publish their own stories: a server says who may submit, its moderators review each
-- submission before any of it is in the library, and a trusted writer's new chapters skip that.
ALTER TABLE story ADD COLUMN author_id INTEGER;  -- the member who wrote it, if one submitted it
CREATE INDEX story_by_author_id ON story (guild_id, author_id) WHERE author_id IS NOT NULL;

ALTER TABLE guild_settings ADD COLUMN submissions TEXT NOT NULL DEFAULT 'off';
ALTER TABLE guild_settings ADD COLUMN writer_role_id INTEGER;
ALTER TABLE guild_settings ADD COLUMN submission_max_bytes INTEGER;
ALTER TABLE guild_settings ADD COLUMN submissions_per_day INTEGER NOT NULL DEFAULT 3;

CREATE TABLE trusted_writer (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    trusted_by INTEGER NOT NULL,
    trusted_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- A submission holds its story as parsed (JSON) until a moderator decides: a new story, or new
-- chapters of the story it names. An approved new story names the story it became; a rejected
-- submission is kept for the record, never shown.
CREATE TABLE submission (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    author_id     INTEGER NOT NULL,
    author_name   TEXT    NOT NULL,
    story_id      INTEGER REFERENCES story (id) ON DELETE CASCADE,
    new_story     INTEGER NOT NULL,
    draft         TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    rating        TEXT    NOT NULL,
    chapter_count INTEGER NOT NULL,
    word_count    INTEGER NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'waiting',
    reason        TEXT    NOT NULL DEFAULT '',
    submitted_at  TEXT    NOT NULL,
    decided_by    INTEGER,
    decided_at    TEXT
);
CREATE INDEX submission_queue ON submission (guild_id, id) WHERE state = 'waiting';
CREATE INDEX submission_by_author ON submission (guild_id, author_id, submitted_at);
