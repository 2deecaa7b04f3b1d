package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

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

// benchMakeEvents makes the topics events, as `kliv seed` does: upcoming
// (a week on), with a capacity of 40 and 45 members going (so a waiting
// list), 5 maybe and 2 co-organisers, so the block shows its longest
// lists. The benchmark's cleanup makes them plain topics again, so a
// KLIV_BENCH_DB copy without events (the 1M-post seed was made before
// events) works too and is left as it was.
func benchMakeEvents(b *testing.B, a *app, topics []int64) {
	b.Helper()
	ctx := context.Background()
	var members []int64
	if err := a.db.Select(&members, `SELECT id FROM members WHERE status = 'approved' ORDER BY id LIMIT 52`); err != nil {
		b.Fatal(err)
	}
	if len(members) < 52 {
		b.Skip("the bench database has fewer than 52 members")
	}
	now := a.store.Now().UTC()
	start := now.Add(7 * 24 * time.Hour).Truncate(time.Hour)
	err := forum.InTx(ctx, a.db, func(tx *sqlx.Tx) error {
		for _, id := range topics {
			if _, err := tx.Exec(`UPDATE topics SET kind = 'event' WHERE id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO events (topic_id, starts_at, ends_at, location, online_url, region, capacity, official, created_at, updated_at)
				VALUES (?, ?, ?, 'Kulturhuset, Sergels torg 3, Stockholm', 'https://meet.example/kliv', 'Stockholms län', 40, 0, ?, ?)`,
				id, start, start.Add(2*time.Hour), now, now); err != nil {
				return err
			}
			for k, m := range members {
				status, queued := forum.RSVPGoing, any(nil)
				switch {
				case k < 2:
					if _, err := tx.Exec(`INSERT INTO event_organisers (topic_id, member_id) VALUES (?, ?)`, id, m); err != nil {
						return err
					}
					continue
				case k >= 47:
					status = forum.RSVPMaybe
				case k >= 42:
					status, queued = forum.RSVPWaitlisted, now.Add(time.Duration(k)*time.Second)
				}
				at := now.Add(time.Duration(k) * time.Second)
				if _, err := tx.Exec(`INSERT INTO event_rsvps (topic_id, member_id, status, queued_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
					id, m, status, queued, at, at); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		err := forum.InTx(ctx, a.db, func(tx *sqlx.Tx) error {
			for _, id := range topics {
				for _, q := range []string{`DELETE FROM event_rsvps WHERE topic_id = ?`, `DELETE FROM event_organisers WHERE topic_id = ?`,
					`DELETE FROM events WHERE topic_id = ?`, `UPDATE topics SET kind = 'discussion' WHERE id = ?`} {
					if _, err := tx.Exec(q, id); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Error(err)
		}
	})
}

// benchLongTopics is up to n plain topics of 30+ posts, spread over the
// forum: the same topics for the plain and the event benchmarks.
func benchLongTopics(b *testing.B, a *app, n int) []benchTopic {
	b.Helper()
	var topics []benchTopic
	if err := a.db.Select(&topics, `SELECT id, post_count FROM topics WHERE post_count >= 30 AND kind = 'discussion' AND locked_at IS NULL ORDER BY id`); err != nil {
		b.Fatal(err)
	}
	if len(topics) == 0 {
		b.Fatal("no long topics")
	}
	r := rand.New(rand.NewPCG(7, 8))
	r.Shuffle(len(topics), func(i, j int) { topics[i], topics[j] = topics[j], topics[i] })
	return topics[:min(n, len(topics))]
}

func topicIDs(ts []benchTopic) []int64 {
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

// benchHasEvents skips a benchmark of the database's own events on a
// bench database without any.
func benchHasEvents(b *testing.B, a *app) {
	b.Helper()
	var n int
	if err := a.db.Get(&n, `SELECT COUNT(*) FROM events`); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		b.Skip("KLIV_BENCH_DB has no events (seeded before events existed): seed it again with `kliv seed`")
	}
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

// benchEventCount is how many topics the event benchmarks make events.
const benchEventCount = 60

// BenchmarkEventsPage is the list of upcoming events and the month view
// (benchEventCount events, all in the coming week), and, to compare, a
// topic page of 30 posts as BenchmarkTopicPage.
func BenchmarkEventsPage(b *testing.B) {
	b.Run("topic", func(b *testing.B) {
		a, tok, topic := benchApp(b)
		benchPages(b, a.routes(), tok, []string{"/t/" + strconv.FormatInt(topic, 10)}, nil)
	})
	b.Run("list", func(b *testing.B) {
		a, tok, _ := benchApp(b)
		benchMakeEvents(b, a, topicIDs(benchLongTopics(b, a, benchEventCount)))
		benchPages(b, a.routes(), tok, []string{"/events"}, nil)
	})
	b.Run("month", func(b *testing.B) {
		a, tok, _ := benchApp(b)
		benchMakeEvents(b, a, topicIDs(benchLongTopics(b, a, benchEventCount)))
		benchPages(b, a.routes(), tok, []string{"/events?month=" + a.store.Now().Add(7*24*time.Hour).Format("2006-01")}, nil)
	})
}

// BenchmarkEventTopicPage is an event's topic page beside the same topic
// as a plain one, in the same run, so the difference is the event alone:
// warm, one page viewed again and again (as BenchmarkTopicPage: the
// topic of about 30 posts), and cold, random pages of benchEventCount
// long topics by random members with nothing cached (as
// BenchmarkTopicPageRandom, the card cache emptied before each view).
// "seeded" is random views of the events `kliv seed` made.
func BenchmarkEventTopicPage(b *testing.B) {
	b.Run("warm/topic", func(b *testing.B) {
		a, tok, topic := benchApp(b)
		benchPages(b, a.routes(), tok, []string{"/t/" + strconv.FormatInt(topic, 10)}, nil)
	})
	b.Run("warm/event", func(b *testing.B) {
		a, tok, topic := benchApp(b)
		benchMakeEvents(b, a, []int64{topic})
		benchPages(b, a.routes(), tok, []string{"/t/" + strconv.FormatInt(topic, 10)}, nil)
	})
	b.Run("cold/topic", func(b *testing.B) {
		a, _, _ := benchApp(b)
		benchRandomViews(b, a, benchLongTopics(b, a, benchEventCount))
	})
	b.Run("cold/event", func(b *testing.B) {
		a, _, _ := benchApp(b)
		topics := benchLongTopics(b, a, benchEventCount)
		benchMakeEvents(b, a, topicIDs(topics))
		benchRandomViews(b, a, topics)
	})
	b.Run("seeded", func(b *testing.B) {
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
