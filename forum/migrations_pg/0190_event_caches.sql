-- The event caches' versions and sign-up counts (SQLite migrations
-- 0100-0102): an event's sign-up version, its sign-up counts and the
-- events lists' version, kept by triggers in the same statement (and so
-- the same transaction) as every change, cascades included. The topic
-- page and the events page key their cached parts on these versions, so
-- every process on the database sees a change at once.

ALTER TABLE events ADD COLUMN signups_version bigint NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN going_count integer NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN waitlisted_count integer NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN maybe_count integer NOT NULL DEFAULT 0;

UPDATE events SET
    going_count = (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = events.topic_id AND r.status = 'going'),
    waitlisted_count = (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = events.topic_id AND r.status = 'waitlisted'),
    maybe_count = (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = events.topic_id AND r.status = 'maybe');

CREATE TABLE event_list_version (
    id      integer PRIMARY KEY,
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO event_list_version (id, version) VALUES (1, 0);

-- Sign-ups: counts and the sign-up version.
CREATE FUNCTION kliv_event_rsvps_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE events SET
            going_count = going_count - (OLD.status = 'going')::int,
            waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted')::int,
            maybe_count = maybe_count - (OLD.status = 'maybe')::int,
            signups_version = signups_version + 1
        WHERE topic_id = OLD.topic_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE events SET
            going_count = going_count + (NEW.status = 'going')::int,
            waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted')::int,
            maybe_count = maybe_count + (NEW.status = 'maybe')::int,
            signups_version = signups_version + 1
        WHERE topic_id = NEW.topic_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER event_rsvps_changed AFTER INSERT OR DELETE OR UPDATE OF topic_id, member_id, status, queued_at, created_at
    ON event_rsvps FOR EACH ROW EXECUTE FUNCTION kliv_event_rsvps_changed();

-- Organisers: the sign-up version.
CREATE FUNCTION kliv_event_organisers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE events SET signups_version = signups_version + 1 WHERE topic_id = OLD.topic_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE events SET signups_version = signups_version + 1 WHERE topic_id = NEW.topic_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER event_organisers_changed AFTER INSERT OR UPDATE OR DELETE
    ON event_organisers FOR EACH ROW EXECUTE FUNCTION kliv_event_organisers_changed();

-- The author is an organiser.
CREATE FUNCTION kliv_topics_event_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER topics_event_author_version AFTER UPDATE OF author_id ON topics
    FOR EACH ROW WHEN (NEW.kind = 'event') EXECUTE FUNCTION kliv_topics_event_author();

-- A name, workplace or status (the list shows approved members only).
CREATE FUNCTION kliv_members_event_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE events SET signups_version = signups_version + 1 WHERE topic_id IN (
        SELECT topic_id FROM event_rsvps WHERE member_id = NEW.id
        UNION SELECT topic_id FROM event_organisers WHERE member_id = NEW.id
        UNION SELECT id FROM topics WHERE author_id = NEW.id AND kind = 'event');
    RETURN NULL;
END $$;
CREATE TRIGGER members_event_version AFTER UPDATE OF username, display_name, workplace, status ON members
    FOR EACH ROW EXECUTE FUNCTION kliv_members_event_version();

-- The events lists' version.
CREATE FUNCTION kliv_event_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE event_list_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER events_list_version AFTER INSERT OR UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION kliv_event_list_changed();
CREATE TRIGGER topics_event_list_version AFTER UPDATE OF title, kind, category_id ON topics
    FOR EACH ROW WHEN (OLD.kind = 'event' OR NEW.kind = 'event') EXECUTE FUNCTION kliv_event_list_changed();
