package forum

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"kliv/forum/search"
)

// A date filter that ends long ago ("före:2025-01-31") is the search FTS4
// answers slowly: it reads a word's doclist from the newest entry and
// cannot skip to a docid, so "det" before an old date reads 700 000
// entries to reach the 2 000 it wants (45 ms), and a phrase or a filter
// reads several such doclists. When a word is that common its matches are
// dense among the posts of the range, and the newest SearchCandidates of
// them are found by walking the range's posts from its newest down,
// tokenizing each as the index did (search.Matcher). A first window of
// posts tells how dense the matches are and how much FTS4 would read;
// when FTS4 would read little it answers instead.
const (
	// scanDepth is how many posts below the newest a range must end
	// before a walk is tried (Store.SearchWalkDepth overrides it).
	scanDepth = 100000
	// scanFirst is the first window of post ids walked.
	scanFirst = 1000
	// scanLimit is how many post ids a walk covers at most; a walk that
	// needs more stops there and the results say Capped (a filtered
	// search through FTS4 likewise looks through searchWindow matches).
	scanLimit = 8000
	// scanFTSEntries is how many doclist entries above the range FTS4
	// may be expected to read before a walk is preferred to it.
	scanFTSEntries = 150000
)

// scanCandidates walks the posts with ids lo..hi, newest first, and
// returns the newest SearchCandidates that match q (with its forms) and
// meet conds, with the matchinfo FTS4 would give; capped when the walk
// stopped at scanLimit before the range's end. ok is false when FTS4 is
// the cheaper way and should answer instead. maxID is the newest post.
func (s *Store) scanCandidates(ctx context.Context, q search.Query, forms [][]string, maxID, lo, hi int64, conds []string, condArgs []any) (_ []candidate, capped, ok bool, err error) {
	m := q.Matcher(forms)
	if m == nil {
		return nil, false, false, nil
	}
	stats, err := s.searchStats(ctx)
	if err != nil {
		return nil, false, false, err
	}
	w := &walk{m: m, hits: make([]uint32, 2*m.Phrases()), stats: stats, titleOnly: q.InTitle,
		out: make([]candidate, 0, 256)}

	// The first window reads every post of it, the filters a column, to
	// learn how dense the text's words are (what FTS4 would read).
	pass := "1"
	if len(conds) > 0 {
		pass = strings.Join(conds, " AND ")
	}
	from := max(lo, hi-scanFirst+1)
	first := s.DB.Rebind(`SELECT p.id, CASE WHEN p.seq = 1 THEN t.title ELSE '' END, p.body, p.created_at, ` + pass + `
		FROM posts p CROSS JOIN topics t ON t.id = p.topic_id
		WHERE p.id BETWEEN ? AND ? AND ` + searchable + ` ORDER BY p.id DESC`)
	if err := w.window(ctx, s, first, slices.Concat(condArgs, []any{from, hi})); err != nil {
		return nil, false, false, err
	}
	walked := hi - from + 1
	if len(w.out) < SearchCandidates && from > lo {
		need := min(hi-lo+1, walked*SearchCandidates/max(int64(len(w.out)), 1))
		if need > scanLimit && w.touched*(maxID-hi)/walked < scanFTSEntries {
			return nil, false, false, nil
		}
	}

	// The rest with the filters in the WHERE clause, so posts that fail
	// them are skipped by SQLite, not tokenized.
	where := ""
	for _, c := range conds {
		where += " AND " + c
	}
	rest := s.DB.Rebind(`SELECT p.id, CASE WHEN p.seq = 1 THEN t.title ELSE '' END, p.body, p.created_at, 1
		FROM posts p CROSS JOIN topics t ON t.id = p.topic_id
		WHERE p.id BETWEEN ? AND ? AND ` + searchable + where + ` ORDER BY p.id DESC`)
	cur := from - 1
	for cur >= lo && len(w.out) < SearchCandidates {
		if hi-cur >= scanLimit {
			return w.out, true, true, nil
		}
		from := max(lo, hi-scanLimit+1)
		if err := w.window(ctx, s, rest, append([]any{from, cur}, condArgs...)); err != nil {
			return nil, false, false, err
		}
		cur = from - 1
	}
	return w.out, false, true, nil
}

// searchFTSBudget is how many doclist entries one search may have FTS4
// read (about 55 ns each): a query of common words whose matches are rare
// ("vi -det -att", a phrase of common words that seldom meet) would read
// them by the million to find its SearchCandidates.
const searchFTSBudget = 300000

