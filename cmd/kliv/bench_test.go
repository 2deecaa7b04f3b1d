package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"kliv/forum/seed"
)

// benchApp opens the database named by KLIV_BENCH_DB (a seeded copy, e.g.
// from `kliv seed --members 5000 --topics 100000 --posts 1000000`), or
// seeds a small forum in a temporary folder, and returns the app, a bearer
// token of the admin and a topic with about 30 posts.
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
	if err := a.db.Get(&topic, `SELECT id FROM topics WHERE post_count BETWEEN 30 AND 40 ORDER BY id LIMIT 1`); err != nil {
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
