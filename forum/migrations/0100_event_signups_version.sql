-- An event's sign-up version: raised by every change to what the
-- event block's shared part shows (organisers, attendees, their names
-- and workplaces, the sign-up order). The topic page keys its cached
-- attendee list on it (cmd/kliv/pages_events.go), so a sign-up shows at
-- once without the attendee queries on every view. Triggers keep it, so
-- no code path (cascades included) can forget to.

ALTER TABLE events ADD COLUMN signups_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER event_rsvps_version_ins AFTER INSERT ON event_rsvps BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER event_rsvps_version_upd AFTER UPDATE OF topic_id, member_id, status, queued_at, created_at ON event_rsvps BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id IN (old.topic_id, new.topic_id);
END;
CREATE TRIGGER event_rsvps_version_del AFTER DELETE ON event_rsvps BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id = old.topic_id;
END;

CREATE TRIGGER event_organisers_version_ins AFTER INSERT ON event_organisers BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER event_organisers_version_upd AFTER UPDATE ON event_organisers BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id IN (old.topic_id, new.topic_id);
END;
CREATE TRIGGER event_organisers_version_del AFTER DELETE ON event_organisers BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id = old.topic_id;
END;

-- The author is an organiser.
CREATE TRIGGER topics_event_author_version AFTER UPDATE OF author_id ON topics WHEN new.kind = 'event' BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id = new.id;
END;

-- A name, workplace or status (the list shows approved members only).
CREATE TRIGGER members_event_version AFTER UPDATE OF username, display_name, workplace, status ON members BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id IN (
        SELECT topic_id FROM event_rsvps WHERE member_id = new.id
        UNION SELECT topic_id FROM event_organisers WHERE member_id = new.id
        UNION SELECT id FROM topics WHERE author_id = new.id AND kind = 'event');
END;
