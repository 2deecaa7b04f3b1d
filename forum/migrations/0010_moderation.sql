-- Moderation: members' reports of posts, the sanctions moderators give,
-- hidden posts and the end of a suspension.

-- A post a moderator hid: others see why, its author and moderators see
-- the text too.
ALTER TABLE posts ADD COLUMN hidden_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';

-- When a suspended member may come back; NULL for everyone else.
ALTER TABLE members ADD COLUMN suspended_until TIMESTAMP;

-- reports: a member (or the system, by_system = 1) flags a post. One
-- open report per member and post, one open system report per post.
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    reporter_id INTEGER REFERENCES members (id) ON DELETE SET NULL,
    by_system   INTEGER NOT NULL DEFAULT 0 CHECK (by_system IN (0, 1)),
    reason      TEXT NOT NULL CHECK (reason IN ('off_topic', 'disrespectful', 'personal_data', 'spam', 'other')),
    note        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'resolved')),
    outcome     TEXT NOT NULL DEFAULT '',
    resolved_by INTEGER REFERENCES members (id) ON DELETE SET NULL,
    resolved_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX reports_one_open ON reports (post_id, reporter_id) WHERE status = 'open' AND by_system = 0;
CREATE UNIQUE INDEX reports_one_open_system ON reports (post_id) WHERE status = 'open' AND by_system = 1;
CREATE INDEX reports_status ON reports (status, post_id, id);

-- sanctions: what a moderator did to a member or her post, for the
-- member's record that the queue shows.
CREATE TABLE sanctions (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('warning', 'suspension', 'removal', 'post_hidden', 'post_deleted')),
    reason     TEXT NOT NULL DEFAULT '',
    post_id    INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    until      TIMESTAMP,
    by_id      INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    lifted_at  TIMESTAMP
);
CREATE INDEX sanctions_member ON sanctions (member_id, id);
