-- Full-text search on PostgreSQL (forum/search_pg.go), the counterpart of
-- SQLite's FTS4 table post_search (migrations 0004, 0005, 0011, 0060).
--
-- post_search holds one row per readable post (not deleted, not hidden):
-- title is the topic's title as a tsvector on the topic's first post
-- (empty on replies), doc the title (weight A) and the post's Markdown
-- source (weight B) together. A GIN index answers words, prefixes
-- ('led':*) and phrases (<->); the primary key read backwards gives "the
-- newest matches" of a common word without reading all of them.
--
-- Words are made as SQLite's unicode61 tokenizer (remove_diacritics=0)
-- makes them, so the query parser (forum/search) needs one tokenizer for
-- both engines: letters and digits, everything else separates, case
-- folded by Unicode rules, å, ä and ö letters of their own ("öst" is not
-- "ost"). The ICU root collation does the folding and the letter classes
-- whatever the database's locale (a database made in the C locale would
-- leave "Å" upper-case and count "–" as a letter), and the 'simple'
-- configuration keeps every word as it is: no stop words ("och" is
-- searchable, as on SQLite) and no stemming (Swedish forms are found by
-- the query, see search_pg.go).
CREATE FUNCTION kliv_search_words(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(lower(s COLLATE "und-x-icu"), '[^[:alnum:]]+', ' ', 'g');

CREATE FUNCTION kliv_search_vector(s text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN to_tsvector('simple'::regconfig, kliv_search_words(s));

CREATE TABLE post_search (
    post_id bigint PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    title   tsvector NOT NULL,
    doc     tsvector NOT NULL
);
CREATE INDEX post_search_doc ON post_search USING gin (doc);
CREATE INDEX post_search_title ON post_search USING gin (title);

-- post_search_words lists every word the index has held (as FTS4's term
-- list does for SQLite; a word whose last post went away may stay), so a
-- search asks for a word's other forms that exist: a tsquery naming forms
-- that exist nowhere makes the planner guess them common.
CREATE TABLE post_search_words (
    word text COLLATE "C" PRIMARY KEY
);

-- kliv_post_search_put writes post pid's row again from the post and
-- its topic, or removes it when the post is deleted or hidden. It stands
-- aside while a bulk load runs (a row in search_bulk_load); the loader
-- rebuilds the table at the end.
CREATE FUNCTION kliv_post_search_put(pid bigint) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM search_bulk_load) THEN
        RETURN;
    END IF;
    DELETE FROM post_search WHERE post_id = pid;
    INSERT INTO post_search (post_id, title, doc)
        SELECT p.id, x.tv, setweight(x.tv, 'A') || setweight(kliv_search_vector(p.body), 'B')
        FROM posts p JOIN topics t ON t.id = p.topic_id,
            LATERAL (SELECT CASE WHEN p.seq = 1 THEN kliv_search_vector(t.title) ELSE ''::tsvector END AS tv) x
        WHERE p.id = pid AND p.deleted_at IS NULL AND p.hidden_at IS NULL;
    INSERT INTO post_search_words (word)
        SELECT unnest(tsvector_to_array(doc)) FROM post_search WHERE post_id = pid
        ON CONFLICT DO NOTHING;
END
$$;

CREATE FUNCTION kliv_post_search_post() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kliv_post_search_put(NEW.id);
    RETURN NULL;
END
$$;

CREATE FUNCTION kliv_post_search_topic() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kliv_post_search_put(p.id) FROM posts p WHERE p.topic_id = NEW.id AND p.seq = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER post_search_ai AFTER INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION kliv_post_search_post();

CREATE TRIGGER post_search_au AFTER UPDATE OF body, deleted_at, hidden_at, topic_id, seq ON posts
    FOR EACH ROW
    WHEN (OLD.body IS DISTINCT FROM NEW.body OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at
        OR OLD.hidden_at IS DISTINCT FROM NEW.hidden_at OR OLD.topic_id IS DISTINCT FROM NEW.topic_id
        OR OLD.seq IS DISTINCT FROM NEW.seq)
    EXECUTE FUNCTION kliv_post_search_post();

-- A renamed topic: its first post carries the title. (A deleted post's
-- row goes with it through the foreign key.)
CREATE TRIGGER post_search_title_au AFTER UPDATE OF title ON topics
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title)
    EXECUTE FUNCTION kliv_post_search_topic();
