-- Private messages between members (forum/messages.go) and blocks.
--
-- A conversation has two or more participants; each participant's row
-- remembers how far she has read (the id of the last message she saw),
-- which gives her unread count. Messages keep their Markdown source and
-- the HTML the forum's one pipeline rendered from it.

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    created_by      INTEGER REFERENCES members (id) ON DELETE SET NULL,
    created_at      TIMESTAMP NOT NULL,
    last_message_at TIMESTAMP NOT NULL,
    message_count   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE conversation_members (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    member_id       INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    last_read_id    INTEGER NOT NULL DEFAULT 0,
    joined_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (conversation_id, member_id)
) WITHOUT ROWID;
CREATE INDEX conversation_members_member ON conversation_members (member_id, conversation_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_id       INTEGER REFERENCES members (id) ON DELETE SET NULL,
    body            TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_author ON messages (author_id);

-- member_id blocked blocked_id: blocked_id cannot message member_id.
CREATE TABLE member_blocks (
    member_id  INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    blocked_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, blocked_id),
    CHECK (member_id <> blocked_id)
) WITHOUT ROWID;
CREATE INDEX member_blocks_blocked ON member_blocks (blocked_id);
