-- Finding stories by their fandoms, relationships, characters and tags without reading every
-- story. tag_name holds each name once (in any letter case), however many stories carry it;
-- tag_name_fts finds any run of three or more characters of a name (trigrams), and
-- story_tag_by_name leads from a name to its stories. Archive warnings are not names a reader
-- looks for.
CREATE TABLE tag_name (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE COLLATE NOCASE
);
CREATE VIRTUAL TABLE tag_name_fts USING fts5 (
    name, content = 'tag_name', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO tag_name (name)
    SELECT min(name) FROM story_tag WHERE kind != 'warning' GROUP BY name COLLATE NOCASE;
INSERT INTO tag_name_fts (tag_name_fts) VALUES ('rebuild');

CREATE TRIGGER tag_name_insert AFTER INSERT ON tag_name BEGIN
    INSERT INTO tag_name_fts (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER tag_name_delete AFTER DELETE ON tag_name BEGIN
    INSERT INTO tag_name_fts (tag_name_fts, rowid, name) VALUES ('delete', old.id, old.name);
END;

-- Kept in step with whatever writes a story's tags (library.py `write_story`, uploads.py
-- `edit_story`, a story deleted with its tags), inside the statement that writes them and so in
-- its transaction: a name is added when the first story takes it and goes when the last one
-- drops it. A tag written costs a lookup in an index; the full-text index is written only when
-- a name is new or gone.
CREATE TRIGGER story_tag_names_insert AFTER INSERT ON story_tag WHEN new.kind != 'warning' BEGIN
    INSERT INTO tag_name (name)
        SELECT new.name WHERE NOT EXISTS (SELECT 1 FROM tag_name WHERE name = new.name);
END;
CREATE TRIGGER story_tag_names_delete AFTER DELETE ON story_tag WHEN old.kind != 'warning' BEGIN
    DELETE FROM tag_name WHERE name = old.name AND NOT EXISTS (
        SELECT 1 FROM story_tag
        WHERE story_tag.name = old.name COLLATE NOCASE AND story_tag.kind != 'warning');
END;
CREATE TRIGGER story_tag_names_update AFTER UPDATE OF kind, name ON story_tag BEGIN
    INSERT INTO tag_name (name)
        SELECT new.name WHERE new.kind != 'warning'
        AND NOT EXISTS (SELECT 1 FROM tag_name WHERE name = new.name);
    DELETE FROM tag_name WHERE name = old.name AND NOT EXISTS (
        SELECT 1 FROM story_tag
        WHERE story_tag.name = old.name COLLATE NOCASE AND story_tag.kind != 'warning');
END;
