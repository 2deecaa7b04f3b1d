-- kliv: foreign_keys off
-- Screening: join requests that can be sent back for more information
-- ("completed" when the applicant answered), claimed by a moderator,
-- rejected only after a second moderator agrees, or approved at once by
-- an invitation; the request's history; answers to questions admins add;
-- moderators' verification notes; editable rejection reasons;
-- invitations; the yearly role confirmation; hiding the role on a post.
-- join_requests is rebuilt for its status CHECK; every row is kept.

CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL COLLATE NOCASE,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by INTEGER REFERENCES members (id) ON DELETE SET NULL,
    lang       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    member_id  INTEGER REFERENCES members (id) ON DELETE SET NULL
);
CREATE INDEX invitations_email ON invitations (email);
CREATE INDEX invitations_created ON invitations (created_at DESC, id DESC);

CREATE TABLE join_requests_new (
    id                   INTEGER PRIMARY KEY,
    member_id            INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    workplace            TEXT NOT NULL,
    role_title           TEXT NOT NULL,
    staff_responsibility INTEGER NOT NULL CHECK (staff_responsibility IN (0, 1)),
    sector               TEXT NOT NULL CHECK (sector IN ('state', 'region', 'municipality', 'other')),
    motivation           TEXT NOT NULL,
    rules_accepted_at    TIMESTAMP NOT NULL,
    status               TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'needs_info', 'withdrawn', 'completed')),
    reason               TEXT NOT NULL DEFAULT '',
    decided_by           INTEGER REFERENCES members (id) ON DELETE SET NULL,
    decided_at           TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    -- the moderator handling it, until claimed_until
    claimed_by           INTEGER REFERENCES members (id) ON DELETE SET NULL,
    claimed_until        TIMESTAMP,
    -- a rejection waiting for a second moderator
    proposed_by          INTEGER REFERENCES members (id) ON DELETE SET NULL,
    proposed_reason      TEXT NOT NULL DEFAULT '',
    proposed_at          TIMESTAMP,
    -- the moderator's question while it is needs_info
    question             TEXT NOT NULL DEFAULT '',
    -- when it last entered the queue (sent or completed)
    queued_at            TIMESTAMP,
    -- moderators were mailed that it has waited too long
    alerted_at           TIMESTAMP,
    invitation_id        INTEGER REFERENCES invitations (id) ON DELETE SET NULL
);
INSERT INTO join_requests_new (id, member_id, workplace, role_title, staff_responsibility, sector, motivation,
                               rules_accepted_at, status, reason, decided_by, decided_at, created_at, queued_at)
SELECT id, member_id, workplace, role_title, staff_responsibility, sector, motivation,
       rules_accepted_at, status, reason, decided_by, decided_at, created_at, created_at
FROM join_requests;
DROP TABLE join_requests;
ALTER TABLE join_requests_new RENAME TO join_requests;
CREATE UNIQUE INDEX join_requests_one_open ON join_requests (member_id) WHERE status IN ('pending', 'needs_info', 'completed');
CREATE INDEX join_requests_status ON join_requests (status, created_at, id);
CREATE INDEX join_requests_queue ON join_requests (status, id);
CREATE INDEX join_requests_member ON join_requests (member_id, id);
CREATE INDEX join_requests_decided ON join_requests (decided_at) WHERE decided_at IS NOT NULL;
CREATE INDEX join_requests_invitation ON join_requests (invitation_id) WHERE invitation_id IS NOT NULL;

-- What happened to a request, in order: the answers as they were when
-- sent or completed (JSON), each question, decision and message.
CREATE TABLE join_request_events (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES join_requests (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('submitted', 'asked', 'completed', 'approved', 'rejected',
                                             'reject_proposed', 'reject_declined', 'withdrawn', 'invited')),
    actor_id   INTEGER REFERENCES members (id) ON DELETE SET NULL,
    message    TEXT NOT NULL DEFAULT '',
    answers    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX join_request_events_request ON join_request_events (request_id, id);

-- The join form's questions. The five built-in ones (the API's answers)
-- can be reworded, reordered and, some, made optional; admins add free
-- text and yes/no questions. Empty labels fall back to the catalog.
CREATE TABLE join_questions (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('builtin', 'text', 'yesno')),
    position    INTEGER NOT NULL,
    required    INTEGER NOT NULL DEFAULT 1 CHECK (required IN (0, 1)),
    label_sv    TEXT NOT NULL DEFAULT '',
    label_en    TEXT NOT NULL DEFAULT '',
    hint_sv     TEXT NOT NULL DEFAULT '',
    hint_en     TEXT NOT NULL DEFAULT '',
    archived_at TIMESTAMP
);
INSERT INTO join_questions (key, kind, position) VALUES
    ('workplace', 'builtin', 1), ('role', 'builtin', 2), ('staff_responsibility', 'builtin', 3),
    ('sector', 'builtin', 4), ('motivation', 'builtin', 5);

-- Answers to the questions admins added, per request.
CREATE TABLE join_answers (
    request_id  INTEGER NOT NULL REFERENCES join_requests (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES join_questions (id) ON DELETE CASCADE,
    value       TEXT NOT NULL,
    PRIMARY KEY (request_id, question_id)
);

-- How a moderator checked an answer; moderators only.
CREATE TABLE join_verifications (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES join_requests (id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('email_domain', 'staff_page', 'phone', 'known', 'other')),
    note         TEXT NOT NULL DEFAULT '',
    member_id    INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX join_verifications_request ON join_verifications (request_id, id);

-- The ready-made rejection reasons. Built-in codes take their words from
-- the catalog unless admins reworded them.
CREATE TABLE reject_reasons (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    position    INTEGER NOT NULL,
    text_sv     TEXT NOT NULL DEFAULT '',
    text_en     TEXT NOT NULL DEFAULT '',
    archived_at TIMESTAMP
);
INSERT INTO reject_reasons (code, position) VALUES
    ('not_public_sector', 1), ('no_staff', 2), ('not_leader', 3), ('incomplete', 4), ('duplicate', 5);

-- The yearly confirmation of role and organisation.
ALTER TABLE members ADD COLUMN role_confirmed_at TIMESTAMP;
ALTER TABLE members ADD COLUMN confirm_asked_at TIMESTAMP;
UPDATE members SET role_confirmed_at = approved_at WHERE approved_at IS NOT NULL;

-- A member may hide her role line on a post.
ALTER TABLE posts ADD COLUMN hide_role INTEGER NOT NULL DEFAULT 0 CHECK (hide_role IN (0, 1));
