-- A post a moderator hid leaves the search index, and comes back when it
-- is shown again: the index's content view leaves hidden posts out, and
-- hiding or showing one re-indexes it as the body's triggers do.
DROP VIEW post_search_content;
CREATE VIEW post_search_content AS
    SELECT p.id AS rowid, CASE WHEN p.seq = 1 THEN t.title ELSE '' END AS title, p.body AS body
    FROM posts p JOIN topics t ON t.id = p.topic_id
    WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL;

CREATE TRIGGER post_search_hidden_bu BEFORE UPDATE OF hidden_at ON posts
WHEN NOT EXISTS (SELECT 1 FROM search_bulk_load) AND OLD.hidden_at IS NULL AND NEW.hidden_at IS NOT NULL
BEGIN
    DELETE FROM post_search WHERE docid = OLD.id;
END;

CREATE TRIGGER post_search_hidden_au AFTER UPDATE OF hidden_at ON posts
WHEN NOT EXISTS (SELECT 1 FROM search_bulk_load) AND OLD.hidden_at IS NOT NULL AND NEW.hidden_at IS NULL
BEGIN
    INSERT INTO post_search (docid, title, body)
        SELECT rowid, title, body FROM post_search_content WHERE rowid = NEW.id;
END;
