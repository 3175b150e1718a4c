-- Readers: where each one stopped in each story, and their own preferences.

CREATE TABLE reading_progress (
    user_id        INTEGER NOT NULL,
    story_id       INTEGER NOT NULL REFERENCES story (id) ON DELETE CASCADE,
    chapter_number INTEGER NOT NULL,
    page_number    INTEGER NOT NULL,
    updated_at     TEXT    NOT NULL,
    PRIMARY KEY (user_id, story_id)
) WITHOUT ROWID;
CREATE INDEX reading_progress_by_recency ON reading_progress (user_id, updated_at DESC);

CREATE TABLE reader (
    user_id       INTEGER PRIMARY KEY,
    mature_in_dms INTEGER NOT NULL DEFAULT 0   -- opted in to Mature/Explicit/Not Rated in DMs
);

-- The filters of a /stories listing, so its page buttons keep working after a restart without
-- squeezing free text into a button's custom_id. Identical filters share one row.
CREATE TABLE browse_query (
    id      INTEGER PRIMARY KEY,
    filters TEXT NOT NULL UNIQUE      -- JSON: tag, rating, status, author, sort
);
