-- Moderators' uploads and edits, their audit trail, subscriptions and the notification outbox.

ALTER TABLE story ADD COLUMN removed_at TEXT;   -- soft delete: hidden everywhere, undoable
ALTER TABLE guild_settings ADD COLUMN announce_channel_id INTEGER;
ALTER TABLE guild_settings ADD COLUMN announce_role_id INTEGER;

-- Every file uploaded to a guild, to recognise the same content uploaded again.
CREATE TABLE upload (
    guild_id     INTEGER NOT NULL,
    content_hash TEXT    NOT NULL,
    story_id     INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, content_hash)
) WITHOUT ROWID;

-- Who changed what, and when.
CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    story_id INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL,
    action   TEXT    NOT NULL,              -- upload, append, edit, remove, restore, move-chapter
    detail   TEXT    NOT NULL,
    at       TEXT    NOT NULL
);
CREATE INDEX audit_by_story ON audit (story_id, id);

-- What a reader follows in a guild: one story, an author, or everything new.
CREATE TABLE subscription (
    user_id  INTEGER NOT NULL,
    guild_id INTEGER NOT NULL,
    kind     TEXT    NOT NULL,              -- story, author, all
    target   TEXT    NOT NULL,              -- story id, author name in lower case, or ''
    created_at TEXT  NOT NULL,
    PRIMARY KEY (user_id, guild_id, kind, target)
) WITHOUT ROWID;
CREATE INDEX subscription_by_target ON subscription (guild_id, kind, target);

-- How a reader wants to be told, and whether they must hear that their DMs are closed.
CREATE TABLE subscriber (
    user_id        INTEGER PRIMARY KEY,
    by_mention     INTEGER NOT NULL DEFAULT 0,  -- mention in the announcements channel, not DM
    dm_closed_news INTEGER NOT NULL DEFAULT 0   -- a DM failed and they have not been told yet
);

-- Notifications waiting to be delivered, written in the same transaction as the upload.
CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    guild_id       INTEGER NOT NULL,
    recipient_kind TEXT    NOT NULL,        -- user, channel
    recipient_id   INTEGER NOT NULL,
    story_id       INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    first_chapter  INTEGER NOT NULL,
    last_chapter   INTEGER NOT NULL,
    new_story      INTEGER NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'pending',  -- pending, sent, failed, dropped
    attempts       INTEGER NOT NULL DEFAULT 0,
    reason         TEXT,
    created_at     TEXT    NOT NULL,
    done_at        TEXT
);
CREATE INDEX outbox_pending ON outbox (recipient_kind, recipient_id, id) WHERE status = 'pending';
CREATE INDEX outbox_by_story ON outbox (story_id) WHERE status = 'pending';
