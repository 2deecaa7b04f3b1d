-- kliv: foreign_keys off
-- Member statuses for what screening and moderation need: a suspended
-- member (until a date), one removed from the network, and a lapsed
-- alumna who has not confirmed her role. The CHECK can only change by
-- rebuilding the table; the rebuild keeps every column, index and row.

CREATE TABLE members_new (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    email          TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'deleted', 'suspended', 'removed', 'lapsed', 'withdrawn')),
    lang           TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    approved_at    TIMESTAMP,
    role_title     TEXT NOT NULL DEFAULT '',
    workplace      TEXT NOT NULL DEFAULT '',
    sector         TEXT NOT NULL DEFAULT '',
    feed_token     TEXT,
    auto_follow    INTEGER NOT NULL DEFAULT 1,
    read_all_at    TIMESTAMP,
    digest_sent_at TIMESTAMP
);
INSERT INTO members_new (id, username, email, display_name, password_hash, role, status, lang, created_at, approved_at,
                         role_title, workplace, sector, feed_token, auto_follow, read_all_at, digest_sent_at)
SELECT id, username, email, display_name, password_hash, role, status, lang, created_at, approved_at,
       role_title, workplace, sector, feed_token, auto_follow, read_all_at, digest_sent_at
FROM members;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
CREATE INDEX members_status ON members (status, id);
CREATE UNIQUE INDEX members_feed_token ON members (feed_token) WHERE feed_token IS NOT NULL;

CREATE TABLE join_requests_new (
    id                   INTEGER PRIMARY KEY,
    member_id            INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    workplace            TEXT NOT NULL,
    role_title           TEXT NOT NULL,
    staff_responsibility INTEGER NOT NULL CHECK (staff_responsibility IN (0, 1)),
    sector               TEXT NOT NULL CHECK (sector IN ('state', 'region', 'municipality', 'other')),
    motivation           TEXT NOT NULL,
    rules_accepted_at    TIMESTAMP NOT NULL,
    status               TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'needs_info', 'withdrawn')),
    reason               TEXT NOT NULL DEFAULT '',
    decided_by           INTEGER REFERENCES members (id) ON DELETE SET NULL,
    decided_at           TIMESTAMP,
    created_at           TIMESTAMP NOT NULL
);
INSERT INTO join_requests_new (id, member_id, workplace, role_title, staff_responsibility, sector, motivation,
                               rules_accepted_at, status, reason, decided_by, decided_at, created_at)
SELECT id, member_id, workplace, role_title, staff_responsibility, sector, motivation,
       rules_accepted_at, status, reason, decided_by, decided_at, created_at
FROM join_requests;
DROP TABLE join_requests;
ALTER TABLE join_requests_new RENAME TO join_requests;
CREATE UNIQUE INDEX join_requests_one_open ON join_requests (member_id) WHERE status IN ('pending', 'needs_info');
CREATE INDEX join_requests_status ON join_requests (status, created_at, id);
