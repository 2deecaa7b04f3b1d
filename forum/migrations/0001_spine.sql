-- The spine: members, sessions, tokens, password resets, join requests,
-- the audit log, the mail outbox and settings.

CREATE TABLE members (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL COLLATE NOCASE UNIQUE,
    email         TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'deleted')),
    lang          TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    approved_at   TIMESTAMP
);
CREATE INDEX members_status ON members (status, id);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    member_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_member ON sessions (member_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    member_id    INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_member ON api_tokens (member_id);

CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_resets_member ON password_resets (member_id);

CREATE TABLE join_requests (
    id                   INTEGER PRIMARY KEY,
    member_id            INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    workplace            TEXT NOT NULL,
    role_title           TEXT NOT NULL,
    staff_responsibility INTEGER NOT NULL CHECK (staff_responsibility IN (0, 1)),
    sector               TEXT NOT NULL CHECK (sector IN ('state', 'region', 'municipality', 'other')),
    motivation           TEXT NOT NULL,
    rules_accepted_at    TIMESTAMP NOT NULL,
    status               TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'needs_info')),
    reason               TEXT NOT NULL DEFAULT '',
    decided_by           INTEGER REFERENCES members (id) ON DELETE SET NULL,
    decided_at           TIMESTAMP,
    created_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX join_requests_one_open ON join_requests (member_id) WHERE status IN ('pending', 'needs_info');
CREATE INDEX join_requests_status ON join_requests (status, created_at, id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER REFERENCES members (id) ON DELETE SET NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   INTEGER NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at DESC, id DESC);

CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    member_id     INTEGER REFERENCES members (id) ON DELETE SET NULL,
    kind          TEXT NOT NULL,
    to_addr       TEXT NOT NULL,
    subject       TEXT NOT NULL,
    body          TEXT NOT NULL,
    headers       TEXT NOT NULL DEFAULT '{}',
    message_id    TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    send_after    TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    sent_at       TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, send_after, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
