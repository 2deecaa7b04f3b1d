-- Events: a topic of kind 'event' with its time, place and sign-ups.
-- Times are UTC instants; they are shown in Europe/Stockholm.

CREATE TABLE events (
    topic_id     INTEGER PRIMARY KEY REFERENCES topics (id) ON DELETE CASCADE,
    starts_at    TIMESTAMP NOT NULL,
    ends_at      TIMESTAMP NOT NULL,
    location     TEXT NOT NULL DEFAULT '',
    online_url   TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL DEFAULT '',
    -- NULL: no limit.
    capacity     INTEGER CHECK (capacity IS NULL OR capacity >= 1),
    official     INTEGER NOT NULL DEFAULT 0 CHECK (official IN (0, 1)),
    -- The iCalendar SEQUENCE: raised by every edit that changes what a
    -- calendar shows, and by cancelling.
    sequence     INTEGER NOT NULL DEFAULT 0,
    cancelled_at TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
-- Upcoming lists (ends_at in the future, by start) and the archive.
CREATE INDEX events_ends ON events (ends_at, starts_at);
CREATE INDEX events_starts ON events (starts_at, topic_id);
CREATE INDEX events_official ON events (official, starts_at) WHERE official = 1;

-- Organisers besides the author (the author is always one).
CREATE TABLE event_organisers (
    topic_id  INTEGER NOT NULL REFERENCES events (topic_id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    PRIMARY KEY (topic_id, member_id)
) WITHOUT ROWID;
CREATE INDEX event_organisers_member ON event_organisers (member_id);

-- Sign-ups. status 'waitlisted' is a "going" past the capacity; the
-- waiting list moves up in order of queued_at.
CREATE TABLE event_rsvps (
    topic_id    INTEGER NOT NULL REFERENCES events (topic_id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('going', 'waitlisted', 'maybe', 'not_going')),
    queued_at   TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    -- The day-before reminder went out (never twice).
    reminded_at TIMESTAMP,
    PRIMARY KEY (topic_id, member_id)
) WITHOUT ROWID;
CREATE INDEX event_rsvps_status ON event_rsvps (topic_id, status, queued_at);
CREATE INDEX event_rsvps_member ON event_rsvps (member_id, status);
