package main

import (
	"encoding/json"
	"kliv/forum/dbtest"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"kliv/forum/seed"
	"kliv/i18n"
)

// TestSearchWalk holds the walk of an old date range (forum/searchscan.go)
// to what FTS4 answers: on a seeded forum, every query shape with date
// filters gives the same results, in the same order, with the same
// snippets, whether the range is walked in Go or read from the index.
func TestSearchWalk(t *testing.T) {
	dbtest.SkipOnPG(t, "the walk stands in for FTS4 doclists; PostgreSQL's search has no walk")
	a := newTestApp(t)
	if _, err := seed.Run(t.Context(), a.store, seed.Options{Members: 30, Topics: 120, Posts: 2500, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	// One clock for both answers: the recency boost moves with it.
	now := time.Now()
	a.store.Now = func() time.Time { return now }
	mustCreateMember(t, a, "ada", "member", "approved")
	ada := clientFor(t, a, "ada")
	// Days a third and two thirds into the forum's history.
	day := func(frac float64) string {
		var at time.Time
		if err := a.db.Get(&at, `SELECT created_at FROM posts ORDER BY id LIMIT 1 OFFSET (SELECT CAST(COUNT(*) * ? AS INTEGER) FROM posts)`, frac); err != nil {
			t.Fatal(err)
		}
		return at.In(i18n.Stockholm).Format(time.DateOnly)
	}
	d1, d2 := day(0.33), day(0.66)
	var cat string
	if err := a.db.Get(&cat, `SELECT slug FROM categories ORDER BY id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	results := func(q string, page int) (string, int) {
		t.Helper()
		res := ada.api(http.MethodGet, "/api/v1/search?q="+url.QueryEscape(q)+"&page="+string(rune('0'+page)), nil).wantStatus(http.StatusOK).json()
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), len(res["results"].([]any))
	}
	shapes := []string{"det", "och att", `"det är"`, "le*", "led*", "det -och", "ledarskap", "medarbetare chefer",
		"in:title led*", "och typ:fråga", "det kategori:" + cat, "och @ada", "vi -det -och"}
	found := 0
	for _, shape := range shapes {
		for _, dates := range []string{"före:" + d1, "efter:" + d1 + " före:" + d2, "efter:" + d1 + " före:" + d1} {
			q := shape + " " + dates
			for page := 1; page <= 2; page++ {
				a.store.SearchWalkDepth = -1
				want, n := results(q, page)
				a.store.SearchWalkDepth = 1
				got, _ := results(q, page)
				if got != want {
					t.Errorf("%q page %d walked:\n%.600s\nfrom the index:\n%.600s", q, page, got, want)
				}
				found += n
			}
		}
	}
	if found < 200 {
		t.Fatalf("only %d results in all: the comparison says little", found)
	}

	// The walk reads the posts, not the index: a post taken out of the
	// index behind its back is found only when the range is walked, which
	// shows that the walk is the one that answered above.
	var id int64
	if err := a.db.Get(&id, `SELECT docid FROM post_search WHERE post_search MATCH 'det' AND docid < (SELECT MAX(id) FROM posts) - 1000 ORDER BY docid DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	var at time.Time
	if err := a.db.Get(&at, `SELECT created_at FROM posts WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Exec(`DELETE FROM post_search WHERE docid = ?`, id); err != nil {
		t.Fatal(err)
	}
	d := at.In(i18n.Stockholm).Format(time.DateOnly)
	q := "det efter:" + d + " före:" + d // one day: a page holds it all
	ids := func() []int64 {
		res := ada.api(http.MethodGet, "/api/v1/search?q="+url.QueryEscape(q), nil).wantStatus(http.StatusOK).json()
		var out []int64
		for _, r := range res["results"].([]any) {
			out = append(out, int64(r.(map[string]any)["post_id"].(float64)))
		}
		return out
	}
	a.store.SearchWalkDepth = -1
	if slices.Contains(ids(), id) {
		t.Fatalf("post %d out of the index was found through it", id)
	}
	a.store.SearchWalkDepth = 1
	if !slices.Contains(ids(), id) {
		t.Errorf("post %d was not found by the walk", id)
	}
}
