package main

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// Events on the seeded forum (KLIV_BENCH_DB, see bench_test.go): the
// events page and random events' topic pages, warm (the post cards
// cached) and cold (a fresh card cache on every view), beside
// BenchmarkTopicPage.
//
//	KLIV_BENCH_DB=/tmp/bench.db go test -run XXX -bench 'Event|TopicPage' -count 5 ./cmd/kliv

// benchEvents returns up to n random event ids of the bench database.
func benchEvents(b *testing.B, a *app, n int) []int64 {
	b.Helper()
	var ids []int64
	if err := a.db.Select(&ids, `SELECT topic_id FROM events ORDER BY topic_id`); err != nil {
		b.Fatal(err)
	}
	if len(ids) == 0 {
		b.Fatal("the bench database has no events: seed it again")
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids[:min(n, len(ids))]
}

// benchPages requests a page of the paths in turn; reset, when set, runs
// before each request outside the timer.
func benchPages(b *testing.B, h http.Handler, tok string, paths []string, reset func()) {
	b.Helper()
	get := func(path string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
	}
	for _, p := range paths {
		get(p)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if reset != nil {
			b.StopTimer()
			reset()
			b.StartTimer()
		}
		get(paths[i%len(paths)])
		i++
	}
}

func eventPaths(b *testing.B, a *app) []string {
	var paths []string
	for _, id := range benchEvents(b, a, 200) {
		paths = append(paths, "/t/"+strconv.FormatInt(id, 10))
	}
	return paths
}

// BenchmarkEventsPage is the list of upcoming events.
func BenchmarkEventsPage(b *testing.B) {
	a, tok, _ := benchApp(b)
	benchPage(b, a.routes(), tok, "/events")
}

// BenchmarkEventsMonth is the month view.
func BenchmarkEventsMonth(b *testing.B) {
	a, tok, _ := benchApp(b)
	benchPage(b, a.routes(), tok, "/events?month="+a.store.Now().Format("2006-01"))
}

// BenchmarkEventTopicPage is a random event's topic page.
func BenchmarkEventTopicPage(b *testing.B) {
	b.Run("warm", func(b *testing.B) {
		a, tok, _ := benchApp(b)
		benchPages(b, a.routes(), tok, eventPaths(b, a), nil)
	})
	b.Run("cold", func(b *testing.B) {
		a, tok, _ := benchApp(b)
		benchPages(b, a.routes(), tok, eventPaths(b, a), func() { a.views.cards = newPostCache(defaultCardCacheBytes) })
	})
}

// BenchmarkEventAPI is GET /api/v1/events/{id} of random events.
func BenchmarkEventAPI(b *testing.B) {
	a, tok, _ := benchApp(b)
	var paths []string
	for _, id := range benchEvents(b, a, 200) {
		paths = append(paths, "/api/v1/events/"+strconv.FormatInt(id, 10))
	}
	benchPages(b, a.routes(), tok, paths, nil)
}
