package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
	"kliv/forum/dbtest"
)

// onEveryConn runs a PRAGMA on every connection of the app's pool: a
// PRAGMA reaches one connection only, so the test holds all of them at
// once (the pool's maximum), sets it on each, and gives them back idle.
func onEveryConn(t *testing.T, a *app, pragma string) {
	t.Helper()
	n := a.db.Stats().MaxOpenConnections
	ctx := context.Background()
	conns := make([]*sql.Conn, 0, n)
	for range n {
		c, err := a.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		if _, err := c.ExecContext(ctx, pragma); err != nil {
			t.Fatalf("%s: %v", pragma, err)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	if idle := a.db.Stats().Idle; idle != n {
		t.Fatalf("%d of %d connections idle after %s", idle, n, pragma)
	}
}

// fillDisk makes the database full for real: SQLite answers SQLITE_FULL
// to any write that needs a page more than the file has now.
func fillDisk(t *testing.T, a *app) {
	t.Helper()
	var pages int
	if err := a.db.Get(&pages, "PRAGMA page_count"); err != nil {
		t.Fatal(err)
	}
	onEveryConn(t, a, fmt.Sprintf("PRAGMA max_page_count = %d", pages))
}

// bigText needs many new pages whatever free space the file has.
func bigText(tag string) string {
	return tag + " " + strings.Repeat("Lång text om bemanning och schemaläggning i hemtjänsten. ", 700)
}

func TestDiskFullKeepsTextAndServesReads(t *testing.T) {
	dbtest.SkipOnPG(t, "fills the disk under the SQLite file; on PostgreSQL a lost server is TestPGServerGoneAway")
	a := newTestApp(t)
	ada := mustCreateMember(t, a, "ada", forum.RoleMember, forum.StatusApproved)
	tp := mustTopic(t, a, ada, forum.NewTopic{Title: "Bemanning i sommar"})
	own := mustReply(t, a, ada, tp.ID, "Mitt svar", 0)
	c := clientFor(t, a, "ada")
	c.Allow503 = true
	c.get(fmt.Sprintf("/t/%d", tp.ID)).wantStatus(200)
	posts := countRows(t, a, "posts")
	fillDisk(t, a)

	body := bigText("ÄMNESTEXT")
	// The composer comes back filled, with the reason and Retry-After.
	r := c.get("/new")
	r.wantStatus(200)
	r = c.postForm("/new", url.Values{"title": {"Semesterplanering"}, "kind": {"discussion"},
		"category_id": {fmt.Sprint(catLedarskap)}, "body": {body}})
	r.wantStatus(503).contains("lagringsutrymmet är fullt", "Semesterplanering", "ÄMNESTEXT Lång text")
	if r.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	// The reply form, in English for a reader who asks for it.
	c.Lang = "en"
	r = c.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {bigText("SVARSTEXT")}})
	r.wantStatus(503).contains("storage is full", "SVARSTEXT Lång text")
	if r.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	c.Lang = ""
	// The edit form keeps her new text.
	c.get(fmt.Sprintf("/p/%d/edit", own.ID)).wantStatus(200)
	r = c.postForm(fmt.Sprintf("/p/%d/edit", own.ID), url.Values{"body": {bigText("REDIGERAT")}, "version": {fmt.Sprint(own.Version)}})
	r.wantStatus(503).contains("lagringsutrymmet är fullt", "REDIGERAT Lång text")
	// The API says the same in JSON.
	r = c.api("POST", "/api/v1/topics", map[string]any{"category_id": catLedarskap, "title": "Via API", "body": bigText("API")})
	r.wantStatus(503)
	if msg, _ := r.json()["error"].(string); !strings.Contains(msg, "lagringsutrymmet är fullt") || r.Header.Get("Retry-After") == "" {
		t.Errorf("API 503: %q, Retry-After %q", msg, r.Header.Get("Retry-After"))
	}
	// Sign-ups through the API: small writes fit in the pages' free room
	// for a while, then one meets the full disk, and leaves nothing.
	anon := newTestClient(t, a)
	anon.Allow503 = true
	members := countRows(t, a, "members")
	refused := false
	for i := 0; i < 60 && !refused; i++ {
		r := anon.api("POST", "/api/v1/join-requests", map[string]any{"username": fmt.Sprintf("cleo%d", i),
			"email": fmt.Sprintf("cleo%d@example.se", i), "password": testPassword, "display_name": "Cleo",
			"answers": map[string]any{"workplace": "Borås stad", "role": "Enhetschef", "staff_responsibility": true,
				"sector": "municipality", "motivation": strings.Repeat("Jag vill lära av andra. ", 80)}})
		switch r.Code {
		case 201:
			members++
		case 503:
			refused = true
		default:
			t.Fatalf("sign-up %d: %d %s", i, r.Code, r.Body)
		}
	}
	if !refused {
		t.Error("60 sign-ups fit on a full disk")
	}
	if n := countRows(t, a, "members"); n != members {
		t.Errorf("members %d, want %d: the refused sign-up left a row", n, members)
	}
	if n, jr := countRows(t, a, "join_requests"), countRows(t, a, "members")-1; n != jr {
		t.Errorf("join requests %d, members other than ada %d", n, jr)
	}

	// Nothing was half-written, and reading goes on.
	if n := countRows(t, a, "posts"); n != posts {
		t.Errorf("posts %d after the refused writes, want %d", n, posts)
	}
	c.get(fmt.Sprintf("/t/%d", tp.ID)).wantStatus(200).contains("Mitt svar")
	c.get("/").wantStatus(200)
	c.api("GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil).wantStatus(200)

	// Space again: the same form goes through.
	onEveryConn(t, a, "PRAGMA max_page_count = 1073741823")
	c.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {bigText("SVARSTEXT")}}).wantStatus(303)
}

