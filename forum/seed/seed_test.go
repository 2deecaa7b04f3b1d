package seed

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"kliv/forum"
	"kliv/forum/links"
	"kliv/i18n"

	"kliv/forum/dbtest"
)

var testNow = time.Date(2025, time.October, 14, 10, 30, 0, 0, time.UTC)

func testStore(t *testing.T) *forum.Store {
	t.Helper()
	ctx := context.Background()
	db, err := forum.Open(ctx, dbtest.Migrated(t, "kliv.db", dbtest.Schema{Key: forum.SchemaKey(), Migrate: forum.MigrateURL}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := forum.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	s := forum.NewStore(db, "https://kliv.test")
	s.Hash = forum.TestPasswordParams
	s.I18n = i18n.MustLoad()
	s.Now = func() time.Time { return testNow }
	return s
}

func count(t *testing.T, s *forum.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB.Get(&n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func checkCounters(t *testing.T, s *forum.Store) {
	t.Helper()
	problems, err := s.CheckCounters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("counters disagree with the rows:\n%s", strings.Join(problems, "\n"))
	}
}

func TestSeedSmall(t *testing.T) {
	ctx := context.Background()
	s := testStore(t)
	var phases []string
	sum, err := Run(ctx, s, Options{Members: 30, Topics: 60, Posts: 600, Seed: 7, Progress: func(p Progress) {
		phases = append(phases, fmt.Sprintf("%s %d/%d", p.Phase, p.Done, p.Total))
	}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Members != 30 || sum.Topics != 60 || sum.Posts != 600 || sum.Pending == 0 || sum.Rejected == 0 {
		t.Fatalf("summary %+v", sum)
	}
	if !strings.Contains(strings.Join(phases, ","), "posts 600/600") {
		t.Errorf("progress %q does not end the posts", phases)
	}
	checkCounters(t, s)
	if sum.Events == 0 || sum.Kinds["event"] != sum.Events {
		t.Errorf("events: %d, kinds %v", sum.Events, sum.Kinds)
	}

	// Sizes, and the shape of the forum.
	for q, want := range map[string]int{
		`SELECT COUNT(*) FROM members WHERE status = 'approved'`: 30,
		`SELECT COUNT(*) FROM topics`:                            60,
		`SELECT COUNT(*) FROM posts`:                             600,
		`SELECT COUNT(*) FROM reactions`:                         sum.Thanks,
		`SELECT COUNT(*) FROM members WHERE status = 'approved' AND role <> 'admin' AND username <> 'moderator'
			AND (role_title = '' OR workplace = '' OR sector = '')`: 0,
		`SELECT COUNT(*) FROM join_requests WHERE status = 'approved'`:                                       28,
		`SELECT COUNT(*) FROM categories c WHERE NOT EXISTS (SELECT 1 FROM topics WHERE category_id = c.id)`: 0,
		`SELECT COUNT(DISTINCT kind) FROM topics`:                                                            5,
		`SELECT COUNT(*) FROM members WHERE username = 'admin' AND role = 'admin'`:                           1,
		`SELECT COUNT(*) FROM members WHERE username = 'moderator' AND role = 'moderator'`:                   1,
		// Posts follow one another in time, and nothing is in the future.
		`SELECT COUNT(*) FROM posts a JOIN posts b ON b.topic_id = a.topic_id AND b.seq = a.seq + 1 WHERE b.created_at <= a.created_at`: 0,
		`SELECT COUNT(*) FROM topics t JOIN posts p ON p.id = t.first_post_id WHERE p.created_at <> t.created_at`:                       0,
		`SELECT COUNT(*) FROM posts WHERE created_at > ?`:                                                                               0,
		`SELECT COUNT(*) FROM topics WHERE kind = 'link' AND url IS NULL`:                                                               0,
	} {
		args := []any{}
		if strings.Contains(q, "?") {
			args = append(args, testNow)
		}
		if got := count(t, s, q, args...); got != want {
			t.Errorf("%s = %d, want %d", strings.Join(strings.Fields(q), " "), got, want)
		}
	}
	for q, atLeast := range map[string]int{
		`SELECT COUNT(*) FROM join_requests WHERE status = 'pending'`:                       1,
		`SELECT COUNT(*) FROM join_requests WHERE status = 'rejected' AND reason <> ''`:     1,
		`SELECT MAX(post_count) - 1 FROM topics`:                                            100,
		`SELECT COUNT(*) FROM topics WHERE post_count > 30`:                                 2,
		`SELECT COUNT(*) FROM topics WHERE post_count = 1`:                                  1,
		`SELECT COUNT(*) FROM posts WHERE reply_to IS NOT NULL`:                             100,
		`SELECT COUNT(*) FROM posts WHERE body LIKE '> %'`:                                  10,
		`SELECT COUNT(*) FROM posts WHERE body_html LIKE '%class="mention"%'`:               5,
		`SELECT COUNT(*) FROM posts WHERE body LIKE '%**%'`:                                 10,
		"SELECT COUNT(*) FROM posts WHERE body LIKE '%\n- %'":                               5,
		`SELECT COUNT(*) FROM posts WHERE thanks_count > 0`:                                 50,
		`SELECT COUNT(*) FROM topics WHERE kind = 'tip' AND thanks_count > 0`:               1,
		`SELECT COUNT(*) FROM topics WHERE pinned = TRUE`:                                   10,
		`SELECT COUNT(*) FROM post_revisions`:                                               1,
		`SELECT COUNT(*) FROM events`:                                                       sum.Events,
		`SELECT COUNT(*) FROM events WHERE starts_at < (SELECT MAX(created_at) FROM posts)`: 1,
		`SELECT COUNT(*) FROM events WHERE official = TRUE`:                                 1,
		`SELECT COUNT(*) FROM event_rsvps WHERE status = 'waitlisted'`:                      1,
		`SELECT COUNT(*) FROM audit_log WHERE action = 'join_request.approve'`:              28,
		// Two years of history.
		historyDays(s): 600,
	} {
		if got := count(t, s, q); got < atLeast {
			t.Errorf("%s = %d, want at least %d", strings.Join(strings.Fields(q), " "), got, atLeast)
		}
	}
	// The bulk path's sign-ups keep the events' count columns (migration
	// 0101's triggers).
	if got := count(t, s, `SELECT COUNT(*) FROM events e WHERE e.going_count != (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = e.topic_id AND r.status = 'going')
		OR e.waitlisted_count != (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = e.topic_id AND r.status = 'waitlisted')
		OR e.maybe_count != (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = e.topic_id AND r.status = 'maybe')`); got != 0 {
		t.Errorf("%d events' sign-up counts are off", got)
	}

	// Mentions name real members, links are normalised, and the HTML is
	// what the store's own pipeline makes of the text.
	var bodies []struct {
		Body string `db:"body"`
		HTML string `db:"body_html"`
	}
	if err := s.DB.Select(&bodies, `SELECT body, body_html FROM posts WHERE deleted_at IS NULL ORDER BY id LIMIT 200`); err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		html, err := s.MD.Render(b.Body)
		if err != nil || html != b.HTML {
			t.Fatalf("stored HTML is not the pipeline's: %v\n%s\n%s", err, b.HTML, html)
		}
		names, err := s.MD.Mentions(b.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if count(t, s, `SELECT COUNT(*) FROM members WHERE username = ?`, name) != 1 {
				t.Errorf("post mentions @%s, who is not a member", name)
			}
		}
	}
	var urls []string
	if err := s.DB.Select(&urls, `SELECT url FROM topics WHERE url IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		if n, err := links.Normalize(u); err != nil || n != u {
			t.Errorf("link %q is not normalised (%q, %v)", u, n, err)
		}
	}

	// The normal methods work on seeded data.
	admin, err := s.Authenticate(ctx, "admin", DemoPassword)
	if err != nil || !admin.IsAdmin() {
		t.Fatalf("admin sign-in: %v %v", admin, err)
	}
	if _, err := s.Authenticate(ctx, sum.Example, DemoPassword); err != nil {
		t.Fatalf("member sign-in: %v", err)
	}
	var topicID int64
	if err := s.DB.Get(&topicID, `SELECT id FROM topics WHERE locked_at IS NULL ORDER BY post_count DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	before := count(t, s, `SELECT post_count FROM topics WHERE id = ?`, topicID)
	p, err := s.CreatePost(ctx, admin, topicID, forum.NewPost{Body: "Ett nytt svar från @moderator.", ReplyTo: 0})
	if err != nil {
		t.Fatal(err)
	}
	if p.Seq != before+1 {
		t.Errorf("new reply has seq %d, want %d", p.Seq, before+1)
	}
	var other int64
	if err := s.DB.Get(&other, `SELECT p.id FROM posts p WHERE p.author_id <> ? AND p.deleted_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM reactions WHERE post_id = p.id AND member_id = ?) LIMIT 1`, admin.ID, admin.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Thank(ctx, admin, other); err != nil {
		t.Fatal(err)
	}
	ts, next, err := s.Topics(ctx, admin, forum.TopicFilter{Limit: 25})
	if err != nil || len(ts) != 25 || next == "" || ts[0].ID != topicID {
		t.Fatalf("latest topics: %d %q %v (first %d, want %d)", len(ts), next, err, ts[0].ID, topicID)
	}
	checkCounters(t, s)

	// A second run refuses, unless forced; forced, it adds alongside.
	if _, err := Run(ctx, s, Options{Members: 5, Topics: 5, Posts: 20, Seed: 7}); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second run: %v, want ErrNotEmpty", err)
	}
	sum2, err := Run(ctx, s, Options{Members: 5, Topics: 5, Posts: 20, Seed: 7, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Admin == "admin" || sum2.Topics != 5 || count(t, s, `SELECT COUNT(*) FROM topics`) != 65 {
		t.Errorf("forced run: %+v", sum2)
	}
	checkCounters(t, s)
}

// The same seed gives the same forum, however many workers render it;
// another seed another one.
func TestSeedRepeatable(t *testing.T) {
	digest := func(seed uint64, workers int) string {
		s := testStore(t)
		if _, err := Run(context.Background(), s, Options{Members: 12, Topics: 20, Posts: 2500, Seed: seed, Workers: workers}); err != nil {
			t.Fatal(err)
		}
		var rows []string
		if err := s.DB.Select(&rows, `SELECT p.id || ' ' || p.topic_id || ' ' || p.seq || ' ' || COALESCE(CAST(p.reply_to AS TEXT), '') || ' ' ||
			p.author_id || ' ' || p.created_at || ' ' || p.body || ' ' || t.title || ' ' || m.username
			FROM posts p JOIN topics t ON t.id = p.topic_id JOIN members m ON m.id = p.author_id ORDER BY p.id`); err != nil {
			t.Fatal(err)
		}
		var thanks []string
		if err := s.DB.Select(&thanks, `SELECT post_id || ' ' || member_id || ' ' || created_at FROM reactions ORDER BY post_id, member_id`); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Join(rows, "\n")+strings.Join(thanks, "\n"))))
	}
	a, b, c := digest(3, 1), digest(3, 3), digest(4, 2)
	if a != b {
		t.Error("the same seed gave different forums")
	}
	if a == c {
		t.Error("different seeds gave the same forum")
	}
}

func TestSeedRefusesBadSizes(t *testing.T) {
	for _, o := range []Options{{Members: 1, Topics: 1, Posts: 1}, {Members: 5, Topics: 10, Posts: 5}, {Members: 5, Topics: -1}} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v was accepted", o)
		}
	}
	// Members only is fine.
	s := testStore(t)
	sum, err := Run(context.Background(), s, Options{Members: 3})
	if err != nil || sum.Members != 3 || sum.Topics != 0 {
		t.Fatalf("members only: %+v %v", sum, err)
	}
	checkCounters(t, s)
}

// Interrupted (Ctrl-C), a seed stops cleanly and says why.
func TestSeedInterrupted(t *testing.T) {
	s := testStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, s, Options{Members: 20, Topics: 100, Posts: 2500, Seed: 1, Workers: 1, Progress: func(p Progress) {
		if p.Phase == "posts" && p.Done >= 1000 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	// The store works as before: nothing half-written is left open.
	if _, err := s.Categories(context.Background(), false); err != nil {
		t.Fatal(err)
	}
}

// Every scale gets past and upcoming events with sign-ups and a waiting
// list (issue 7, point 8), down to a forum of a few topics.
func TestSeedEventsAtEveryScale(t *testing.T) {
	for _, o := range []Options{{Members: 2, Topics: 2, Posts: 2}, {Members: 4, Topics: 3, Posts: 6}, {Members: 10, Topics: 12, Posts: 40},
		{Members: 30, Topics: 60, Posts: 600}, {Members: 60, Topics: 700, Posts: 1400}} {
		t.Run(fmt.Sprintf("%d-%d-%d", o.Members, o.Topics, o.Posts), func(t *testing.T) {
			s := testStore(t)
			o.Seed = 3
			if _, err := Run(context.Background(), s, o); err != nil {
				t.Fatal(err)
			}
			for q, atLeast := range map[string]int{
				`SELECT COUNT(*) FROM events WHERE starts_at < ?`:              1,
				`SELECT COUNT(*) FROM events WHERE starts_at > ?`:              1,
				`SELECT COUNT(*) FROM event_rsvps WHERE status = 'going'`:      2,
				`SELECT COUNT(*) FROM event_rsvps WHERE status = 'waitlisted'`: 1,
				`SELECT COUNT(*) FROM events e WHERE e.going_count <> (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = e.topic_id AND r.status = 'going')`: 0,
			} {
				var args []any
				if strings.Contains(q, "?") {
					args = append(args, testNow)
				}
				if got := count(t, s, q, args...); got < atLeast || (atLeast == 0 && got != 0) {
					t.Errorf("%s = %d, want %d", q, got, atLeast)
				}
			}
		})
	}
}

// historyDays is the query for the days between the first and the last
// topic, in the store's dialect.
func historyDays(s *forum.Store) string {
	if s.PG() {
		return `SELECT CAST(EXTRACT(EPOCH FROM MAX(created_at) - MIN(created_at)) / 86400 AS INTEGER) FROM topics`
	}
	return `SELECT CAST(julianday(MAX(created_at)) - julianday(MIN(created_at)) AS INTEGER) FROM topics`
}
