-- Readers following threads: read marks, follows, notifications, mail
-- preferences, bookmarks and the private feed token.

ALTER TABLE members ADD COLUMN feed_token TEXT;
ALTER TABLE members ADD COLUMN auto_follow INTEGER NOT NULL DEFAULT 1;
-- Topics whose last activity is before this count as read ("mark all").
ALTER TABLE members ADD COLUMN read_all_at TIMESTAMP;
ALTER TABLE members ADD COLUMN digest_sent_at TIMESTAMP;
CREATE UNIQUE INDEX members_feed_token ON members (feed_token) WHERE feed_token IS NOT NULL;

-- How far a member has read a topic, by post sequence number.
CREATE TABLE topic_reads (
    member_id     INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    topic_id      INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    last_read_seq INTEGER NOT NULL,
    read_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, topic_id)
) WITHOUT ROWID;

-- "Mark all as read" for one category.
CREATE TABLE category_reads (
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    read_all_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, category_id)
) WITHOUT ROWID;

-- level: 'watching' (notify of every post) or 'muted' (never).
CREATE TABLE topic_follows (
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    topic_id   INTEGER NOT NULL REFERENCES topics (id) ON DELETE CASCADE,
    level      TEXT NOT NULL CHECK (level IN ('watching', 'muted')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX topic_follows_topic ON topic_follows (topic_id, level);

CREATE TABLE category_follows (
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    level       TEXT NOT NULL CHECK (level IN ('watching', 'muted')),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, category_id)
) WITHOUT ROWID;
CREATE INDEX category_follows_category ON category_follows (category_id, level);

-- kind: reply, posted, new_topic, mention, answer, thanks, join_decision,
-- reminder. Thanks are grouped per post: one row, actors in data.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    topic_id   INTEGER REFERENCES topics (id) ON DELETE CASCADE,
    post_id    INTEGER REFERENCES posts (id) ON DELETE CASCADE,
    actor_id   INTEGER REFERENCES members (id) ON DELETE SET NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    read_at    TIMESTAMP,
    mailed_at  TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX notifications_member ON notifications (member_id, updated_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (member_id) WHERE read_at IS NULL;
CREATE INDEX notifications_unmailed ON notifications (member_id, created_at) WHERE mailed_at IS NULL;
CREATE INDEX notifications_post ON notifications (post_id, kind);

-- mode per kind of notification: instant, daily, weekly or never. A
-- missing row means the kind's default.
CREATE TABLE mail_prefs (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    mode      TEXT NOT NULL CHECK (mode IN ('instant', 'daily', 'weekly', 'never')),
    PRIMARY KEY (member_id, kind)
) WITHOUT ROWID;

CREATE TABLE bookmarks (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    note        TEXT NOT NULL DEFAULT '',
    remind_at   TIMESTAMP,
    reminded_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (member_id, post_id)
);
CREATE INDEX bookmarks_member ON bookmarks (member_id, id DESC);
CREATE INDEX bookmarks_due ON bookmarks (remind_at) WHERE remind_at IS NOT NULL AND reminded_at IS NULL;
