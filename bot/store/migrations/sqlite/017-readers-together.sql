-- Readers together: kudos (one per reader per story), bookmarks with notes and the list to read
-- later, each chapter's discussion thread in a server, and the daily digest authors get.
CREATE TABLE kudos (
    story_id INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL,
    given_at TEXT    NOT NULL,
    PRIMARY KEY (story_id, user_id)
);
CREATE INDEX kudos_by_time ON kudos (story_id, given_at);
-- Kept with the kudos, in the same transaction: /stories sorts by it in one indexed scan.
ALTER TABLE story ADD COLUMN kudos_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX story_by_kudos ON story (kudos_count DESC, id);

-- A reader's shelf: AO3's bookmarks (kind 'bookmark', with a note, public or private) and
-- stories marked for later (kind 'later'); guild_id is where it was made (None: in DMs), and a
-- public bookmark is shown on the story's card there.
CREATE TABLE shelf (
    user_id    INTEGER NOT NULL,
    story_id   INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    public     INTEGER NOT NULL DEFAULT 0,
    guild_id   INTEGER,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, kind, story_id)
);
CREATE INDEX shelf_by_reader ON shelf (user_id, created_at);
CREATE INDEX shelf_public ON shelf (story_id, guild_id, created_at) WHERE public = 1;

ALTER TABLE guild_settings ADD COLUMN discussion_channel_id INTEGER;

-- A chapter's discussion in a server: made once, on first use, and found again by its thread.
CREATE TABLE discussion (
    guild_id     INTEGER NOT NULL,
    chapter_id   INTEGER NOT NULL REFERENCES chapter (id) ON DELETE CASCADE,
    story_id     INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    thread_id    INTEGER NOT NULL UNIQUE,
    new_messages INTEGER NOT NULL DEFAULT 0,  -- since the author's last digest
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, chapter_id)
);
CREATE INDEX discussion_by_story ON discussion (story_id);

-- When each author of a server was last sent their digest of kudos and discussion.
CREATE TABLE author_digest (
    guild_id  INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    sent_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, author_id)
);
