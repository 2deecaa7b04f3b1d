-- The events lists' version: raised by every change to what a list of
-- events shows (an event's row, its sign-up counts kept on it by
-- migration 0101's triggers, its topic's title or kind). The events
-- page and month view key their cached rendering on it
-- (cmd/kliv/pages_events.go), so every process on the database sees a
-- change at once. One row.

CREATE TABLE event_list_version (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0
);
INSERT INTO event_list_version (id, version) VALUES (1, 0);

CREATE TRIGGER events_list_version_ins AFTER INSERT ON events BEGIN
    UPDATE event_list_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER events_list_version_upd AFTER UPDATE ON events BEGIN
    UPDATE event_list_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER events_list_version_del AFTER DELETE ON events BEGIN
    UPDATE event_list_version SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER topics_event_list_version AFTER UPDATE OF title, kind, category_id ON topics
    WHEN old.kind = 'event' OR new.kind = 'event' BEGIN
    UPDATE event_list_version SET version = version + 1 WHERE id = 1;
END;
