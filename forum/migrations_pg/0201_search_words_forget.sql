-- A word leaves post_search_words when the last post holding it goes
-- (deleted, hidden, or edited away), so a member's removed text leaves no
-- trace in the word list either (the account deletion test searches every
-- row for it). Only words the post no longer holds are looked up, each
-- with one GIN probe.
CREATE OR REPLACE FUNCTION kliv_post_search_put(pid bigint) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    old_words text[];
BEGIN
    IF EXISTS (SELECT 1 FROM search_bulk_load) THEN
        RETURN;
    END IF;
    SELECT tsvector_to_array(doc) INTO old_words FROM post_search WHERE post_id = pid;
    PERFORM set_config('kliv.search_put', '1', true);
    DELETE FROM post_search WHERE post_id = pid;
    PERFORM set_config('kliv.search_put', '', true);
    INSERT INTO post_search (post_id, title, doc)
        SELECT p.id, x.tv, setweight(x.tv, 'A') || setweight(kliv_search_vector(p.body), 'B')
        FROM posts p JOIN topics t ON t.id = p.topic_id,
            LATERAL (SELECT CASE WHEN p.seq = 1 THEN kliv_search_vector(t.title) ELSE ''::tsvector END AS tv) x
        WHERE p.id = pid AND p.deleted_at IS NULL AND p.hidden_at IS NULL;
    INSERT INTO post_search_words (word)
        SELECT unnest(tsvector_to_array(doc)) FROM post_search WHERE post_id = pid
        ON CONFLICT DO NOTHING;
    IF old_words IS NOT NULL THEN
        DELETE FROM post_search_words w
        WHERE w.word = ANY (old_words)
          AND NOT EXISTS (SELECT 1 FROM post_search s WHERE s.post_id = pid
                AND s.doc @@ to_tsquery('simple', quote_literal(w.word)))
          AND NOT EXISTS (SELECT 1 FROM post_search s
                WHERE s.doc @@ to_tsquery('simple', quote_literal(w.word)));
    END IF;
END
$$;

-- A row that goes without kliv_post_search_put (a post removed with its
-- topic, through the foreign key) takes its last words along too.
CREATE FUNCTION kliv_post_search_gone() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF COALESCE(current_setting('kliv.search_put', true), '') = '1' THEN
        RETURN NULL;
    END IF;
    DELETE FROM post_search_words w
    WHERE w.word = ANY (tsvector_to_array(OLD.doc))
      AND NOT EXISTS (SELECT 1 FROM post_search s
            WHERE s.doc @@ to_tsquery('simple', quote_literal(w.word)));
    RETURN NULL;
END
$$;
CREATE TRIGGER post_search_gone AFTER DELETE ON post_search
    FOR EACH ROW EXECUTE FUNCTION kliv_post_search_gone();
