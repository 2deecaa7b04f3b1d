-- Topic lists filtered by kind (/?kind=question, a category's tips) in
-- last-activity order, on an index instead of a walk over every topic.
CREATE INDEX topics_kind_latest ON topics (kind, last_post_at DESC, id DESC);
CREATE INDEX topics_category_kind_latest ON topics (category_id, kind, last_post_at DESC, id DESC);
