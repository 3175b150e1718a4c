-- A reader's preferences, theirs in every server and in DMs: short pages (each stored page shown
-- in parts, for phones) and author's notes hidden. The defaults read as before.
ALTER TABLE reader ADD COLUMN page_length TEXT NOT NULL DEFAULT 'standard'
    CHECK (page_length IN ('standard', 'short'));
ALTER TABLE reader ADD COLUMN notes_shown INTEGER NOT NULL DEFAULT 1;

-- Where a reader of short pages stopped within the page: its part (1 for a whole page).
ALTER TABLE reading_progress ADD COLUMN part INTEGER NOT NULL DEFAULT 1;
