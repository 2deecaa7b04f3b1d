package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"kliv/forum/dbtest"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"

	"kliv/forum"
)

// recordingDriver is the SQLite driver, noting every statement it runs.
type recordingDriver struct {
	sqlite3.SQLiteDriver
	mu      sync.Mutex
	queries map[string]bool
}

func (d *recordingDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.SQLiteDriver.Open(dsn)
	if err != nil {
		return nil, err
	}
	return &recordingConn{c.(*sqlite3.SQLiteConn), d}, nil
}

func (d *recordingDriver) record(q string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.queries[strings.TrimSpace(q)] = true
}

// take returns the statements noted since the last take.
func (d *recordingDriver) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var qs []string
	for q := range d.queries {
		qs = append(qs, q)
	}
	d.queries = map[string]bool{}
	sort.Strings(qs)
	return qs
}

type recordingConn struct {
	*sqlite3.SQLiteConn
	d *recordingDriver
}

func (c *recordingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.d.record(q)
	return c.SQLiteConn.QueryContext(ctx, q, args)
}

func (c *recordingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.d.record(q)
	return c.SQLiteConn.ExecContext(ctx, q, args)
}

func (c *recordingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	c.d.record(q)
	return c.SQLiteConn.PrepareContext(ctx, q)
}

var (
	recorder     = &recordingDriver{queries: map[string]bool{}}
	registerOnce sync.Once
)

// recordQueries points a's store at the same database through the
// recording driver.
func recordQueries(t *testing.T, a *app) *recordingDriver {
	t.Helper()
	dbtest.SkipOnPG(t, "records the queries through a wrapped SQLite driver")
	registerOnce.Do(func() { sql.Register("sqlite3-recording", recorder) })
	db, err := sqlx.Open("sqlite3-recording", "file:"+a.cfg.DB+"?_foreign_keys=on&_journal_mode=WAL&_busy_timeout=5000&_txlock=immediate&_loc=UTC")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a.store.DB, a.db = db, db
	recorder.take()
	return recorder
}

// scanRE finds a full scan in a query plan: any SCAN but an index walked
// in the order a LIMIT asks for.
var scanRE = regexp.MustCompile(`\bSCAN (\w+)( USING (COVERING )?INDEX (\w+))?`)

// The queries of the busy pages (topic page, lists, the topic API) are
// all answered from indexes: no SCAN of a table, at any size.
func TestHotQueriesUseIndexes(t *testing.T) {
	a, anna, bea := forumApp(t)
	ctx := context.Background()
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	am, bm := member(t, a, "anna"), member(t, a, "bea")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Frågan", Kind: forum.KindQuestion})
	var last *forum.Post
	for i := 0; i < 35; i++ {
		last = mustReply(t, a, bm, tp.ID, fmt.Sprintf("Svar %d", i), *tp.FirstPostID)
	}
	if err := a.store.Thank(ctx, am, last.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.store.MarkAnswer(ctx, am, tp.ID, last.ID); err != nil {
		t.Fatal(err)
	}
	mona := clientFor(t, a, "mona")
	rec := recordQueries(t, a)
	for _, c := range []*testClient{anna, bea, mona} {
		for _, path := range []string{fmt.Sprintf("/t/%d", tp.ID), fmt.Sprintf("/t/%d?page=2", tp.ID), "/", "/c/ledarskap",
			"/c/ledarskap?kind=question", fmt.Sprintf("/api/v1/topics/%d", tp.ID), "/api/v1/topics"} {
			c.get(path).wantStatus(http.StatusOK)
		}
	}
	queries := rec.take()
	if len(queries) < 10 {
		t.Fatalf("only %d queries recorded", len(queries))
	}
	for _, q := range queries {
		if !strings.HasPrefix(strings.ToUpper(q), "SELECT") {
			continue
		}
		var plan []struct {
			ID, Parent, NotUsed int
			Detail              string
		}
		args := make([]any, strings.Count(q, "?"))
		if err := sqlx.Select(a.db, &plan, "EXPLAIN QUERY PLAN "+q, args...); err != nil {
			t.Fatalf("explain %s: %v", q, err)
		}
		for _, step := range plan {
			m := scanRE.FindStringSubmatch(step.Detail)
			if m == nil {
				continue
			}
			// The latest topics, newest first and unfiltered: the index
			// is walked in its order and the walk stops at the LIMIT.
			// (Filtered by kind alone, "/?kind=…", it is not: topics
			// need an index on (kind, last_post_at DESC, id DESC) for
			// that list; it is left out here.)
			if m[4] == "topics_latest" && !strings.Contains(q, " WHERE ") && strings.Contains(q, "ORDER BY t.last_post_at DESC, t.id DESC LIMIT ?") {
				continue
			}
			t.Errorf("a full scan (%s) in\n%s", step.Detail, q)
		}
	}
}

// Viewing a page does not write: the read mark only moves forward, and
// a token's last use is noted at most once a minute.
func TestPagesDoNotWriteOnEveryView(t *testing.T) {
	a, _, bea := forumApp(t)
	ctx := context.Background()
	clock := useTestClock(a)
	am := member(t, a, "anna")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Läsmärke"})
	mustReply(t, a, am, tp.ID, "Ett svar", 0)
	path := fmt.Sprintf("/t/%d", tp.ID)
	readAt := func() time.Time {
		t.Helper()
		var at time.Time
		if _, err := a.store.FlushReads(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.db.Get(&at, `SELECT read_at FROM topic_reads r JOIN members m ON m.id = r.member_id WHERE m.username = 'bea' AND r.topic_id = ?`, tp.ID); err != nil {
			t.Fatal(err)
		}
		return at
	}
	bea.get(path).wantStatus(http.StatusOK)
	first := readAt()
	clock.Add(5 * time.Minute)
	bea.get(path).wantStatus(http.StatusOK)
	if got := readAt(); !got.Equal(first) {
		t.Errorf("a second view wrote the read mark: %v → %v", first, got)
	}
	mustReply(t, a, am, tp.ID, "Ett till", 0)
	clock.Add(time.Minute)
	bea.get(path).wantStatus(http.StatusOK)
	if got := readAt(); !got.After(first) {
		t.Errorf("the read mark did not move past a new post: %v", got)
	}

	tok, err := a.store.CreateAPIToken(ctx, am.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	api := newTestClient(t, a)
	api.Bearer = tok
	path = fmt.Sprintf("/api/v1/topics/%d", tp.ID)
	lastUsed := func() *time.Time {
		t.Helper()
		var at *time.Time
		if err := a.db.Get(&at, `SELECT last_used_at FROM api_tokens WHERE member_id = ?`, am.ID); err != nil {
			t.Fatal(err)
		}
		return at
	}
	api.api(http.MethodGet, path, nil).wantStatus(http.StatusOK)
	used := lastUsed()
	if used == nil {
		t.Fatal("the token's use was not noted")
	}
	clock.Add(30 * time.Second)
	api.api(http.MethodGet, path, nil).wantStatus(http.StatusOK)
	if got := lastUsed(); !got.Equal(*used) {
		t.Errorf("the token's use was noted twice within a minute")
	}
	clock.Add(time.Minute)
	api.api(http.MethodGet, path, nil).wantStatus(http.StatusOK)
	if got := lastUsed(); !got.After(*used) {
		t.Errorf("the token's use was not noted after a minute")
	}
}