// searchBound returns the smallest post id FTS4 may read down to within
// searchFTSBudget: its doclists' entries are counted on the newest
// scanFirst posts (where it starts reading) by tokenizing them; 0 when
// there is no bound to set. A query of one word needs none: FTS4 stops
// after the matches it wants, each one entry.
func (s *Store) searchBound(ctx context.Context, q search.Query, forms [][]string, maxID int64) (int64, error) {
	m := q.Matcher(forms)
	if m == nil || m.Words() < 2 || maxID <= scanFirst {
		return 0, nil
	}
	w := &walk{m: m, hits: make([]uint32, 2*m.Phrases())}
	from := maxID - scanFirst + 1
	probe := s.DB.Rebind(`SELECT p.id, CASE WHEN p.seq = 1 THEN t.title ELSE '' END, p.body, p.created_at, 1
		FROM posts p CROSS JOIN topics t ON t.id = p.topic_id
		WHERE p.id BETWEEN ? AND ? AND ` + searchable + ` ORDER BY p.id DESC`)
	if err := w.window(ctx, s, probe, []any{from, maxID}); err != nil {
		return 0, err
	}
	if w.touched == 0 {
		return 0, nil
	}
	return maxID - searchFTSBudget*scanFirst/w.touched, nil
}

// searchable is the condition of post_search_content (migration 0011)
// on the post p: the posts the index holds. TestSearchWalk holds the two
// together.
const searchable = "p.deleted_at IS NULL AND p.hidden_at IS NULL"

// walk is one scanCandidates' state.
type walk struct {
	m         *search.Matcher
	row       search.Row
	hits      []uint32
	stats     searchStats
	titleOnly bool
	out       []candidate
	// touched counts the query's words found in the first window's posts
	// (one a post and word): what FTS4 reads of their doclists.
	touched int64
}

// window appends the matches among the rows of query, newest first,
// until there are SearchCandidates.
func (w *walk) window(ctx context.Context, s *Store, query string, args []any) error {
	rows, err := s.DB.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("search walk: %w", err)
	}
	defer rows.Close()
	for rows.Next() && len(w.out) < SearchCandidates {
		var id int64
		var title, body string
		var at time.Time
		var pass bool
		if err := rows.Scan(&id, &title, &body, &at, &pass); err != nil {
			return err
		}
		ok, lens, touched := w.m.Match(&w.row, title, body, w.titleOnly, w.hits)
		w.touched += int64(touched)
		if !ok || !pass {
			continue
		}
		// matchinfo 'pcnaly' of two columns, the required phrases only.
		mi := make(matchInfo, 0, 3+4+len(w.hits))
		mi = append(mi, uint32(w.m.Phrases()), 2, w.stats.rows, w.stats.avg[0], w.stats.avg[1], lens[0], lens[1])
		mi = append(mi, w.hits...)
		w.out = append(w.out, candidate{id: id, at: at, info: mi})
	}
	return rows.Err()
}

// searchStats is what FTS4's matchinfo 'n' and 'a' report: the rows of
// the index and the average tokens of each column.
type searchStats struct {
	rows uint32
	avg  [2]uint32
}

// searchStats reads the index's totals from FTS4's %_stat table (row 0:
// varints of the number of rows, then the tokens of each column), and
// averages them as matchinfo does, rounded to the nearest.
func (s *Store) searchStats(ctx context.Context) (searchStats, error) {
	var blob []byte
	if err := s.DB.GetContext(ctx, &blob, `SELECT value FROM post_search_stat WHERE id = 0`); err != nil {
		if err = searchNoRows(err); err != nil {
			return searchStats{}, fmt.Errorf("search stats: %w", err)
		}
		return searchStats{}, nil // an index that never held a row
	}
	var v [3]uint64
	for i := range v {
		n, k := binary.Uvarint(blob)
		if k <= 0 {
			return searchStats{}, fmt.Errorf("search stats: a blob of %d bytes", len(blob))
		}
		v[i], blob = n, blob[k:]
	}
	st := searchStats{rows: uint32(v[0])}
	if v[0] > 0 {
		for c := range 2 {
			// As fts3MatchinfoValues does: the total cut to 32 bits.
			st.avg[c] = uint32((uint64(uint32(v[c+1])) + v[0]/2) / v[0])
		}
	}
	return st, nil
}
