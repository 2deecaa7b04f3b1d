-- The forum: categories, topics of four kinds, threaded posts with their
-- Markdown and rendered HTML, earlier versions of edited posts, and "Tack".

ALTER TABLE members ADD COLUMN role_title TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN workplace TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN sector TEXT NOT NULL DEFAULT '';

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    archived_at TIMESTAMP,
    topic_count INTEGER NOT NULL DEFAULT 0,
    post_count  INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX categories_position ON categories (position, id);

CREATE TABLE topics (
    id             INTEGER PRIMARY KEY,
    category_id    INTEGER NOT NULL REFERENCES categories (id),
    author_id      INTEGER REFERENCES members (id) ON DELETE SET NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('discussion', 'question', 'tip', 'link', 'event')),
    title          TEXT NOT NULL,
    url            TEXT,
    first_post_id  INTEGER,
    answer_post_id INTEGER,
    post_count     INTEGER NOT NULL DEFAULT 0,
    thanks_count   INTEGER NOT NULL DEFAULT 0,
    locked_at      TIMESTAMP,
    pinned         INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL,
    last_post_at   TIMESTAMP NOT NULL,
    last_post_id   INTEGER,
    last_poster_id INTEGER REFERENCES members (id) ON DELETE SET NULL
);
CREATE INDEX topics_latest ON topics (last_post_at DESC, id DESC);
CREATE INDEX topics_category_latest ON topics (category_id, last_post_at DESC, id DESC);
CREATE INDEX topics_url ON topics (url) WHERE url IS NOT NULL;
CREATE INDEX topics_author ON topics (author_id, id);

CREATE TABLE posts (
    id           INTEGER PRIMARY KEY,
    topic_id     INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    author_id    INTEGER REFERENCES members (id) ON DELETE SET NULL,
    reply_to     INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    body         TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    thanks_count INTEGER NOT NULL DEFAULT 0,
    reply_count  INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    edited_at    TIMESTAMP,
    deleted_at   TIMESTAMP,
    deleted_by   TEXT NOT NULL DEFAULT '' CHECK (deleted_by IN ('', 'author', 'moderator')),
    UNIQUE (topic_id, seq)
);
CREATE INDEX posts_reply_to ON posts (reply_to) WHERE reply_to IS NOT NULL;
CREATE INDEX posts_author ON posts (author_id, id);

CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    edited_by  INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (post_id, version)
);

CREATE TABLE reactions (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (post_id, member_id)
) WITHOUT ROWID;
CREATE INDEX reactions_member ON reactions (member_id);

INSERT INTO categories (slug, name, description, position, created_at) VALUES
 ('ledarskap', 'Ledarskap', 'Att leda medarbetare och chefer: samtal, beslut, förändring och det egna ledarskapet.', 1, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
 ('aldreomsorg', 'Äldreomsorg', 'Hemtjänst, särskilt boende och hälso- och sjukvård för äldre.', 2, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
 ('skola-och-forskola', 'Skola och förskola', 'Förskola, grundskola, gymnasium och vuxenutbildning.', 3, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
 ('socialtjanst', 'Socialtjänst', 'Individ- och familjeomsorg, funktionsstöd, ekonomiskt bistånd.', 4, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
 ('halso-och-sjukvard', 'Hälso- och sjukvård', 'Primärvård, slutenvård och psykiatri i regionerna.', 5, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
 ('arbetsmiljo-och-rekrytering', 'Arbetsmiljö och rekrytering', 'Kompetensförsörjning, sjukfrånvaro, schema och arbetsmiljöarbete.', 6, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
 ('styrning', 'Styrning och tillitsbaserad ledning', 'Budget, uppföljning, politisk styrning och tillitsbaserad styrning.', 7, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
 ('tips-och-lankar', 'Tips och länkar', 'Rapporter, verktyg, poddar och böcker som är värda att dela.', 8, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
 ('traffar', 'Träffar', 'Nätverksträffar, fika och studiebesök runt om i landet.', 9, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')),
 ('fikarummet', 'Fikarummet', 'Allt annat: det lättsamma och det som inte passar någon annanstans.', 10, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now'));
