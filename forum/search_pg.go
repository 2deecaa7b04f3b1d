package forum

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"kliv/forum/search"
)

// Search on PostgreSQL. The index is the table post_search of
// migrations_pg/0200_search.sql, kept in step by its triggers; the query
// is search.Query.TSQuery. What is found and in what order follows the
// SQLite search: the newest SearchCandidates matches in the id range of
// the dates, ranked by relevance (ts_rank over the title, weight A, and
// the body, weight B, normalised by the post's length; the word as typed
// counts beside its other forms, so it ranks above them), lifted when the
// topic's title holds the words, with the same mild boost of newer posts;
// snippets and marks are made in Go as on SQLite.

// pgRankWeights are ts_rank's weights of D, C, B and A: the body is B,
// the title A, worth titleWeight body hits.
const pgRankWeights = "{0, 0, 0.3333, 1}"

// searchPG runs a search whose filters Search has already turned into
// conditions on the post p and its topic t and into the id range lo..hi.
func (s *Store) searchPG(ctx context.Context, q search.Query, opts SearchOptions, out *SearchResults, lo, hi int64, conds []string, condArgs []any) (*SearchResults, error) {
	full, exact := q.TSQuery(!q.InTitle), q.TSQuery(false)
	if full == "" {
		return out, nil
	}
	col := "s.doc"
	if q.InTitle {
		col = "s.title"
	}
	where := ""
	for _, c := range conds {
		where += " AND " + c
	}
	// The inner query finds the newest matches (the primary key read
	// backwards for a common word, the GIN index for a rare one); the
	// outer one ranks only those.
	args := []any{full, exact, full, lo, hi}
	args = append(args, condArgs...)
	args = append(args, SearchCandidates)
	rows, err := s.DB.QueryContext(ctx, `SELECT m.post_id, m.created_at,
			ts_rank('`+pgRankWeights+`', m.doc, m.qf, 1) + ts_rank('`+pgRankWeights+`', m.doc, m.qe, 1) AS rank,
			m.title @@ m.qf AS in_title
		FROM (SELECT s.post_id, p.created_at, s.doc, s.title, q.qf, q.qe
			FROM (SELECT CAST(? AS tsquery) AS qf, CAST(? AS tsquery) AS qe) q
			CROSS JOIN post_search s JOIN posts p ON p.id = s.post_id JOIN topics t ON t.id = p.topic_id
			WHERE `+col+` @@ CAST(? AS tsquery) AND s.post_id BETWEEN ? AND ?`+where+`
			ORDER BY s.post_id DESC LIMIT ?) m`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	cands := make([]candidate, 0, 256)
	now := s.now()
	for rows.Next() {
		var c candidate
		var rank float64
		var inTitle bool
		if err := rows.Scan(&c.id, &c.at, &rank, &inTitle); err != nil {
			return nil, err
		}
		if inTitle {
			rank *= 1 + titleBoost
		}
		c.score = rank * recency(now.Sub(c.at))
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(cands) == SearchCandidates {
		out.Capped = true
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	from := (opts.Page - 1) * opts.Limit
	if from >= len(cands) {
		return out, nil
	}
	page := cands[from:min(from+opts.Limit, len(cands))]
	if from+opts.Limit < len(cands) {
		out.NextPage = opts.Page + 1
	}
	var forms [][]string
	if !q.InTitle {
		if forms, err = s.pgPageForms(ctx, q, page); err != nil {
			return nil, err
		}
	}
	out.Results, err = s.searchDetails(ctx, q, forms, page)
	return out, err
}

// pgPageForms returns, for each required term of q, the other forms of
// its word (search.Term.IsForm) that the page's posts hold, so the
// snippets mark them as SQLite's do (there they come from the index's
// term list).
func (s *Store) pgPageForms(ctx context.Context, q search.Query, page []candidate) ([][]string, error) {
	found := false
	for _, t := range q.Terms {
		found = found || t.FormsPrefix() != ""
	}
	if !found {
		return nil, nil
	}
	ids := make([]int64, len(page))
	for i, c := range page {
		ids[i] = c.id
	}
	var words []string
	query, args, err := sqlx.In(`SELECT DISTINCT w FROM post_search s,
		LATERAL unnest(tsvector_to_array(s.doc)) w WHERE s.post_id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	if err := s.DB.SelectContext(ctx, &words, query, args...); err != nil {
		return nil, fmt.Errorf("search forms: %w", err)
	}
	out := make([][]string, len(q.Terms))
	for i, t := range q.Terms {
		p := t.FormsPrefix()
		if p == "" {
			continue
		}
		for _, w := range words {
			if strings.HasPrefix(w, p) && t.IsForm(w) {
				out[i] = append(out[i], w)
			}
		}
	}
	return out, nil
}