func TestHeldLockAnswers503NotLost(t *testing.T) {
	dbtest.SkipOnPG(t, "holds SQLite's write lock from another process; PostgreSQL has no such lock")
	a := newTestApp(t)
	ada := mustCreateMember(t, a, "ada", forum.RoleMember, forum.StatusApproved)
	tp := mustTopic(t, a, ada, forum.NewTopic{Title: "Bemanning i sommar"})
	c := clientFor(t, a, "ada")
	c.Allow503 = true
	onEveryConn(t, a, "PRAGMA busy_timeout = 100")

	// Another process holds the write lock. Here: a pool on the same file
	// through the plain driver, which does not share this process's
	// queue of writers (forum/writelock.go), as another process would not.
	other, err := sqlx.Open("sqlite3", "file:"+a.cfg.DB+"?_txlock=immediate&_busy_timeout=100&_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin() // BEGIN IMMEDIATE: takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { tx.Rollback() }) }
	defer release()
	if _, err := tx.Exec("UPDATE categories SET name = name WHERE id = 1"); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	r := c.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {"Ett svar som väntar på låset"}})
	r.wantStatus(503).contains("Kliv är upptaget just nu", "Ett svar som väntar på låset")
	if r.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the refusal took %v: the busy timeout was not used", d)
	}
	c.Lang = "en"
	r = c.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": "API-svar"})
	r.wantStatus(503)
	if msg, _ := r.json()["error"].(string); !strings.Contains(msg, "Kliv is busy") {
		t.Errorf("API 503 says %q", msg)
	}
	c.Lang = ""
	anon := newTestClient(t, a)
	anon.Allow503 = true
	anon.api("POST", "/api/v1/join-requests", map[string]any{"username": "cleo", "email": "cleo@example.se",
		"password": testPassword, "display_name": "Cleo", "answers": map[string]any{"workplace": "Borås stad",
			"role": "Enhetschef", "staff_responsibility": true, "sector": "municipality", "motivation": "Jag vill lära av andra."}}).
		wantStatus(503)
	// A write outside a transaction (a follow) is a 503 too, not a 500.
	c.api("POST", fmt.Sprintf("/api/v1/topics/%d/follow", tp.ID), map[string]any{}).wantStatus(503)
	// The sign-up form comes back filled (but for the password).
	anon.get("/join").wantStatus(200)
	r = anon.postForm("/join", joinForm("dora"))
	r.wantStatus(503).contains("Kliv är upptaget just nu", "Anna Andersson", "Jag vill lära av andra chefer i välfärden.")
	if strings.Contains(r.Body, "ett långt lösenord") {
		t.Error("the password came back in the form")
	}
	// Reads do not wait for the writer.
	c.get(fmt.Sprintf("/t/%d", tp.ID)).wantStatus(200)

	release()
	c.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {"Ett svar som väntar på låset"}}).wantStatus(303)
}
