-- Search finds a word in any of its forms ("gears" finds "gear", "danced" finds "dancing"): the
-- chapter index keeps each word's stem (the Porter stemmer, over the same unicode61 words), and
-- queries are stemmed alike. The index is made again from the chapters' text; the old one goes
-- first, so that the file never holds two copies of it. The store writes to it by name, as
-- before (library.py `insert_chapters`, `delete_chapters`).
DROP TABLE chapter_fts;
CREATE VIRTUAL TABLE chapter_fts USING fts5 (
    text, content = 'chapter', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO chapter_fts (chapter_fts) VALUES ('rebuild');
