package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"kliv/forum"
	"kliv/forum/dbtest"
)

// Two real `kliv serve` processes on one PostgreSQL database behave as
// one forum: a session made through one works on the other (its CSRF
// token too), unread marks and notifications agree, an edit through one
// shows through the other at once, a rate limit counts requests to both,
// and every mail in the outbox is sent once, by one of them.
func TestTwoProcessesOnePostgres(t *testing.T) {
	dbtest.OnlyPG(t)
	ctx := context.Background()
	db := dbtest.Migrated(t, "", dbtest.Schema{Key: forum.SchemaKey(), Migrate: forum.MigrateURL})
	var out, errb bytes.Buffer
	env := func(string) string { return "" }
	if err := run(ctx, []string{"admin", "create", "--db", db, "--username", "ada", "--email", "ada@example.se",
		"--password", testPassword}, env, nil, &out, &errb); err != nil {
		t.Fatalf("admin create: %v %s", err, errb.String())
	}
	out.Reset()
	if err := run(ctx, []string{"token", "create", "--db", db, "--username", "ada"}, env, nil, &out, &errb); err != nil {
		t.Fatalf("token create: %v %s", err, errb.String())
	}
	adaToken := strings.TrimSpace(out.String())

	sink := newSMTPSink(t)
	procEnv := []string{"KLIV_RATE_LIMITS=on", "KLIV_SMTP=" + sink.URL()}
	a := startServer(t, db, procEnv...)
	b := startServer(t, db, procEnv...)
	hc := &http.Client{Timeout: 10 * time.Second}

	call := func(base, token, method, path string, body any) map[string]any {
		t.Helper()
		code, res, err := apiCall(ctx, hc, base, token, method, path, body)
		if err != nil || code >= 300 {
			t.Fatalf("%s %s%s: %d %v %v\nA: %s\nB: %s", method, base, path, code, res, err, lastLines(a.Stderr.String(), 5), lastLines(b.Stderr.String(), 5))
		}
		return res
	}

	// A second member, bea, joins through A and is approved through B.
	call(a.URL, "", "POST", "/api/v1/join-requests", map[string]any{"username": "bea", "email": "bea@example.se",
		"password": testPassword, "display_name": "Bea", "answers": map[string]any{"workplace": "Malmö stad",
			"role": "Enhetschef", "staff_responsibility": true, "sector": "region", "motivation": "Jag vill träffa andra chefer i nätverket."}})
	jrs := call(b.URL, adaToken, "GET", "/api/v1/join-requests?status=pending", nil)["join_requests"].([]any)
	if len(jrs) != 1 {
		t.Fatalf("pending join requests seen through B: %v", jrs)
	}
	call(b.URL, adaToken, "POST", fmt.Sprintf("/api/v1/join-requests/%v/approve", jrs[0].(map[string]any)["id"]), map[string]any{})

	// Bea signs in through A; the cookie and CSRF token work on B.
	jar, _ := cookiejar.New(nil)
	bea := &http.Client{Timeout: 10 * time.Second, Jar: jar}
	send := func(c *http.Client, base, method, path, csrf string, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// The jar is per host: both processes are on 127.0.0.1, so the
	// cookie set by A goes to B as a browser's would behind one proxy.
	code, body := send(bea, a.URL, "POST", "/api/v1/session", "", `{"login":"bea","password":"`+testPassword+`"}`)
	if code != 200 {
		t.Fatalf("sign-in through A: %d %s", code, body)
	}
	csrf := jsonField(t, body, "csrf_token")
	code, body = send(bea, b.URL, "GET", "/api/v1/session", "", "")
	if code != 200 || jsonField(t, body, "username") != "bea" || jsonField(t, body, "csrf_token") != csrf {
		t.Fatalf("session made through A, read through B: %d %s", code, body)
	}
	cats := call(a.URL, adaToken, "GET", "/api/v1/categories", nil)["categories"].([]any)
	catID := cats[0].(map[string]any)["id"]
	topic := call(a.URL, adaToken, "POST", "/api/v1/topics", map[string]any{"category_id": catID, "title": "Två processer, ett forum",
		"body": "Första inlägget om delade scheman.", "kind": "discussion"})
	topicID := topic["id"]
	// A state change through B with the cookie and CSRF token from A.
	code, body = send(bea, b.URL, "POST", fmt.Sprintf("/api/v1/topics/%v/posts", topicID), csrf, `{"body":"Bea svarar genom B."}`)
	if code != 201 {
		t.Fatalf("reply through B with A's session and CSRF token: %d %s", code, body)
	}
	if code, _ := send(bea, b.URL, "POST", fmt.Sprintf("/api/v1/topics/%v/posts", topicID), "", `{"body":"Utan token."}`); code != 403 {
		t.Fatalf("reply without the CSRF token: %d, want 403", code)
	}

	// The site settings a process keeps in memory follow a change made
	// through the other at once (NOTIFY), not at its next minute.
	call(a.URL, adaToken, "PUT", "/api/v1/admin/settings", map[string]any{"name": "Nätverket Väst"})
	deadline := time.Now().Add(3 * time.Second)
	for {
		code, body := send(bea, b.URL, "GET", "/", "", "")
		if code == 200 && strings.Contains(body, "Nätverket Väst") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the site name changed through A is not shown through B after 3 s")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Notifications and unread marks agree between the processes.
	unreadOf := func(base string) (notes float64, topicUnread float64) {
		t.Helper()
		n := call(base, adaToken, "GET", "/api/v1/notifications", nil)["unread"].(float64)
		for _, x := range call(base, adaToken, "GET", fmt.Sprintf("/api/v1/topics?category_id=%v", catID), nil)["topics"].([]any) {
			if tp := x.(map[string]any); tp["id"] == topicID {
				return n, tp["unread"].(float64)
			}
		}
		t.Fatalf("topic %v not in the list through %s", topicID, base)
		return 0, 0
	}
	na, ua := unreadOf(a.URL)
	nb, ub := unreadOf(b.URL)
	if na != nb || na < 1 || ua != ub || ua != 1 {
		t.Fatalf("before reading: A says %v notifications, %v unread; B says %v, %v", na, ua, nb, ub)
	}
	call(a.URL, adaToken, "GET", fmt.Sprintf("/api/v1/topics/%v", topicID), nil) // ada reads it through A
	deadline = time.Now().Add(5 * time.Second)
	for {
		_, ub = unreadOf(b.URL)
		if ub == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("read through A, still %v unread through B", ub)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// An edit through A shows through B at once, though B has just
	// rendered (and cached) the post's card.
	first := call(b.URL, adaToken, "GET", fmt.Sprintf("/api/v1/topics/%v", topicID), nil)["posts"].([]any)[0].(map[string]any)
	page := func(p *serverProc) string {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "GET", p.URL+fmt.Sprintf("/t/%v", topicID), nil)
		res, err := bea.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if !strings.Contains(page(b), "Första inlägget") {
		t.Fatal("the topic page through B lacks the first post")
	}
	call(a.URL, adaToken, "PATCH", fmt.Sprintf("/api/v1/posts/%v", first["id"]), map[string]any{"body": "Redigerat genom A.", "version": first["version"]})
	if got := page(b); !strings.Contains(got, "Redigerat genom A.") || strings.Contains(got, "Första inlägget") {
		t.Fatal("the edit through A is not shown through B at once")
	}

	// A rate limit counts requests to both: wrong passwords for one
	// account, alternately through A and B, are refused together at the
	// account's burst (10), where each alone would allow 10 more.
	refusedAt := 0
	for i := 1; i <= 12 && refusedAt == 0; i++ {
		p := []*serverProc{a, b}[i%2]
		code, _ := send(hc, p.URL, "POST", "/api/v1/session", "", `{"login":"bea","password":"fel lösenord"}`)
		switch code {
		case 401:
		case 429:
			refusedAt = i
		default:
			t.Fatalf("wrong password %d: %d", i, code)
		}
	}
	if refusedAt == 0 || refusedAt > 11 {
		t.Fatalf("wrong passwords through two processes refused at try %d, want by 11", refusedAt)
	}

	// Every mail in the outbox goes out once: 40 queued at once, both
	// processes' workers racing for them.
	sdb, err := forum.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	store := forum.NewStore(sdb, a.URL)
	_, before := sink.delivered()
	const mails = 40
	for i := 0; i < mails; i++ {
		if err := store.Enqueue(ctx, sdb, forum.Mail{Kind: "test", To: fmt.Sprintf("m%d@example.se", i), Subject: "Test", Body: "Hej"}); err != nil {
			t.Fatal(err)
		}
	}
	deadline = time.Now().Add(90 * time.Second)
	for {
		var left int
		if err := sdb.GetContext(ctx, &left, `SELECT COUNT(*) FROM outbox WHERE status <> 'sent'`); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails still unsent after 90 s", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ids, total := sink.delivered()
	for id, n := range ids {
		if n != 1 {
			t.Errorf("message %s delivered %d times", id, n)
		}
	}
	if total-before < mails {
		t.Errorf("%d mails delivered, want at least %d", total-before, mails)
	}
}

// lastLines is the end of a process's log.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// jsonField is one top-level string field of a JSON object.
func jsonField(t *testing.T, body, field string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	s, _ := m[field].(string)
	return s
}
