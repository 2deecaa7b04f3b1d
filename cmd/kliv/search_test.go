package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"kliv/forum"
)

// srSearchIDs asks the API and returns the post ids found, sorted.
func srSearchIDs(t *testing.T, c *testClient, params string) []int64 {
	t.Helper()
	res := c.api(http.MethodGet, "/api/v1/search?"+params, nil).wantStatus(http.StatusOK).json()
	list, ok := res["results"].([]any)
	if !ok {
		t.Fatalf("search %s: no results list: %v", params, res)
	}
	out := []int64{}
	for _, r := range list {
		out = append(out, int64(r.(map[string]any)["post_id"].(float64)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func srQ(s string) string { return "q=" + url.QueryEscape(s) }

// srTopic starts a topic through the API and returns its first post's id.
func srTopic(t *testing.T, c *testClient, catID int64, kind, title, body string) int64 {
	t.Helper()
	r := c.api(http.MethodPost, "/api/v1/topics", map[string]any{"category_id": catID, "kind": kind, "title": title, "body": body})
	return int64(r.wantStatus(http.StatusCreated).json()["post_id"].(float64))
}

func TestSearchAPI(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "ada", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	ada, bea := clientFor(t, a, "ada"), clientFor(t, a, "bea")
	cats, err := a.store.Categories(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	c0, c1 := cats[0].ID, cats[1].ID
	lead := srTopic(t, ada, c0, "question", "Ledarskap i äldreomsorgen", "Hur leder man med tillit?")
	east := srTopic(t, bea, c1, "tip", "Öst och väst", "Frukost i Östersund.")
	cheese := srTopic(t, ada, c1, "discussion", "Ost och bröd", "Vi åt ost på fikat.")
	trust := srTopic(t, bea, c0, "discussion", "Styrning", "Om tillitsbaserad styrning i kommunen.")

	// One result in full.
	res := ada.api(http.MethodGet, "/api/v1/search?"+srQ("östersund"), nil).wantStatus(http.StatusOK).json()
	if res["next_page"] != nil {
		t.Errorf("next_page = %v, want null", res["next_page"])
	}
	r := res["results"].([]any)[0].(map[string]any)
	want := map[string]any{"post_id": float64(east), "title": "Öst och väst", "url": fmt.Sprintf("/p/%d", east),
		"author": "bea", "kind": "tip", "category_id": float64(c1), "snippet": "Frukost i <mark>Östersund</mark>."}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("result %s = %v, want %v", k, r[k], v)
		}
	}
	if r["topic_id"] == nil || r["created_at"] == nil {
		t.Errorf("result lacks topic_id or created_at: %v", r)
	}

	for _, tt := range []struct {
		params string
		want   []int64
	}{
		{srQ("öst"), []int64{east}},
		{srQ("ost"), []int64{cheese}},
		{srQ("ÖST"), []int64{east}},
		{srQ("led*"), []int64{lead}},
		{srQ(`"tillitsbaserad styrning"`), []int64{trust}},
		{srQ(`"styrning i" -kommunen`), []int64{}},
		{srQ("och -bröd"), []int64{east}},
		{srQ("i:rubrik ledarskap"), []int64{lead}},
		{srQ("och") + fmt.Sprintf("&category_id=%d", c1), []int64{east, cheese}},
		{srQ("och") + "&kind=tip", []int64{east}},
		{srQ("och") + "&author=ADA", []int64{cheese}},
		{srQ("och") + "&author=@bea", []int64{east}},
		{srQ("och") + "&author=nobody", []int64{}},
		{srQ("och") + "&after=2000-01-01&before=2999-12-31", []int64{east, cheese}},
		{srQ("och") + "&before=2000-01-01", []int64{}},
		{"", []int64{}},
		{srQ(`"()*`), []int64{}},
	} {
		if got := srSearchIDs(t, ada, tt.params); !slices.Equal(got, tt.want) {
			t.Errorf("search %s = %v, want %v", tt.params, got, tt.want)
		}
	}
	for _, bad := range []string{"category_id=x", "kind=poem", "after=2025-02-30", "before=igår", "page=0", "page=x"} {
		ada.api(http.MethodGet, "/api/v1/search?q=och&"+bad, nil).wantStatus(http.StatusBadRequest)
	}

	// An edit re-indexes, a deletion removes.
	ada.api(http.MethodPatch, fmt.Sprintf("/api/v1/posts/%d", cheese), map[string]any{"body": "Vi åt kex.", "version": 1}).wantStatus(http.StatusOK)
	if got := srSearchIDs(t, ada, srQ("fikat")); len(got) != 0 {
		t.Errorf("edited-away word found: %v", got)
	}
	if got := srSearchIDs(t, ada, srQ("kex")); !slices.Equal(got, []int64{cheese}) {
		t.Errorf("edited-in word: %v", got)
	}
	bea.api(http.MethodDelete, fmt.Sprintf("/api/v1/posts/%d", east), nil).wantStatus(http.StatusNoContent)
	if got := srSearchIDs(t, ada, srQ("östersund")); len(got) != 0 {
		t.Errorf("deleted post found: %v", got)
	}

	// Paging: next_page, then the rest.
	var tid int64
	if err := a.db.Get(&tid, `SELECT topic_id FROM posts WHERE id = ?`, lead); err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		bea.api(http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/posts", tid), map[string]any{"body": fmt.Sprintf("Tillit nummer %d.", i)}).wantStatus(http.StatusCreated)
	}
	res = ada.api(http.MethodGet, "/api/v1/search?"+srQ("tillit"), nil).wantStatus(http.StatusOK).json()
	if n := len(res["results"].([]any)); n != 20 || res["next_page"] != "2" {
		t.Fatalf("page 1: %d results, next_page %v", n, res["next_page"])
	}
	res = ada.api(http.MethodGet, "/api/v1/search?"+srQ("tillit")+"&page=2", nil).wantStatus(http.StatusOK).json()
	// 26 posts with "tillit" and one with the compound "tillitsbaserad".
	if n := len(res["results"].([]any)); n != 7 || res["next_page"] != nil {
		t.Fatalf("page 2: %d results, next_page %v", n, res["next_page"])
	}
}

func TestSearchWho(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "ada", forum.RoleMember, forum.StatusApproved)
	mustApply(t, a, "pia", "")
	anon, pia := newTestClient(t, a), clientFor(t, a, "pia")
	anon.api(http.MethodGet, "/api/v1/search?q=och", nil).wantStatus(http.StatusUnauthorized)
	pia.api(http.MethodGet, "/api/v1/search?q=och", nil).wantStatus(http.StatusForbidden)
	pia.api(http.MethodGet, "/api/v1/search", nil).wantStatus(http.StatusForbidden)
	if r := anon.get("/search?q=och"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
		t.Errorf("anonymous page: %d %s", r.Code, r.location())
	}
	if r := pia.get("/search?q=och"); r.Code != http.StatusSeeOther {
		t.Errorf("applicant page: %d", r.Code)
	}
}

func TestSearchPage(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "ada", forum.RoleMember, forum.StatusApproved)
	ada := clientFor(t, a, "ada")
	cats, err := a.store.Categories(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	post := srTopic(t, ada, cats[0].ID, "tip", "Schemaläggning i hemtjänsten", "Vi provar **önskeschema** med `<b>` i.")
	for i := range 22 {
		srTopic(t, ada, cats[1].ID, "discussion", fmt.Sprintf("Rekrytering %d", i), "Hur rekryterar ni?")
	}

	r := ada.get("/search?" + srQ("önskeschema")).wantStatus(http.StatusOK)
	r.contains("Schemaläggning i hemtjänsten", fmt.Sprintf(`href="/p/%d"`, post), `value="önskeschema"`)
	if !strings.Contains(r.Body, "<mark>önskeschema</mark> med &lt;b&gt; i.") {
		t.Errorf("snippet not marked and escaped:\n%s", r.Body)
	}
	r.lacks("Fler träffar")
	// Pages and the link to the next.
	r = ada.get("/search?" + srQ("rekrytering") + fmt.Sprintf("&category_id=%d", cats[1].ID)).wantStatus(http.StatusOK)
	r.contains("Fler träffar", "page=2")
	ada.get("/search?" + srQ("rekrytering") + fmt.Sprintf("&category_id=%d&page=2", cats[1].ID)).wantStatus(http.StatusOK).contains("Sida 2").lacks("Fler träffar")
	// No results, with tips; an empty search.
	ada.get("/search?"+srQ("zzzyx")).wantStatus(http.StatusOK).contains("Inga träffar", "led*")
	ada.get("/search").wantStatus(http.StatusOK).lacks("Inga träffar")
	ada.get("/search?q=%22%22").wantStatus(http.StatusOK).contains("Skriv ett eller flera ord")
	// A bad filter is shown at its field.
	ada.get("/search?q=x&after=igår").wantStatus(http.StatusBadRequest).contains("Skriv datumet som 2025-03-14.", `value="igår"`)
	// English.
	ada.cookies[langCookie] = &http.Cookie{Name: langCookie, Value: "en"}
	ada.get("/search?" + srQ("zzzyx")).wantStatus(http.StatusOK).contains("No results")
	delete(ada.cookies, langCookie)

	// What was typed comes back escaped, in the box and the title.
	xss := `<script>alert(1)</script> "ö`
	r = ada.get("/search?" + srQ(xss)).wantStatus(http.StatusOK)
	if strings.Contains(r.Body, "<script>alert(1)") {
		t.Fatalf("query not escaped:\n%s", r.Body)
	}
	r.contains(`value="` + xss + `"`)

	// Whatever is typed: 200, on the page and in the API.
	for _, in := range []string{`"`, `"unbalanced`, `(`, `)`, `()`, `a AND`, `AND`, `OR b`, `NOT`, `NOT a`, `a NOT`, `NEAR`,
		`a NEAR/3 b`, `NEAR/`, `*`, `**`, `a**`, `*a`, `-`, `--`, `-a`, `-"a b"`, `a -`, `title:a`, `body:"x"`, `docid:1`,
		`^a`, `'a'`, `a'; DROP TABLE posts; --`, `\`, `%`, `_`, `%00`, "\x00", "\xff\xfe", `{}`, `[]`, `:`, `@`, `@@`,
		`kategori:`, `typ:hemlig`, `efter:2025-02-30`, `i:rubrik`, `i:rubrik -a`, strings.Repeat(`(`, 600),
		strings.Repeat("a OR ", 120), strings.Repeat("ö", 800), `le*`, `l*`, `"le* hem*"`, `🙂`, "ﬁ", "\u202e"} {
		ada.get("/search?" + srQ(in)).wantStatus(http.StatusOK)
		ada.api(http.MethodGet, "/api/v1/search?"+srQ(in), nil).wantStatus(http.StatusOK)
	}
}
