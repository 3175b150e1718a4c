-- Excerpts, guild settings and the daily excerpt post.

-- Candidate excerpts, cut once when a chapter is stored. `slot` numbers them 1..N without gaps
-- (kept so on every delete), so a uniformly random one is one indexed lookup away.
CREATE TABLE excerpt (
    id           INTEGER PRIMARY KEY,
    slot         INTEGER NOT NULL UNIQUE,
    story_id     INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    chapter_id   INTEGER NOT NULL REFERENCES chapter (id) ON DELETE CASCADE,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    page_number  INTEGER NOT NULL
);
CREATE INDEX excerpt_by_story ON excerpt (story_id, id);
CREATE INDEX excerpt_by_chapter ON excerpt (chapter_id);

-- A guild's options, shown together by /settings show.
CREATE TABLE guild_settings (
    guild_id          INTEGER PRIMARY KEY,
    moderator_role_id INTEGER
);

-- One daily excerpt post per guild.
CREATE TABLE daily_schedule (
    guild_id       INTEGER PRIMARY KEY,
    channel_id     INTEGER NOT NULL,
    post_time      TEXT    NOT NULL,        -- HH:MM, local to `timezone`
    timezone       TEXT    NOT NULL,        -- an IANA name
    role_id        INTEGER,                 -- pinged with each post, if set
    tag            TEXT    NOT NULL,        -- only excerpts from stories with this tag; '' for any
    next_post_at   TEXT    NOT NULL,        -- UTC instant the next post is due
    paused_reason  TEXT,                    -- why posting stopped; NULL while active
    paused_told    INTEGER NOT NULL DEFAULT 0, -- whether moderators were told about the pause
    set_by         INTEGER NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX daily_schedule_due ON daily_schedule (next_post_at) WHERE paused_reason IS NULL;

-- Every daily post, claimed before it is sent and marked sent after, so a guild never gets two
-- posts for one day, even when the bot stops between sending and recording.
CREATE TABLE daily_post (
    guild_id   INTEGER NOT NULL,
    posted_on  TEXT    NOT NULL,            -- the local date the post is for
    excerpt_id INTEGER NOT NULL,            -- no foreign key: history outlives removed stories
    channel_id INTEGER NOT NULL,
    message_id INTEGER,                     -- NULL while claimed but not known to be sent
    late       INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,  -- sends that failed; bounded before pausing
    claimed_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, posted_on)
) WITHOUT ROWID;
CREATE INDEX daily_post_by_excerpt ON daily_post (guild_id, excerpt_id, posted_on);
