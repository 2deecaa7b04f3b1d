-- An event's sign-up counts as columns, kept by triggers in the same
-- statement (and so the same transaction) as every change to
-- event_rsvps, cascades included: the event block and the lists read
-- them instead of counting the sign-ups on every view.

ALTER TABLE events ADD COLUMN going_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN waitlisted_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN maybe_count INTEGER NOT NULL DEFAULT 0;

UPDATE events SET
    going_count = (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = events.topic_id AND r.status = 'going'),
    waitlisted_count = (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = events.topic_id AND r.status = 'waitlisted'),
    maybe_count = (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = events.topic_id AND r.status = 'maybe');

CREATE TRIGGER event_rsvps_counts_ins AFTER INSERT ON event_rsvps BEGIN
    UPDATE events SET going_count = going_count + (new.status = 'going'),
        waitlisted_count = waitlisted_count + (new.status = 'waitlisted'),
        maybe_count = maybe_count + (new.status = 'maybe')
    WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER event_rsvps_counts_upd AFTER UPDATE OF topic_id, status ON event_rsvps BEGIN
    UPDATE events SET going_count = going_count - (old.status = 'going'),
        waitlisted_count = waitlisted_count - (old.status = 'waitlisted'),
        maybe_count = maybe_count - (old.status = 'maybe')
    WHERE topic_id = old.topic_id;
    UPDATE events SET going_count = going_count + (new.status = 'going'),
        waitlisted_count = waitlisted_count + (new.status = 'waitlisted'),
        maybe_count = maybe_count + (new.status = 'maybe')
    WHERE topic_id = new.topic_id;
END;
CREATE TRIGGER event_rsvps_counts_del AFTER DELETE ON event_rsvps BEGIN
    UPDATE events SET going_count = going_count - (old.status = 'going'),
        waitlisted_count = waitlisted_count - (old.status = 'waitlisted'),
        maybe_count = maybe_count - (old.status = 'maybe')
    WHERE topic_id = old.topic_id;
END;
