-- An author's name typed by hand is looked up in any letter case in this index rather than in
-- every story: it is checked against the stories the reader may see before they follow the
-- author or list their stories.
CREATE INDEX story_by_author ON story (author COLLATE NOCASE);
