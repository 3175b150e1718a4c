-- Finding a story by what a reader types of its title or author, without reading every story:
-- story_name finds any run of three or more characters (trigrams), story_word the start of a
-- word for the one or two characters typed first.
CREATE VIRTUAL TABLE story_name USING fts5 (
    title, author, content = 'story', content_rowid = 'id', tokenize = 'trigram'
);
CREATE VIRTUAL TABLE story_word USING fts5 (
    title, author, content = 'story', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2'
);
INSERT INTO story_name (story_name) VALUES ('rebuild');
INSERT INTO story_word (story_word) VALUES ('rebuild');

CREATE TRIGGER story_names_insert AFTER INSERT ON story BEGIN
    INSERT INTO story_name (rowid, title, author) VALUES (new.id, new.title, new.author);
    INSERT INTO story_word (rowid, title, author) VALUES (new.id, new.title, new.author);
END;
CREATE TRIGGER story_names_delete AFTER DELETE ON story BEGIN
    INSERT INTO story_name (story_name, rowid, title, author)
        VALUES ('delete', old.id, old.title, old.author);
    INSERT INTO story_word (story_word, rowid, title, author)
        VALUES ('delete', old.id, old.title, old.author);
END;
CREATE TRIGGER story_names_update AFTER UPDATE OF title, author ON story BEGIN
    INSERT INTO story_name (story_name, rowid, title, author)
        VALUES ('delete', old.id, old.title, old.author);
    INSERT INTO story_word (story_word, rowid, title, author)
        VALUES ('delete', old.id, old.title, old.author);
    INSERT INTO story_name (rowid, title, author) VALUES (new.id, new.title, new.author);
    INSERT INTO story_word (rowid, title, author) VALUES (new.id, new.title, new.author);
END;
