-- Titles, authors and tag names are compared in any letter case (COLLATE NOCASE, as on SQLite),
-- and such a comparison uses only an index under that collation: these are SQLite's NOCASE
-- indexes, so that finding a story by its title or author costs no more in a larger library.
CREATE INDEX story_by_title_nocase ON story (title COLLATE nocase);
CREATE INDEX story_by_author_nocase ON story (author COLLATE nocase);
CREATE INDEX story_tag_by_name_nocase ON story_tag (name COLLATE nocase, story_id);
