package main

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	"kliv/forum"
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

// benchHasEvents skips the benchmark on a bench database without events
// (the 1M-post seed made before events existed): `kliv seed` makes them
// at every scale, so seed the database again to measure them there.
func benchHasEvents(b *testing.B, a *app) {
	b.Helper()
	var n int
	if err := a.db.Get(&n, `SELECT COUNT(*) FROM events`); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		b.Skip("KLIV_BENCH_DB has no events (seeded before events existed): seed it again with `kliv seed` to measure the event pages")
	}
}

// benchEvent is the event to view again and again: one of 20+ posts
// (or the longest) with the most sign-ups, so its organisers and
// attendee list are the longest the page shows.
func benchEvent(b *testing.B, a *app) int64 {
	b.Helper()
	var id int64
	if err := a.db.Get(&id, `SELECT e.topic_id FROM events e JOIN topics t ON t.id = e.topic_id
		ORDER BY t.post_count >= 20 DESC, (SELECT COUNT(*) FROM event_rsvps r WHERE r.topic_id = e.topic_id) DESC, e.topic_id LIMIT 1`); err != nil {
		b.Fatal(err)
	}
	return id
}

// benchRandomViews views random pages of random topics as random members,
// each view her first of that page (the card cache emptied before it, so
// nothing of the page was rendered before), as BenchmarkTopicPageRandom.
func benchRandomViews(b *testing.B, a *app, topics []benchTopic) {
	b.Helper()
	toks, _ := benchMembers(b, a, 200)
	h := a.routes()
	r := rand.New(rand.NewPCG(5, 6))
	var before, after syscall.Rusage
	b.ReportAllocs()
	b.ResetTimer()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	for b.Loop() {
		b.StopTimer()
		a.views.cards = newPostCache(defaultCardCacheBytes)
		t := topics[r.IntN(len(topics))]
		path := "/t/" + strconv.FormatInt(t.ID, 10)
		if p := r.IntN((t.Posts + forum.PageSize - 1) / forum.PageSize); p > 0 {
			path += "?page=" + strconv.Itoa(p+1)
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+toks[r.IntN(len(toks))])
		w := httptest.NewRecorder()
		b.StartTimer()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) / time.Duration(max(1, b.N))
	b.ReportMetric(float64(cpu.Nanoseconds()), "cpu-ns/op")
}

// BenchmarkEventsPage is the list of upcoming events, the month view,
// and (to compare) a topic page of 30 posts, as BenchmarkTopicPage.
func BenchmarkEventsPage(b *testing.B) {
	b.Run("topic", func(b *testing.B) {
		a, tok, topic := benchApp(b)
		benchPages(b, a.routes(), tok, []string{"/t/" + strconv.FormatInt(topic, 10)}, nil)
	})
	b.Run("list", func(b *testing.B) {
		a, tok, _ := benchApp(b)
		benchHasEvents(b, a)
		benchPages(b, a.routes(), tok, []string{"/events"}, nil)
	})
	b.Run("month", func(b *testing.B) {
		a, tok, _ := benchApp(b)
		benchHasEvents(b, a)
		benchPages(b, a.routes(), tok, []string{"/events?month=" + a.store.Now().Add(30*24*time.Hour).Format("2006-01")}, nil)
	})
}

// BenchmarkEventTopicPage is an event's topic page beside a plain topic
// page, in the same run: warm, one page viewed again and again (as
// BenchmarkTopicPage), and cold, random pages of random topics by random
// members with nothing cached (as BenchmarkTopicPageRandom, the card
// cache emptied before each view).
func BenchmarkEventTopicPage(b *testing.B) {
	b.Run("warm/topic", func(b *testing.B) {
		a, tok, topic := benchApp(b)
		benchPages(b, a.routes(), tok, []string{"/t/" + strconv.FormatInt(topic, 10)}, nil)
	})
	b.Run("warm/event", func(b *testing.B) {
		a, tok, _ := benchApp(b)
		benchHasEvents(b, a)
		benchPages(b, a.routes(), tok, []string{"/t/" + strconv.FormatInt(benchEvent(b, a), 10)}, nil)
	})
	b.Run("cold/topic", func(b *testing.B) {
		a, _, _ := benchApp(b)
		var topics []benchTopic
		if err := a.db.Select(&topics, `SELECT id, post_count FROM topics WHERE post_count >= 30 AND kind <> 'event' AND locked_at IS NULL ORDER BY id`); err != nil {
			b.Fatal(err)
		}
		benchRandomViews(b, a, topics)
	})
	b.Run("cold/event", func(b *testing.B) {
		a, _, _ := benchApp(b)
		benchHasEvents(b, a)
		var topics []benchTopic
		if err := a.db.Select(&topics, `SELECT t.id, t.post_count FROM events e JOIN topics t ON t.id = e.topic_id ORDER BY t.id`); err != nil {
			b.Fatal(err)
		}
		benchRandomViews(b, a, topics)
	})
}

// BenchmarkEventAPI is GET /api/v1/events/{id} of random events.
func BenchmarkEventAPI(b *testing.B) {
	a, tok, _ := benchApp(b)
	benchHasEvents(b, a)
	var paths []string
	for _, id := range benchEvents(b, a, 200) {
		paths = append(paths, "/api/v1/events/"+strconv.FormatInt(id, 10))
	}
	benchPages(b, a.routes(), tok, paths, nil)
}
