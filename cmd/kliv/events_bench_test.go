package main

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"
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
	// CPU time per request, beside wall time: on a shared machine the
	// wall time mostly measures the neighbours.
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	defer func() {
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
		cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) / time.Duration(max(1, b.N))
		b.ReportMetric(float64(cpu.Nanoseconds()), "cpu-ns/op")
	}()
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

// BenchmarkEventsPage is the list of upcoming events, the month view,
// and (to compare) a topic page of 30 posts, as BenchmarkTopicPage.
func BenchmarkEventsPage(b *testing.B) {
	b.Run("list", func(b *testing.B) {
		a, tok, _ := benchApp(b)
		benchPages(b, a.routes(), tok, []string{"/events"}, nil)
	})
	b.Run("month", func(b *testing.B) {
		a, tok, _ := benchApp(b)
		benchPages(b, a.routes(), tok, []string{"/events?month=" + a.store.Now().Add(30*24*time.Hour).Format("2006-01")}, nil)
	})
	b.Run("topic", func(b *testing.B) {
		a, tok, topic := benchApp(b)
		benchPages(b, a.routes(), tok, []string{"/t/" + strconv.FormatInt(topic, 10)}, nil)
	})
}

// BenchmarkEventTopicPage is a random event's topic page; "topic" is a
// topic page of 30 posts, to compare.
func BenchmarkEventTopicPage(b *testing.B) {
	b.Run("topic", func(b *testing.B) {
		a, tok, topic := benchApp(b)
		benchPages(b, a.routes(), tok, []string{"/t/" + strconv.FormatInt(topic, 10)}, nil)
	})
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
