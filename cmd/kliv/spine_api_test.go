package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"kliv/forum"
)

// apiJoinBody is a valid POST /api/v1/join-requests body.
func apiJoinBody(username string) map[string]any {
	return map[string]any{
		"username": username, "email": username + "@region.se", "password": "ett långt lösenord",
		"display_name": "Test " + username,
		"answers": map[string]any{"workplace": "Region Skåne", "role": "Avdelningschef",
			"staff_responsibility": true, "sector": "region", "motivation": "Jag vill träffa andra chefer."},
	}
}

func TestAPISession(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	c := newTestClient(t, a)

	c.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	c.api("DELETE", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	for _, wrong := range []map[string]string{
		{"login": "anna", "password": "wrong password"},
		{"login": "nobody", "password": testPassword},
		{"login": "", "password": ""},
		{"login": "anna@example.se", "password": testPassword + " "},
	} {
		r := c.api("POST", "/api/v1/session", wrong).wantStatus(http.StatusUnauthorized)
		if msg := r.json()["error"]; msg != "Fel användarnamn, e-postadress eller lösenord." {
			t.Errorf("wrong login %v: %v", wrong, msg)
		}
		if c.hasSession() {
			t.Fatal("a wrong login set a session")
		}
	}

	// By username.
	r := c.api("POST", "/api/v1/session", map[string]string{"login": "anna", "password": testPassword}).wantStatus(http.StatusOK)
	j := r.json()
	tok, _ := j["csrf_token"].(string)
	if j["username"] != "anna" || len(tok) < 20 {
		t.Fatalf("login answer: %v", j)
	}
	sc := r.cookie(sessionCookie)
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure {
		t.Fatalf("session cookie: %+v", sc)
	}
	s := c.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK).json()
	if s["username"] != "anna" || s["role"] != "member" || s["status"] != "approved" || s["csrf_token"] != tok {
		t.Fatalf("session: %v", s)
	}
	// A cookie-authenticated change needs X-CSRF-Token.
	c.NoCSRF = true
	r = c.api("DELETE", "/api/v1/session", nil).wantStatus(http.StatusForbidden)
	if _, ok := r.json()["error"].(string); !ok {
		t.Fatalf("403 without an error message: %s", r.Body)
	}
	c.api("POST", "/api/v1/me/tokens", map[string]string{"name": "x"}).wantStatus(http.StatusForbidden)
	c.NoCSRF = false
	c.csrf = "not-the-token-at-all-but-long-enough"
	c.api("DELETE", "/api/v1/session", nil).wantStatus(http.StatusForbidden)
	c.csrf = tok
	// A foreign Origin is refused even with the token; the site's own
	// public origin is fine even when a proxy changed the Host.
	c.Header.Set("Origin", "https://evil.example")
	c.api("DELETE", "/api/v1/session", nil).wantStatus(http.StatusForbidden)
	c.Header.Set("Origin", "http://kliv.test")
	c.Header.Set("Host", "127.0.0.1:8080")
	c.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK)
	c.api("POST", "/api/v1/me/tokens", map[string]string{"name": "x"}).wantStatus(http.StatusCreated)
	c.Header = http.Header{}
	c.api("DELETE", "/api/v1/session", nil).wantStatus(http.StatusNoContent)
	c.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)

	// By e-mail, any case.
	c2 := newTestClient(t, a)
	if j := c2.api("POST", "/api/v1/session", map[string]string{"login": "Anna@Example.se", "password": testPassword}).wantStatus(http.StatusOK).json(); j["username"] != "anna" {
		t.Fatalf("login by e-mail: %v", j)
	}
	// Lists carry next_page, ids are integers, times RFC 3339.
	c2.api("POST", "/api/v1/me/tokens", map[string]string{"name": "laptop"}).wantStatus(http.StatusCreated)
	tl := c2.api("GET", "/api/v1/me/tokens", nil).wantStatus(http.StatusOK).json()
	if _, ok := tl["next_page"]; !ok {
		t.Errorf("token list without next_page: %v", tl)
	}
}

