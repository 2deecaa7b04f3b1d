package main

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"kliv/forum"
	"kliv/forum/seed"
)

// benchApp opens the database named by KLIV_BENCH_DB (a seeded copy, e.g.
// from `kliv seed --members 5000 --topics 100000 --posts 1000000`), or
// seeds a small forum in a temporary folder, and returns the app, a bearer
// token of the admin and a topic with about 30 posts (not an event: the
// event benchmarks compare against it).
func benchApp(b *testing.B) (*app, string, int64) {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("KLIV_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	a, err := openApp(ctx, Config{Addr: "127.0.0.1:0", DB: path, BaseURL: "http://kliv.test"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.close() })
	var n int
	if err := a.db.Get(&n, `SELECT COUNT(*) FROM topics`); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		if _, err := seed.Run(ctx, a.store, seed.Options{Members: 200, Topics: 400, Posts: 12000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	admin, err := a.store.MemberByUsername(ctx, "admin")
	if err != nil {
		b.Fatal(err)
	}
	tok, err := a.store.CreateAPIToken(ctx, admin.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	var topic int64
	if err := a.db.Get(&topic, `SELECT id FROM topics WHERE post_count BETWEEN 30 AND 40 AND kind != 'event' ORDER BY id LIMIT 1`); err != nil {
		b.Fatal(err)
	}
	return a, tok, topic
}

func benchPage(b *testing.B, h http.Handler, tok, path string) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, w.Code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}

// BenchmarkTopicPage is the full topic page of 30 posts, one request at a
// time: the number the performance work is held to.
func BenchmarkTopicPage(b *testing.B) {
	a, tok, topic := benchApp(b)
	benchPage(b, a.routes(), tok, "/t/"+strconv.FormatInt(topic, 10))
}

// BenchmarkHomePage is the latest-topics list.
func BenchmarkHomePage(b *testing.B) {
	a, tok, _ := benchApp(b)
	benchPage(b, a.routes(), tok, "/")
}

// BenchmarkTopicAPI is GET /api/v1/topics/{id}.
func BenchmarkTopicAPI(b *testing.B) {
	a, tok, topic := benchApp(b)
	benchPage(b, a.routes(), tok, "/api/v1/topics/"+strconv.FormatInt(topic, 10))
}

// benchMembers returns bearer tokens of up to n plain members and the
// topics with 30+ posts, for benchmarks that go as members do: random
// topics, nearly all first views, by many members.
func benchMembers(b *testing.B, a *app, n int) ([]string, []benchTopic) {
	b.Helper()
	ctx := context.Background()
	var ids []int64
	if err := a.db.Select(&ids, `SELECT id FROM members WHERE status = 'approved' AND role = 'member' ORDER BY id LIMIT ?`, n); err != nil {
		b.Fatal(err)
	}
	var toks []string
	for _, id := range ids {
		tok, err := a.store.CreateAPIToken(ctx, id, "bench")
		if err != nil {
			b.Fatal(err)
		}
		toks = append(toks, tok)
	}
	var topics []benchTopic
	if err := a.db.Select(&topics, `SELECT id, post_count FROM topics WHERE post_count >= 30 AND locked_at IS NULL ORDER BY id`); err != nil {
		b.Fatal(err)
	}
	if len(toks) == 0 || len(topics) == 0 {
		b.Fatal("no members or long topics")
	}
	return toks, topics
}

type benchTopic struct {
	ID    int64 `db:"id"`
	Posts int   `db:"post_count"`
}

// BenchmarkTopicPageRandom is the topic page as members meet it: a random
// member opens a random long topic at a random page, nearly every view
// her first (so her read mark moves) and the cards of most pages not yet
// cached.
func BenchmarkTopicPageRandom(b *testing.B) {
	a, _, _ := benchApp(b)
	toks, topics := benchMembers(b, a, 200)
	h := a.routes()
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		t := topics[r.IntN(len(topics))]
		path := "/t/" + strconv.FormatInt(t.ID, 10)
		if p := r.IntN((t.Posts + forum.PageSize - 1) / forum.PageSize); p > 0 {
			path += "?page=" + strconv.Itoa(p+1)
		}
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", "Bearer "+toks[r.IntN(len(toks))])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, w.Code)
		}
	}
}

// BenchmarkReplyAPI is a reply through the API by a random member to a
// random long topic: the write path with its notifications, counters and
// search index.
func BenchmarkReplyAPI(b *testing.B) {
	a, _, _ := benchApp(b)
	toks, topics := benchMembers(b, a, 200)
	h := a.routes()
	r := rand.New(rand.NewPCG(3, 4))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		path := "/api/v1/topics/" + strconv.FormatInt(topics[r.IntN(len(topics))].ID, 10) + "/posts"
		body := `{"body":"Vi provar ett nytt schema i hemtjänsten, svar nummer ` + strconv.Itoa(i) + `."}`
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+toks[r.IntN(len(toks))])
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("POST %s: %d %s", path, w.Code, w.Body)
		}
	}
}
