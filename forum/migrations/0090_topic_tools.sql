-- Moderators' topic tools (forum/topictools.go): a topic pinned on the
-- home page (pinned_home) beside the existing pin in its category
-- (pinned), and a question closed without an accepted answer (closed_at:
-- no new replies). The indexes answer "the pinned topics of this list"
-- by a search, without walking the list.
ALTER TABLE topics ADD COLUMN pinned_home INTEGER NOT NULL DEFAULT 0;
ALTER TABLE topics ADD COLUMN closed_at TIMESTAMP;
CREATE INDEX topics_pinned_home ON topics (pinned_home, last_post_at DESC, id DESC);
CREATE INDEX topics_category_pinned ON topics (category_id, pinned, last_post_at DESC, id DESC);
