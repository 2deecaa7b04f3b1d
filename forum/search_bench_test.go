package forum_test

import (
	"cmp"
	"context"
	"github.com/jmoiron/sqlx"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"kliv/forum"
	"kliv/forum/search"
	"kliv/forum/seed"
)

// BenchmarkSearch runs typical searches against a seeded database:
//
//	kliv seed --members 5000 --topics 100000 --posts 1000000 --db /tmp/searchbench.db
//	KLIV_BENCH_DB=/tmp/searchbench.db go test -run '^$' -bench BenchmarkSearch ./forum
//
// benchSearchStore opens KLIV_BENCH_DB, or without it a small seed of its
// own (so the search benchmarks run in CI too and cannot rot).
func benchSearchStore(b *testing.B) (*forum.Store, *sqlx.DB) {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("KLIV_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "search.db")
	}
	db, err := forum.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := forum.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	s := forum.NewStore(db, "")
	s.Hash = forum.TestPasswordParams
	var n int
	if err := db.Get(&n, `SELECT COUNT(*) FROM posts`); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		if _, err := seed.Run(ctx, s, seed.Options{Members: 100, Topics: 300, Posts: 6000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	return s, db
}

func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	s, _ := benchSearchStore(b)
	viewer := &forum.Member{ID: 1, Status: forum.StatusApproved}
	for _, bc := range []struct{ name, q string }{
		{"rare", "vårdhandbokens"}, // 200 posts
		{"common", "det"},          // 790 000 posts, the most frequent word
		{"common2", "det att"},     // two of them
		{"prefix2", "le*"},         // 2-letter prefix
		{"prefix3", "led*"},        // 3-letter prefix
		{"prefix6", "ledars*"},     // longer than the prefix indexes
		{"phrase", `"det är"`},     // a phrase of common words
		{"filtered", "ledarskap typ:fråga kategori:aldreomsorg efter:2026-06-01"},
		{"author", "det @admin"},                  // a common word, a rare author
		{"before", "det före:2025-01-31"},         // a common word, the oldest month
		{"before-exact", `"det" före:2025-01-31`}, // the same, the word only as typed
		{"forms", "hemtjänsten"},                  // a word and its forms (hemtjänst*)
		{"forms2", "medarbetare chefer"},          // two words with their forms
		{"forms-common", "ledarskap"},             // a common word's forms (ledarskap*)
		// Old ranges: FTS4 reads doclists from the newest entry down.
		{"before-phrase", `"det är" före:2025-01-31`},
		{"before-prefix", "le* före:2025-01-31"},
		{"before-two", "det att före:2025-03-31"},
		{"before-rare", "vårdhandbokens före:2025-06-30"},
		{"before-not", "det -och före:2025-01-31"},
		{"before-category", "det kategori:traffar före:2025-01-31"},
		{"before-kind", "och typ:fråga före:2025-01-31"},
		{"before-author", "det @admin före:2025-06-30"},
		{"between", "det efter:2025-03-01 före:2025-03-31"},
		{"day", "och efter:2025-05-02 före:2025-05-02"},
		{"before-title", "in:title ledarskap före:2025-01-31"},
		{"before-medium", "schema före:2025-01-31"},
		{"mid", "det före:2025-12-31"},
		// Common words whose matches are rare: FTS4 reads bounded doclists.
		{"not-common", "vi -det -att"},
		{"not-common-filtered", "vi -det -att kategori:traffar"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			q := search.Parse(bc.q)
			var took []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := s.Search(ctx, viewer, q, forum.SearchOptions{}); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			ms := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))]) / 1e6 }
			b.ReportMetric(ms(0.5), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
		})
	}
}

// BenchmarkSearchSweep runs every shape of query over the commonest
// words, short prefixes and phrases, each alone and with every kind of
// filter, and reports the worst p99 of them (and logs the ten worst):
// the table behind "p99 ≤ 50 ms for any query".
//
//	KLIV_BENCH_DB=/tmp/search.db go test -run '^$' -bench SearchSweep -benchtime 1x -v ./forum
func BenchmarkSearchSweep(b *testing.B) {
	ctx := context.Background()
	s, db := benchSearchStore(b)
	var author, cat string
	if err := db.Get(&author, `SELECT m.username FROM members m JOIN posts p ON p.author_id = m.id GROUP BY m.id ORDER BY COUNT(*) DESC LIMIT 1`); err != nil {
		b.Fatal(err)
	}
	if err := db.Get(&cat, `SELECT slug FROM categories ORDER BY topic_count LIMIT 1`); err != nil {
		b.Fatal(err)
	}
	words := []string{"det", "att", "och", "i", "är", "en", "som", "på", "för", "med", "vi", "har", "av", "till", "om",
		"inte", "jag", "så", "men", "ett", "hur", "var", "kan", "du", "hos", "oss", "mycket", "bra", "ni", "tack",
		"le*", "me*", "fö*", "led*", "med*", "arb*", "sam*", "chef*", `"det är"`, `"det är lätt att"`, `"hos oss"`,
		`"att vara"`, "det att", "och i som", "det -och", "vi -det -att", "ledarskap", "medarbetare", "schema", "vårdhandbokens"}
	filters := []string{"", "före:2025-01-31", "före:2025-06-30", "efter:2025-03-01 före:2025-03-31", "efter:2026-11-01",
		"kategori:" + cat, "typ:fråga", "@" + author, "in:title", "kategori:" + cat + " före:2025-01-31",
		"typ:tips @" + author + " före:2025-06-30", "in:title typ:fråga före:2025-01-31"}
	viewer := &forum.Member{ID: 1, Status: forum.StatusApproved}
	type result struct {
		q        string
		p50, p99 float64
	}
	var all []result
	for b.Loop() {
		all = all[:0]
		for _, w := range words {
			for _, f := range filters {
				in := w + " " + f
				q := search.Parse(in)
				var took []time.Duration
				for range 5 {
					t0 := time.Now()
					if _, err := s.Search(ctx, viewer, q, forum.SearchOptions{}); err != nil {
						b.Fatalf("%q: %v", in, err)
					}
					took = append(took, time.Since(t0))
				}
				slices.Sort(took)
				all = append(all, result{in, float64(took[2]) / 1e6, float64(took[4]) / 1e6})
			}
		}
	}
	slices.SortFunc(all, func(x, y result) int { return cmp.Compare(y.p99, x.p99) })
	for _, r := range all[:min(10, len(all))] {
		b.Logf("%-50q p50 %6.1f ms  max of 5 %6.1f ms", r.q, r.p50, r.p99)
	}
	b.ReportMetric(all[0].p99, "worst-ms")
	b.ReportMetric(float64(len(all)), "queries")
}
