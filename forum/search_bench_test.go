package forum_test

import (
	"context"
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
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("KLIV_BENCH_DB")
	if path == "" {
		// Without a big seed, a small one: the benchmark still runs (in
		// CI too), so it cannot rot.
		path = filepath.Join(b.TempDir(), "search.db")
	}
	db, err := forum.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
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
