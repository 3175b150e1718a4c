-- The chapter menu reads the titles of the chapters around a page's chapter: from this index
-- alone, instead of from each chapter's row, which sits beside its text.
CREATE INDEX chapter_titles ON chapter (story_id, number, title);
