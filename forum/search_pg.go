package forum

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

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
	var forms [][]string
	if !q.InTitle {
		var err error
		if forms, err = s.pgForms(ctx, q); err != nil {
			return nil, err
		}
	}
	full, exact := q.TSQuery(forms), q.TSQuery(nil)
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
	// The tsqueries are written into the statement, not bound: a bound
	// one gives way, after a few runs of the prepared statement, to a
	// generic plan that cannot know whether the word is rare (read its few
	// matches from the GIN index) or common (read the primary key
	// backwards), and a rare word then read the whole table (1.4 s at a
	// million posts). The id range and the limit are written in for the
	// same reason (a generic plan guesses the range's share). TSQuery
	// writes only quoted lexemes; pgLiteral quotes the whole as SQL.
	qf, qe := pgLiteral(full), pgLiteral(exact)
	rng := fmt.Sprintf(" AND s.post_id BETWEEN %d AND %d", lo, hi)
	rows, err := s.DB.QueryContext(ctx, `SELECT m.post_id, m.created_at,
			ts_rank('`+pgRankWeights+`', m.doc, m.qf, 1) + ts_rank('`+pgRankWeights+`', m.doc, m.qe, 1) AS rank,
			m.title @@ m.qf AS in_title
		FROM (SELECT s.post_id, p.created_at, s.doc, s.title, q.qf, q.qe
			FROM (SELECT CAST(`+qf+` AS tsquery) AS qf, CAST(`+qe+` AS tsquery) AS qe) q
			CROSS JOIN post_search s JOIN posts p ON p.id = s.post_id JOIN topics t ON t.id = p.topic_id
			WHERE `+col+` @@ CAST(`+qf+` AS tsquery)`+rng+where+`
			ORDER BY s.post_id DESC LIMIT `+strconv.Itoa(SearchCandidates)+`) m`, condArgs...)
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
	return s.searchPage(ctx, q, forms, cands, opts, out)
}

// pgForms returns, for each required term of q, the indexed words that
// are other forms of it (search.Term.IsForm), at most maxForms, from
// post_search_words under the term's stem, as searchForms does on SQLite
// (there the most used first, here in alphabetical order).
func (s *Store) pgForms(ctx context.Context, q search.Query) ([][]string, error) {
	out := make([][]string, len(q.Terms))
	for i, t := range q.Terms {
		p := t.FormsPrefix()
		if p == "" {
			continue
		}
		var words []string
		err := s.DB.SelectContext(ctx, &words, `SELECT word FROM post_search_words
			WHERE word >= ? AND word < ? ORDER BY word LIMIT ?`, p, p+string(utf8.MaxRune), formsPerPrefix)
		if err != nil {
			return nil, fmt.Errorf("search forms: %w", err)
		}
		for _, w := range words {
			if len(out[i]) == maxForms {
				break
			}
			if t.IsForm(w) {
				out[i] = append(out[i], w)
			}
		}
	}
	return out, nil
}

// pgLiteral quotes s as a PostgreSQL string literal (standard strings:
// only the quote is special). A "?" inside is left alone by the
// placeholder rewriting, which skips literals.
func pgLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
