-- Full-text search over posts (forum/searchindex.go, forum/search.go).
--
-- post_search is an FTS4 table (compiled into mattn/go-sqlite3 without a
-- build tag; FTS5 needs one) with one row per readable post, docid = post
-- id, and two columns: the topic's title on the topic's first post (''
-- on replies), and the post's Markdown source. unicode61 with
-- remove_diacritics=0 keeps å, ä and ö letters of their own and folds
-- case; the prefix indexes answer "le*", "led*" and "leda*" without
-- scanning the term list; order=desc stores doclists newest first, so
-- "ORDER BY docid DESC LIMIT n" reads only the first n entries of a
-- common word instead of loading its whole doclist.
--
-- It is an external-content table whose content is the view below: the
-- text is not stored twice (about 250 MB for a million posts). Such a
-- table cannot be asked to forget a row once the row's text has changed,
-- so the triggers delete a post from the index BEFORE its row changes
-- (FTS4 reads the old text through the view) and insert it again AFTER.
-- (A contentless table, content='', cannot delete rows at all.)
--
-- What is indexed is the Markdown source, not the rendered text: the
-- tokenizer drops the syntax (*, #, [, ](, >), so the difference is the
-- parts of link URLs (https, www, se, the domain and path words) and list
-- numbers, 0.9 % of the tokens of the seeded forum. In exchange every
-- writer of posts.body (today's and tomorrow's) keeps the index in step
-- through these triggers alone, with no second plain-text column to
-- remember. Snippets are cut from the rendered text in Go, so the syntax
-- is never shown. Stored text is NFC (forum.CheckText), as the query
-- parser's words are.
CREATE VIEW post_search_content AS
    SELECT p.id AS rowid, CASE WHEN p.seq = 1 THEN t.title ELSE '' END AS title, p.body AS body
    FROM posts p JOIN topics t ON t.id = p.topic_id
    WHERE p.deleted_at IS NULL;

CREATE VIRTUAL TABLE post_search USING fts4(
    content="post_search_content", title, body,
    tokenize=unicode61 "remove_diacritics=0", prefix="2,3,4", order=DESC
);

-- A row here while a bulk load (kliv seed) runs: the triggers stand
-- aside and EndBulkLoad rebuilds the index in one pass.
CREATE TABLE search_bulk_load (
    started_at TIMESTAMP NOT NULL
);

CREATE TRIGGER post_search_ai AFTER INSERT ON posts
WHEN NOT EXISTS (SELECT 1 FROM search_bulk_load)
BEGIN
    INSERT INTO post_search (docid, title, body)
        SELECT rowid, title, body FROM post_search_content WHERE rowid = NEW.id;
END;

CREATE TRIGGER post_search_bu BEFORE UPDATE OF body, deleted_at, topic_id, seq ON posts
WHEN NOT EXISTS (SELECT 1 FROM search_bulk_load)
BEGIN
    DELETE FROM post_search WHERE docid = OLD.id;
END;

CREATE TRIGGER post_search_au AFTER UPDATE OF body, deleted_at, topic_id, seq ON posts
WHEN NOT EXISTS (SELECT 1 FROM search_bulk_load)
BEGIN
    INSERT INTO post_search (docid, title, body)
        SELECT rowid, title, body FROM post_search_content WHERE rowid = NEW.id;
END;

CREATE TRIGGER post_search_bd BEFORE DELETE ON posts
WHEN NOT EXISTS (SELECT 1 FROM search_bulk_load)
BEGIN
    DELETE FROM post_search WHERE docid = OLD.id;
END;

-- A renamed topic: its first post carries the title.
CREATE TRIGGER post_search_title_bu BEFORE UPDATE OF title ON topics
WHEN NOT EXISTS (SELECT 1 FROM search_bulk_load)
BEGIN
    DELETE FROM post_search WHERE docid = (SELECT id FROM posts WHERE topic_id = OLD.id AND seq = 1);
END;

CREATE TRIGGER post_search_title_au AFTER UPDATE OF title ON topics
WHEN NOT EXISTS (SELECT 1 FROM search_bulk_load)
BEGIN
    INSERT INTO post_search (docid, title, body)
        SELECT c.rowid, c.title, c.body FROM post_search_content c
        WHERE c.rowid = (SELECT id FROM posts WHERE topic_id = NEW.id AND seq = 1);
END;

-- A deleted topic takes its posts along (ON DELETE CASCADE), but by then
-- the view no longer shows them: forget them while it still does.
CREATE TRIGGER post_search_topic_bd BEFORE DELETE ON topics
WHEN NOT EXISTS (SELECT 1 FROM search_bulk_load)
BEGIN
    DELETE FROM post_search WHERE docid IN (SELECT id FROM posts WHERE topic_id = OLD.id);
END;

INSERT INTO post_search (post_search) VALUES ('rebuild');
