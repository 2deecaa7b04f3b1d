-- The words the full-text index holds (FTS4's fts4aux view of post_search:
-- one row per term and column, '*' for all columns, with its document
-- count). Search reads it to find the other forms of a word that the index
-- really holds ("hemtjänsten", "hemtjänstens" for "hemtjänst"), so it can
-- ask for those words by name. It is a view of the index, not a copy:
-- nothing to fill or keep in step.
CREATE VIRTUAL TABLE post_search_terms USING fts4aux(post_search);
