package forum

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"kliv/forum/markdown"
	"kliv/forum/search"
	"kliv/i18n"
)

// Search ranks only the newest matches: FTS4 reads a word's doclist
// newest first (the table is order=desc), so "the newest N posts that
// match" costs N entries however common the word, while ranking every
// match of "och" (600 000 of a million posts) takes half a second. The
// bound is shown on the results page when it cut anything (Capped).
const (
	// SearchCandidates is how many of the newest matching posts are
	// ranked.
	SearchCandidates = 2000
	// searchWindow is how many of the newest text matches a filtered
	// search (category, kind, author) looks through for its candidates:
	// each costs a row lookup, so a rare author among a common word's
	// matches cannot make the search read the whole forum.
	searchWindow = 20000
	// searchPageSize is the default number of results a page.
	searchPageSize = 20
	// dfProbe is how many matches the document-frequency estimate reads.
	dfProbe = 1000
)

// Ranking weights. BM25 (k1, b) over the body; a title hit counts
// titleWeight body hits without length normalisation (titles are short),
// and a post whose topic title holds the words is lifted further, so title
// matches rank above body matches. Newer posts get a mild boost that halves
// every recencyHalfLife.
const (
	bm25K1          = 1.2
	bm25B           = 0.75
	titleWeight     = 3.0
	titleBoost      = 1.0
	recencyBoost    = 0.25
	recencyHalfLife = 180 * 24 * time.Hour
	// formWeight is what a hit of another form of a word (search.MatchForms)
	// counts against a hit of the word as typed.
	formWeight = 0.5
)

// SearchOptions pages a search.
type SearchOptions struct {
	// Page is the 1-based page of results.
	Page int
	// Limit is the number of results a page (20 when 0, at most 50).
	Limit int
}

// SearchResult is one post found.
type SearchResult struct {
	TopicID int64
	PostID  int64
	Seq     int
	// Title is the topic's title; TitleMarks the same with the query's
	// words marked.
	Title      string
	TitleMarks Highlight
	// Snippet is a passage of the post's visible text with the words
	// marked.
	Snippet Highlight
	// Author is the author's username and AuthorName her display name;
	// both "" for a removed account.
	Author       string
	AuthorName   string
	CreatedAt    time.Time
	Kind         string
	CategoryID   int64
	CategorySlug string
	CategoryName string
	// Score is the relevance the results are ordered by.
	Score float64
}

// Path is the post's stable link.
func (r *SearchResult) Path() string { return "/p/" + strconv.FormatInt(r.PostID, 10) }

// IsReply reports whether the post is a reply rather than the topic's
// first post.
func (r *SearchResult) IsReply() bool { return r.Seq > 1 }

// SearchResults is one page of results.
type SearchResults struct {
	Results []SearchResult
	// NextPage is the number of the next page, 0 on the last one.
	NextPage int
	// Capped reports that more posts matched than the newest
	// SearchCandidates that were ranked (or, with filters, than the
	// newest matches looked through).
	Capped bool
}

// searchScope is the one place that decides which posts a reader may find.
// It returns an SQL condition over the post p and its topic t (with its
// arguments) that every candidate must meet, "" when she may read every
// post. Only approved members search; the forum has no private
// categories yet, and when it has, their rule goes here.
func searchScope(viewer *Member) (cond string, args []any, err error) {
	if !viewer.IsMember() {
		return "", nil, Refuse(ErrForbidden, "error.not_member")
	}
	return "", nil, nil
}