func TestAPIJoinRequests(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	mustCreateMember(t, a, "mia", forum.RoleMember, forum.StatusApproved)

	anon := newTestClient(t, a)
	var ids []int64
	for _, u := range []string{"ada", "bea", "cia"} {
		j := anon.api("POST", "/api/v1/join-requests", apiJoinBody(u)).wantStatus(http.StatusCreated).json()
		id, ok := j["id"].(float64)
		if !ok || j["status"] != "pending" || id != float64(int64(id)) {
			t.Fatalf("join answer: %v", j)
		}
		ids = append(ids, int64(id))
	}
	// The applicant can sign in and sees her status.
	ada := newTestClient(t, a)
	ada.login("ada@region.se", "ett långt lösenord")
	if s := ada.api("GET", "/api/v1/session", nil).json(); s["status"] != "pending" {
		t.Fatalf("applicant session: %v", s)
	}

	anon.api("GET", "/api/v1/join-requests?status=pending", nil).wantStatus(http.StatusUnauthorized)
	clientFor(t, a, "mia").api("GET", "/api/v1/join-requests?status=pending", nil).wantStatus(http.StatusForbidden)
	ada.api("GET", "/api/v1/join-requests?status=pending", nil).wantStatus(http.StatusForbidden)
	clientFor(t, a, "mia").api("POST", fmt.Sprintf("/api/v1/join-requests/%d/approve", ids[0]), map[string]any{}).wantStatus(http.StatusForbidden)

	mod := clientFor(t, a, "moa")
	j := mod.api("GET", "/api/v1/join-requests?status=pending", nil).wantStatus(http.StatusOK).json()
	list, _ := j["join_requests"].([]any)
	if len(list) != 3 || j["next_page"] != nil {
		t.Fatalf("pending list: %v", j)
	}
	first := list[0].(map[string]any)
	ans, _ := first["answers"].(map[string]any)
	if first["id"] != float64(ids[0]) || first["username"] != "ada" || first["email"] != "ada@region.se" ||
		first["display_name"] != "Test ada" || first["status"] != "pending" || ans["workplace"] != "Region Skåne" ||
		ans["role"] != "Avdelningschef" || ans["staff_responsibility"] != true || ans["sector"] != "region" ||
		ans["motivation"] != "Jag vill träffa andra chefer." {
		t.Fatalf("first request: %v", first)
	}
	if ca, _ := first["created_at"].(string); !strings.HasSuffix(ca, "Z") || len(ca) != len("2006-01-02T15:04:05Z") {
		t.Errorf("created_at %v is not RFC 3339", first["created_at"])
	}
	mod.api("GET", "/api/v1/join-requests?status=bogus", nil).wantStatus(http.StatusBadRequest)

	// Approve and reject; a second decision is a conflict.
	r := mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/approve", ids[0]), map[string]any{}).wantStatus(http.StatusOK).json()
	if r["id"] != float64(ids[0]) || r["status"] != "approved" {
		t.Fatalf("approve: %v", r)
	}
	r = mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/reject", ids[1]), map[string]any{"reason": "not_public_sector"}).wantStatus(http.StatusOK).json()
	if r["id"] != float64(ids[1]) || r["status"] != "rejected" {
		t.Fatalf("reject: %v", r)
	}
	mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/reject", ids[0]), map[string]any{"reason": "duplicate"}).wantStatus(http.StatusConflict)
	mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/approve", ids[1]), map[string]any{}).wantStatus(http.StatusConflict)
	mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/reject", ids[2]), map[string]any{}).wantStatus(http.StatusBadRequest)
	mod.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/reject", ids[2]), map[string]any{"reason": strings.Repeat("x", 1001)}).wantStatus(http.StatusBadRequest)
	mod.api("POST", "/api/v1/join-requests/999/approve", map[string]any{}).wantStatus(http.StatusNotFound)
	mod.api("POST", "/api/v1/join-requests/abc/approve", map[string]any{}).wantStatus(http.StatusNotFound)

	rej := mod.api("GET", "/api/v1/join-requests?status=rejected", nil).wantStatus(http.StatusOK).json()
	if l, _ := rej["join_requests"].([]any); len(l) != 1 || l[0].(map[string]any)["reason"] != "Nätverket är för chefer i offentlig sektor." ||
		l[0].(map[string]any)["decided_by"] != "moa" {
		t.Fatalf("rejected list: %v", rej)
	}
	if s := ada.api("GET", "/api/v1/session", nil).json(); s["status"] != "approved" {
		t.Fatalf("approved applicant: %v", s)
	}
	// A moderator's own API token works the same, without CSRF.
	if len(mailsTo(t, a, "ada@region.se")) != 1 || len(mailsTo(t, a, "bea@region.se")) != 1 {
		t.Fatal("decision mails missing")
	}
}

