-- The story library: stories, their tags and chapters, pages, and full-text search.

CREATE TABLE story (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER,              -- NULL: the bundled library, visible in every guild
    source_key    TEXT    NOT NULL,     -- bundled: file name in the library folder; uploads: content hash
    content_hash  TEXT    NOT NULL,     -- of the source file(s), to make re-imports idempotent
    title         TEXT    NOT NULL,
    author        TEXT    NOT NULL,
    summary       TEXT    NOT NULL,
    rating        TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    language      TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    chapter_count INTEGER NOT NULL,
    word_count    INTEGER NOT NULL,
    page_count    INTEGER NOT NULL,     -- of all chapters, for a reader's progress through the story
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX story_by_source ON story (ifnull(guild_id, 0), source_key);
CREATE INDEX story_by_title ON story (title COLLATE NOCASE);

-- Archive warnings and the four AO3 tag kinds, in the order the author gave them.
CREATE TABLE story_tag (
    story_id INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    kind     TEXT    NOT NULL,          -- warning, fandom, relationship, character, freeform
    name     TEXT    NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (story_id, kind, name)
) WITHOUT ROWID;
CREATE INDEX story_tag_by_name ON story_tag (name COLLATE NOCASE, story_id);

CREATE TABLE chapter (
    id           INTEGER PRIMARY KEY,
    story_id     INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    title        TEXT    NOT NULL,
    text         TEXT    NOT NULL,      -- prose only: paragraphs separated by a blank line
    notes_before TEXT    NOT NULL,
    notes_after  TEXT    NOT NULL,
    word_count   INTEGER NOT NULL,
    page_count   INTEGER NOT NULL,
    pages_before INTEGER NOT NULL,      -- pages of the chapters before this one
    UNIQUE (story_id, number)
);

-- Page boundaries, computed once when a chapter is stored: character offsets into chapter.text.
CREATE TABLE page (
    chapter_id   INTEGER NOT NULL REFERENCES chapter (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset   INTEGER NOT NULL,
    PRIMARY KEY (chapter_id, number)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE chapter_fts USING fts5 (
    text, content = 'chapter', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER chapter_fts_insert AFTER INSERT ON chapter BEGIN
    INSERT INTO chapter_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER chapter_fts_delete AFTER DELETE ON chapter BEGIN
    INSERT INTO chapter_fts (chapter_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER chapter_fts_update AFTER UPDATE OF text ON chapter BEGIN
    INSERT INTO chapter_fts (chapter_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO chapter_fts (rowid, text) VALUES (new.id, new.text);
END;

-- Small facts about this installation (the last synced command tree, …).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
