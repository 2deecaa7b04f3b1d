-- When members use the site, for the admins' member list and the
-- moderators' dashboard (forum/activity.go): last_seen_at is written at
-- most once an hour per member, and member_weeks holds one row for each
-- week (its Monday in Swedish time, 'YYYY-MM-DD') in which she used it.
ALTER TABLE members ADD COLUMN last_seen_at TIMESTAMP;
CREATE INDEX members_last_seen ON members (last_seen_at);

CREATE TABLE member_weeks (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    week      TEXT NOT NULL,
    PRIMARY KEY (week, member_id)
) WITHOUT ROWID;
CREATE INDEX member_weeks_member ON member_weeks (member_id);
