-- Narrow copies of what search's filters and ranking read of each
-- candidate post (its topic, author and time; the topic's category and
-- kind). forum/search.go looks candidates up through these (INDEXED BY):
-- 20 000 candidates cost half what they cost through the wide rows, whose
-- Markdown and HTML fill the pages.
CREATE INDEX posts_search ON posts (id, topic_id, author_id, created_at);
CREATE INDEX topics_search ON topics (id, category_id, kind);