func TestAPIBearerToken(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	id := mustApply(t, a, "ada", "").ID
	// The command opens the same database file, as it would from a shell
	// next to a running server.
	dbPath := a.cfg.DB
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"token", "create", "--username", "moa", "--db", dbPath}, func(string) string { return "" },
		strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("token create: %v (%s)", err, errOut.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "kliv_") {
		t.Fatalf("token create printed %q", out.String())
	}
	tok := lines[0]

	c := newTestClient(t, a)
	c.Bearer = tok
	s := c.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK).json()
	if s["username"] != "moa" || s["csrf_token"] != nil {
		t.Fatalf("bearer session: %v", s)
	}
	// No CSRF token needed, and none is sent.
	c.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/approve", id), map[string]any{}).wantStatus(http.StatusOK)
	// Even a foreign Origin does not matter to a bearer request.
	c.Header.Set("Origin", "https://evil.example")
	c.api("GET", "/api/v1/join-requests", nil).wantStatus(http.StatusOK)
	c.Header.Del("Origin")

	// Revoked, it is a 401.
	toks := c.api("GET", "/api/v1/me/tokens", nil).wantStatus(http.StatusOK).json()["tokens"].([]any)
	tid := toks[0].(map[string]any)["id"].(float64)
	c.api("DELETE", fmt.Sprintf("/api/v1/me/tokens/%d", int64(tid)), nil).wantStatus(http.StatusNoContent)
	c.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	c.Bearer = "kliv_made-up"
	c.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	c.Bearer = ""
	c.Header.Set("Authorization", "Basic Zm9vOmJhcg==")
	c.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)

	// Token create for nobody fails with one line.
	err = run(t.Context(), []string{"token", "create", "--username", "nobody", "--db", dbPath}, func(string) string { return "" },
		strings.NewReader(""), &out, &errOut)
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("token create for nobody: %v", err)
	}
}

// Moderators deciding the same request at once: exactly one wins, one
// mail and one audit line; people joining with the same name at once:
// exactly one account. Never a 500.
func TestConcurrentDecisionsAndJoins(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	mustCreateMember(t, a, "mia", forum.RoleModerator, forum.StatusApproved)
	id := mustApply(t, a, "ada", "").ID
	const n = 6
	var clients []*testClient
	for i := 0; i < n; i++ {
		clients = append(clients, clientFor(t, a, []string{"moa", "mia"}[i%2]))
	}
	codes := make(chan int, 2*n)
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("/api/v1/join-requests/%d/approve", id)
			var body any = map[string]any{}
			if i%3 == 0 {
				path = fmt.Sprintf("/api/v1/join-requests/%d/reject", id)
				body = map[string]any{"reason": "no_staff"}
			}
			codes <- c.api("POST", path, body).Code
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- newTestClient(t, a).api("POST", "/api/v1/join-requests", apiJoinBody("samma")).Code
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[http.StatusOK] != 1 || count[http.StatusCreated] != 1 || count[http.StatusConflict]+count[http.StatusBadRequest] != 2*n-2 {
		t.Fatalf("status counts %v", count)
	}
	if m := len(mailsTo(t, a, "ada@example.se")); m != 1 {
		t.Errorf("%d decision mails", m)
	}
	if r := len(auditRows(t, a)); r != 1 {
		t.Errorf("%d audit rows", r)
	}
	if m, j := countRows(t, a, "members"), countRows(t, a, "join_requests"); m != 4 || j != 2 {
		t.Errorf("%d members, %d join requests", m, j)
	}
}

func TestAPIJoinRequestPages(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	for i := 0; i < 53; i++ {
		mustApply(t, a, fmt.Sprintf("user%02d", i), "")
	}
	c := clientFor(t, a, "moa")
	seen := map[float64]bool{}
	page := "/api/v1/join-requests?status=pending"
	for pages := 0; ; pages++ {
		j := c.api("GET", page, nil).wantStatus(http.StatusOK).json()
		for _, r := range j["join_requests"].([]any) {
			id := r.(map[string]any)["id"].(float64)
			if seen[id] {
				t.Fatalf("request %v on two pages", id)
			}
			seen[id] = true
		}
		if j["next_page"] == nil {
			break
		}
		if pages > 3 {
			t.Fatal("pages never end")
		}
		page = fmt.Sprintf("/api/v1/join-requests?status=pending&page=%v", j["next_page"])
	}
	if len(seen) != 53 {
		t.Fatalf("%d requests over the pages, want 53", len(seen))
	}
	c.api("GET", "/api/v1/join-requests?page=abc", nil).wantStatus(http.StatusBadRequest)
}