// Search finds the posts that match q and that viewer may read, best
// first: a BM25 relevance from FTS4's matchinfo, title matches above body
// matches, newer posts slightly above older ones. Filters in q (category
// by slug or id, kind, author's username, after/before dates, in:title)
// narrow it; a filter naming nothing that exists finds nothing. A query
// with no words to search for (empty, only punctuation, only exclusions)
// finds nothing and is not an error.
func (s *Store) Search(ctx context.Context, viewer *Member, q search.Query, opts SearchOptions) (*SearchResults, error) {
	scope, scopeArgs, err := searchScope(viewer)
	if err != nil {
		return nil, err
	}
	if opts.Limit <= 0 {
		opts.Limit = searchPageSize
	}
	opts.Limit = min(opts.Limit, 50)
	opts.Page = max(opts.Page, 1)
	out := &SearchResults{}
	// Words find their other forms too (search.MatchForms), except in a
	// title-only search, which looks for the words as typed.
	var forms [][]string
	col := "post_search"
	if q.InTitle {
		col = "post_search.title"
	} else if !s.PG() { // PostgreSQL finds the forms in its query (searchPG)
		forms, err = s.searchForms(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	expr, groups := q.MatchForms(forms)
	if expr == "" || (opts.Page-1)*opts.Limit >= SearchCandidates {
		return out, nil
	}

	// Filters become conditions on the post and its topic, joined to
	// the candidates; a filter that names nothing finds nothing.
	var conds []string
	var args []any
	if q.Category != "" {
		id, err := s.searchCategory(ctx, q.Category)
		if err != nil || id == 0 {
			return out, err
		}
		conds, args = append(conds, "t.category_id = ?"), append(args, id)
	}
	if q.Kind != "" {
		if !slices.Contains([]string{KindDiscussion, KindQuestion, KindTip, KindLink, KindEvent}, q.Kind) {
			return out, nil
		}
		conds, args = append(conds, "t.kind = ?"), append(args, q.Kind)
	}
	if q.Author != "" {
		var id int64
		err := s.DB.GetContext(ctx, &id, `SELECT id FROM members WHERE username = ?`, q.Author)
		if err != nil {
			return out, searchNoRows(err)
		}
		conds, args = append(conds, "p.author_id = ?"), append(args, id)
	}
	if scope != "" {
		conds, args = append(conds, scope), append(args, scopeArgs...)
	}
	filtered := len(conds) > 0

	var span struct {
		Min int64 `db:"lo"`
		Max int64 `db:"hi"`
	}
	if err := s.DB.GetContext(ctx, &span, `SELECT COALESCE((SELECT MIN(id) FROM posts), 0) AS lo, COALESCE((SELECT MAX(id) FROM posts), 0) AS hi`); err != nil {
		return nil, err
	}
	lo, hi := span.Min, span.Max
	// Dates are days in Swedish time, both ends included. Post ids grow
	// with time (both are given on insert), so a date range is also a
	// docid range, which FTS4 applies while it reads: an old "before"
	// does not rank this year's posts first and filter them away.
	if t, ok := searchDay(q.After, 0); ok {
		conds, args = append(conds, "p.created_at >= ?"), append(args, t)
		if lo, err = s.firstPostFrom(ctx, t, span.Min, span.Max); err != nil {
			return nil, err
		}
	}
	if t, ok := searchDay(q.Before, 1); ok {
		conds, args = append(conds, "p.created_at < ?"), append(args, t)
		first, err := s.firstPostFrom(ctx, t, span.Min, span.Max)
		if err != nil {
			return nil, err
		}
		hi = min(hi, first-1)
	}
	if lo > hi {
		return out, nil
	}
	if s.PG() {
		return s.searchPG(ctx, q, opts, out, lo, hi, conds, args)
	}

	// A range that ends far below the newest post is walked in Go when
	// its matches are dense (scanCandidates); otherwise FTS4 reads the
	// doclists, newest first.
	var cands []candidate
	scanned := false
	if depth := cmp.Or(s.SearchWalkDepth, scanDepth); depth > 0 && span.Max-hi >= depth {
		if cands, out.Capped, scanned, err = s.scanCandidates(ctx, q, forms, span.Max, lo, hi, conds, args); err != nil {
			return nil, err
		}
	}
	if !scanned {
		bound, err := s.searchBound(ctx, q, forms, span.Max)
		if err != nil {
			return nil, err
		}
		if bound > lo {
			lo, out.Capped = bound, true
			if lo > hi {
				return out, nil
			}
		}
	}
	if filtered && !scanned {
		// Look through the newest searchWindow text matches only.
		var w struct {
			N   int   `db:"n"`
			Min int64 `db:"lo"`
		}
		err := s.DB.GetContext(ctx, &w, `SELECT COUNT(*) AS n, COALESCE(MIN(docid), 0) AS lo FROM (SELECT docid FROM post_search
			WHERE `+col+` MATCH ? AND docid BETWEEN ? AND ? ORDER BY docid DESC LIMIT ?)`, expr, lo, hi, searchWindow)
		if err != nil {
			return nil, err
		}
		if w.N == searchWindow {
			lo, out.Capped = w.Min, true
		}
	}

	if !scanned {
		if cands, err = s.searchCandidates(ctx, col, expr, lo, hi, conds, args); err != nil {
			return nil, err
		}
	}
	if len(cands) == SearchCandidates {
		out.Capped = true
	}
	if len(cands) == 0 {
		return out, nil
	}
	idf, err := s.searchIDF(ctx, col, q, forms, cands[0].info, len(groups), span.Min, span.Max)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range cands {
		cands[i].score = cands[i].info.score(idf, groups) * recency(now.Sub(cands[i].at))
	}
	return s.searchPage(ctx, q, forms, cands, opts, out)
}

// maxForms is how many other forms of a word a search looks for, the
// most used first.
const maxForms = 6

// searchForms returns, for each required term of q, the words of the
// index that are other forms of it (search.Term.IsForm), at most maxForms,
// the most used first: from the index's term list under the stem.
func (s *Store) searchForms(ctx context.Context, q search.Query) ([][]string, error) {
	out := make([][]string, len(q.Terms))
	for i, t := range q.Terms {
		p := t.FormsPrefix()
		if p == "" {
			continue
		}
		terms, err := s.termsUnder(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, term := range terms {
			if len(out[i]) == maxForms {
				break
			}
			if t.IsForm(term) {
				out[i] = append(out[i], term)
			}
		}
	}
	return out, nil
}

// formsCache keeps the index's words under a stem for formsTTL: counting
// a common stem's words reads their whole doclists (15 ms for "chef" at a
// million posts), and a new form of a word is rare enough to be found
// some minutes late. The zero value is ready to use.
type formsCache struct {
	mu      sync.Mutex
	entries map[string]formsEntry
}

type formsEntry struct {
	terms []string
	at    time.Time
}

const (
	formsTTL       = 10 * time.Minute
	formsCacheSize = 10000
	formsPerPrefix = 64
)

// termsUnder returns the index's words that begin with prefix, the most
// used first (at most formsPerPrefix).
func (s *Store) termsUnder(ctx context.Context, prefix string) ([]string, error) {
	now := time.Now()
	c := &s.forms
	c.mu.Lock()
	e, ok := c.entries[prefix]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < formsTTL {
		return e.terms, nil
	}
	var terms []string
	err := s.DB.SelectContext(ctx, &terms, `SELECT term FROM post_search_terms
		WHERE col = '*' AND term >= ? AND term < ? ORDER BY documents DESC LIMIT ?`, prefix, prefix+string(utf8.MaxRune), formsPerPrefix)
	if err != nil {
		return nil, fmt.Errorf("search forms: %w", err)
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= formsCacheSize {
		c.entries = map[string]formsEntry{}
	}
	c.entries[prefix] = formsEntry{terms: terms, at: now}
	c.mu.Unlock()
	return terms, nil
}

// candidate is a post that matched, with what ranking needs.
type candidate struct {
	id    int64
	at    time.Time
	info  matchInfo
	score float64
}

// searchCandidates returns the newest SearchCandidates posts in the docid
// range lo..hi that match expr and meet conds. CROSS JOIN keeps the
// full-text table the outer loop, read newest first; the posts and topics
// are read through narrow covering indexes; matchinfo is computed only
// for rows that pass the conditions.
func (s *Store) searchCandidates(ctx context.Context, col, expr string, lo, hi int64, conds []string, condArgs []any) ([]candidate, error) {
	where := ""
	for _, c := range conds {
		where += " AND " + c
	}
	args := append([]any{expr, lo, hi}, condArgs...)
	args = append(args, SearchCandidates)
	rows, err := s.DB.QueryContext(ctx, `SELECT post_search.docid, matchinfo(post_search, 'pcnaly'), p.created_at
		FROM post_search CROSS JOIN posts p INDEXED BY posts_search ON p.id = post_search.docid
		CROSS JOIN topics t INDEXED BY topics_search ON t.id = p.topic_id
		WHERE `+col+` MATCH ? AND post_search.docid BETWEEN ? AND ?`+where+`
		ORDER BY post_search.docid DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	out := make([]candidate, 0, 256)
	for rows.Next() {
		var c candidate
		var blob []byte
		if err := rows.Scan(&c.id, &blob, &c.at); err != nil {
			return nil, err
		}
		if c.info, err = parseMatchInfo(blob); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// matchInfo is FTS4's matchinfo(…, 'pcnaly') of one row: p phrases, c
// columns, n rows in the index, a the average tokens per column, l this
// row's tokens per column, y the hits of each phrase in each column.
type matchInfo []uint32

func parseMatchInfo(b []byte) (matchInfo, error) {
	if len(b) < 12 || len(b)%4 != 0 {
		return nil, fmt.Errorf("search: matchinfo of %d bytes", len(b))
	}
	mi := make(matchInfo, len(b)/4)
	for i := range mi {
		mi[i] = binary.NativeEndian.Uint32(b[4*i:])
	}
	p, c := int(mi[0]), int(mi[1])
	if c != 2 || len(mi) != 3+2*c+p*c {
		return nil, fmt.Errorf("search: matchinfo with %d phrases, %d columns, %d values", p, c, len(mi))
	}
	return mi, nil
}

func (mi matchInfo) phrases() int { return int(mi[0]) }
func (mi matchInfo) rows() int    { return int(mi[2]) }

// hits returns the hits of phrase i in the title (column 0) and the body.
func (mi matchInfo) hits(i int) (title, body float64) {
	y := mi[3+4:]
	return float64(y[2*i]), float64(y[2*i+1])
}

// score is BM25F: per term, the title's and the body's hits weighted and
// the body's normalised by its length, saturated with k1 and multiplied by
// the term's idf; then lifted by the share of terms found in the title.
// groups says how many phrases each term wrote (search.MatchForms): a
// term of two is the word as typed and a prefix finding its other forms,
// whose hits (which include the exact ones) count formWeight each, so
// the word as typed ranks above another form of it.
func (mi matchInfo) score(idf []float64, groups []int) float64 {
	avgBody := max(float64(mi[3+1]), 1)
	lenBody := float64(mi[3+2+1])
	norm := 1 - bm25B + bm25B*lenBody/avgBody
	sum, inTitle, ph := 0.0, 0, 0
	for i, g := range groups {
		tf, title := 0.0, false
		for j := 0; j < g && ph < mi.phrases(); j, ph = j+1, ph+1 {
			t, b := mi.hits(ph)
			w := 1.0
			if j > 0 {
				w = formWeight
			}
			tf += w * (titleWeight*t + b/norm)
			title = title || t > 0
		}
		if title {
			inTitle++
		}
		if tf > 0 && i < len(idf) {
			sum += idf[i] * tf * (bm25K1 + 1) / (tf + bm25K1)
		}
	}
	return sum * (1 + titleBoost*float64(inTitle)/float64(max(len(groups), 1)))
}

// recency is the mild boost of newer posts: 1 + recencyBoost for a post
// written now, half that after recencyHalfLife.
func recency(age time.Duration) float64 {
	return 1 + recencyBoost*math.Exp2(-max(age.Hours(), 0)/recencyHalfLife.Hours())
}

// searchIDF returns each phrase's inverse document frequency. With one
// phrase it does not change the order and is 1. FTS4 could count every
// row a phrase is in (matchinfo 'x'), but that reads the whole doclist of
// a common word (25 ms for "och"); the newest dfProbe matches and the
// share of the forum's history they span estimate it for the price of
// reading dfProbe entries.
func (s *Store) searchIDF(ctx context.Context, col string, q search.Query, forms [][]string, mi matchInfo, terms int, minID, maxID int64) ([]float64, error) {
	idf := make([]float64, terms)
	for i := range idf {
		idf[i] = 1
	}
	// The terms are the required ones in the order MatchForms writes them
	// (excluded ones are not counted); the expression of each alone finds
	// what that term finds.
	var exprs []string
	for i, t := range q.Terms {
		var f [][]string
		if i < len(forms) {
			f = forms[i : i+1]
		}
		if e, _ := (search.Query{Terms: []search.Term{t}}).MatchForms(f); e != "" {
			exprs = append(exprs, e)
		}
	}
	if terms < 2 || len(exprs) != terms {
		return idf, nil
	}
	n := float64(mi.rows())
	for i, e := range exprs {
		var probe struct {
			N   int   `db:"n"`
			Min int64 `db:"lo"`
		}
		err := s.DB.GetContext(ctx, &probe, `SELECT COUNT(*) AS n, COALESCE(MIN(docid), 0) AS lo FROM (SELECT docid FROM post_search
			WHERE `+col+` MATCH ? ORDER BY docid DESC LIMIT ?)`, e, dfProbe)
		if err != nil {
			return nil, err
		}
		df := float64(probe.N)
		if probe.N == dfProbe && maxID > probe.Min {
			df = min(n, df*float64(maxID-minID+1)/float64(maxID-probe.Min+1))
		}
		idf[i] = math.Log(1 + (n-df+0.5)/(df+0.5))
	}
	return idf, nil
}

// searchCategory finds a category by slug or, failing that, by id; 0
// when there is none.
func (s *Store) searchCategory(ctx context.Context, ref string) (int64, error) {
	var id int64
	err := s.DB.GetContext(ctx, &id, `SELECT id FROM categories WHERE slug = ?`, ref)
	if err == nil {
		return id, nil
	}
	if err := searchNoRows(err); err != nil {
		return 0, err
	}
	if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil && n > 0 {
		err = s.DB.GetContext(ctx, &id, `SELECT id FROM categories WHERE id = ?`, n)
		return id, searchNoRows(err)
	}
	return 0, nil
}

// searchNoRows turns "no rows" into nil.
func searchNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// searchDay returns the start of the Swedish day of a YYYY-MM-DD date
// plus days days, in UTC as posts.created_at is stored; false for "" or a
// malformed date.
func searchDay(date string, days int) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, date, i18n.Stockholm)
	if date == "" || err != nil {
		return time.Time{}, false
	}
	return d.AddDate(0, 0, days).UTC(), true
}

// firstPostFrom returns the smallest post id written at or after t (maxID
// + 1 when none is), by bisecting the id range: ids are given in the
// order posts are written.
func (s *Store) firstPostFrom(ctx context.Context, t time.Time, minID, maxID int64) (int64, error) {
	lo, hi := minID, maxID+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		var at time.Time
		err := s.DB.GetContext(ctx, &at, `SELECT created_at FROM posts WHERE id >= ? ORDER BY id LIMIT 1`, mid)
		if err != nil {
			if err = searchNoRows(err); err != nil {
				return 0, err
			}
			hi = mid
			continue
		}
		if at.Before(t) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// searchDetails reads what the results show for one page of candidates,
// in their ranked order, with the words marked in titles and snippets.
func (s *Store) searchDetails(ctx context.Context, q search.Query, forms [][]string, page []candidate) ([]SearchResult, error) {
	ids := make([]int64, len(page))
	for i, c := range page {
		ids[i] = c.id
	}
	query, args, err := sqlx.In(`SELECT p.id, p.topic_id, p.seq, p.body_html, p.created_at, t.title, t.kind, t.category_id,
		c.slug, c.name, COALESCE(a.username, '') AS username, COALESCE(a.display_name, '') AS display_name
		FROM posts p JOIN topics t ON t.id = p.topic_id JOIN categories c ON c.id = t.category_id
		LEFT JOIN members a ON a.id = p.author_id WHERE p.id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.QueryContext(ctx, s.DB.Rebind(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hl := newHighlighter(q, forms)
	byID := make(map[int64]*SearchResult, len(page))
	for rows.Next() {
		var r SearchResult
		var html string
		if err := rows.Scan(&r.PostID, &r.TopicID, &r.Seq, &html, &r.CreatedAt, &r.Title, &r.Kind, &r.CategoryID,
			&r.CategorySlug, &r.CategoryName, &r.Author, &r.AuthorName); err != nil {
			return nil, err
		}
		r.TitleMarks = hl.mark(r.Title)
		r.Snippet = hl.snippet(markdown.PlainText(html), snippetWords)
		byID[r.PostID] = &r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]SearchResult, 0, len(page))
	for _, c := range page {
		if r, ok := byID[c.id]; ok {
			r.Score = c.score
			out = append(out, *r)
		}
	}
	return out, nil
}

// searchPage ranks the candidates (best score first, newest first among
// equals) and fills out with the requested page of them and their
// details: the same for both engines' candidates.
func (s *Store) searchPage(ctx context.Context, q search.Query, forms [][]string, cands []candidate, opts SearchOptions, out *SearchResults) (*SearchResults, error) {
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
	var err error
	out.Results, err = s.searchDetails(ctx, q, forms, page)
	return out, err
}
