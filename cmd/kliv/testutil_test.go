package main

// Shared helpers for the HTTP tests of package main. Every test gets its
// own freshly migrated SQLite file (newTestApp) and drives the real router
// through a testClient, which keeps cookies and CSRF tokens like a browser.
// Any 5xx answer, and any cookie without HttpOnly and SameSite=Lax, fails
// the test on its own.
//
//	a := newTestApp(t)                      // rate limits off; withRateLimits turns them on
//	mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
//	jr := mustApply(t, a, "bea", "en")      // a real applicant with a join request
//	c := clientFor(t, a, "ada")             // signed in with testPassword
//	c.get("/admin").wantStatus(200).contains("Administration")
//	c.postForm("/admin/roles", url.Values{"username": {"ada"}, "role": {"member"}}).wantStatus(409)
//	r := c.api("POST", fmt.Sprintf("/api/v1/join-requests/%d/approve", jr.ID), map[string]any{})
//	id := r.wantStatus(200).json()["id"]
//	clock := useTestClock(a); clock.Add(time.Hour) // the store's clock

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"kliv/forum"
	"kliv/forum/markdown"
	"kliv/moderation"

	"kliv/forum/dbtest"
)

// testPassword is the password of every member made by mustCreateMember
// and mustApply.
const testPassword = "correct horse battery"

// testBaseURL is the BaseURL of a test app.
const testBaseURL = "http://kliv.test"

// newTestApp builds an app on a fresh, migrated SQLite file in
// t.TempDir(), with cheap password hashing and rate limits off. Options
// adjust the Config before it is opened (see withRateLimits, withBaseURL).
// The database is closed when the test ends.
func newTestApp(t testing.TB, opts ...func(*Config)) *app {
	t.Helper()
	cfg := Config{
		Addr:    "127.0.0.1:0",
		DB:      dbtest.Migrated(t, "kliv.db", dbtest.Schema{Key: forum.SchemaKey(), Migrate: forum.MigrateURL}),
		BaseURL: testBaseURL,
	}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := openApp(context.Background(), cfg, slog.New(slog.NewTextHandler(testLogOut(), nil)))
	if err != nil {
		t.Fatalf("openApp: %v", err)
	}
	a.store.Hash = forum.TestPasswordParams
	// The race detector and a busy machine slow rendering far past the
	// production budget; what is refused is refused by the pre-checks.
	a.store.MD = markdown.New().WithBudget(10 * time.Second)
	t.Cleanup(func() { a.close() })
	return a
}

// withRateLimits turns the rate limits on (they are off by default in tests).
func withRateLimits(c *Config) { c.RateLimits = true }

// withBaseURL sets the public base URL, e.g. an https one for Secure cookies.
func withBaseURL(u string) func(*Config) { return func(c *Config) { c.BaseURL = u } }

// testClock is a fake clock for a.store.Now; safe for concurrent use.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

// useTestClock replaces the store's clock with a fake one starting at the
// real time now, and returns it.
func useTestClock(a *app) *testClock {
	c := &testClock{now: time.Now().UTC()}
	a.store.Now = c.Now
	return c
}

// Now is the fake time.
func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the fake time forward by d.
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// mustCreateMember creates an account directly through the store, with
// password testPassword and e-mail username@example.se. An approved
// account is a member; pending and rejected ones have no join request
// (use mustApply for a real applicant).
func mustCreateMember(t testing.TB, a *app, username string, role forum.Role, status forum.Status) *forum.Member {
	t.Helper()
	m, err := a.store.CreateMember(context.Background(), a.db, forum.NewMember{
		Username: username, Email: username + "@example.se", DisplayName: "Test " + username,
		Password: testPassword, Role: role, Status: status,
	})
	if err != nil {
		t.Fatalf("create member %s: %v", username, err)
	}
	return m
}

// testAnswers are valid screening answers.
func testAnswers() moderation.Answers {
	yes := true
	return moderation.Answers{Workplace: "Mölndals stad", Role: "Enhetschef äldreomsorg",
		StaffResponsibility: &yes, Sector: "municipality",
		Motivation: "Jag vill utbyta erfarenheter med andra chefer."}
}

// mustApply sends a join request through the domain, as the join form
// would, in language lang ("" for the default), and returns it.
func mustApply(t testing.TB, a *app, username, lang string) *moderation.JoinRequest {
	t.Helper()
	jr, _, err := a.mod.Apply(context.Background(), moderation.Application{
		Username: username, Email: username + "@example.se", Password: testPassword,
		DisplayName: "Test " + username, Answers: testAnswers(), AcceptRules: true, Lang: lang,
	})
	if err != nil {
		t.Fatalf("apply %s: %v", username, err)
	}
	return jr
}

// mustApprove approves a join request as the moderator mod.
func mustApprove(t testing.TB, a *app, mod *forum.Member, id int64) {
	t.Helper()
	if _, err := a.mod.Approve(context.Background(), mod, id); err != nil {
		t.Fatalf("approve %d: %v", id, err)
	}
}

// countRows returns the number of rows in a table.
func countRows(t testing.TB, a *app, table string) int {
	t.Helper()
	var n int
	if err := a.db.Get(&n, "SELECT COUNT(*) FROM "+table); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// testClient is a browser-like client of the app's real router: it keeps
// cookies, remembers the CSRF token of the last page (or of the API
// session) and sends it with forms and state-changing API calls.
type testClient struct {
	t       testing.TB
	h       http.Handler
	cookies map[string]*http.Cookie
	// csrf is the token the client sends: from the last page's
	// csrf_token field or the session API. It is forgotten when the
	// session cookie changes.
	csrf string
	// Bearer, when set, is sent as "Authorization: Bearer …".
	Bearer string
	// NoCSRF stops api from sending X-CSRF-Token.
	NoCSRF bool
	// Lang, when set, is the language she chose with the footer switch
	// (its cookie) and her browser's Accept-Language.
	Lang string
	// AcceptLanguage, when set, is sent as Accept-Language alone: a
	// browser's wish, which chooses nothing (spine_lang_test.go).
	AcceptLanguage string
	// IP is the client's address (RemoteAddr), 192.0.2.1 by default.
	IP string
	// Header holds extra headers for every request ("Host" sets the
	// request's Host).
	Header http.Header
	// Allow503 lets a 503 through (a test of a full disk or a held lock).
	Allow503 bool
}

// newTestClient makes a client of a's router with an empty cookie jar.
func newTestClient(t testing.TB, a *app) *testClient {
	return &testClient{t: t, h: a.routes(), cookies: map[string]*http.Cookie{}, IP: "192.0.2.1", Header: http.Header{}}
}

// testResponse is a finished request.
type testResponse struct {
	t      testing.TB
	Code   int
	Header http.Header
	Body   string
	// Cookies are the cookies the answer set.
	Cookies []*http.Cookie
	req     string
}

// wantStatus fails the test unless the answer has that status.
func (r *testResponse) wantStatus(code int) *testResponse {
	r.t.Helper()
	if r.Code != code {
		body := r.Body
		if len(body) > 2000 {
			body = body[:2000] + "…"
		}
		r.t.Fatalf("%s: status %d, want %d; body:\n%s", r.req, r.Code, code, body)
	}
	return r
}

// json decodes the body as a JSON object.
func (r *testResponse) json() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		r.t.Fatalf("%s: body is not a JSON object: %v\n%s", r.req, err, r.Body)
	}
	return m
}

// location is the redirect target.
func (r *testResponse) location() string { return r.Header.Get("Location") }

// contains fails the test unless the body contains every s (compared
// after HTML unescaping).
func (r *testResponse) contains(ss ...string) *testResponse {
	r.t.Helper()
	body := html.UnescapeString(r.Body)
	for _, s := range ss {
		if !strings.Contains(body, s) {
			r.t.Fatalf("%s: body lacks %q:\n%s", r.req, s, r.Body)
		}
	}
	return r
}

// lacks fails the test if the body contains any s.
func (r *testResponse) lacks(ss ...string) *testResponse {
	r.t.Helper()
	body := html.UnescapeString(r.Body)
	for _, s := range ss {
		if strings.Contains(body, s) {
			r.t.Fatalf("%s: body has %q:\n%s", r.req, s, r.Body)
		}
	}
	return r
}

// cookie returns the cookie of that name the answer set, or nil.
func (r *testResponse) cookie(name string) *http.Cookie {
	for _, c := range r.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

var csrfFieldRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// do sends a request through the router, updating the cookie jar and the
// CSRF token.
func (c *testClient) do(req *http.Request) *testResponse {
	c.t.Helper()
	req.RemoteAddr = c.IP + ":40000"
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	if h := c.Header.Get("Host"); h != "" {
		req.Host = h
	}
	if c.AcceptLanguage != "" {
		req.Header.Set("Accept-Language", c.AcceptLanguage)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
		if c.cookies[langCookie] == nil {
			req.AddCookie(&http.Cookie{Name: langCookie, Value: c.Lang})
		}
	}
	for _, ck := range c.cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	res := w.Result()
	r := &testResponse{t: c.t, Code: res.StatusCode, Header: res.Header, Body: w.Body.String(),
		Cookies: res.Cookies(), req: req.Method + " " + req.URL.RequestURI()}
	for _, ck := range r.Cookies {
		// Kliv's cookies are all for the server only, and never sent
		// along with a cross-site POST.
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			c.t.Errorf("%s: cookie %s lacks HttpOnly or SameSite=Lax: %s", r.req, ck.Name, ck.String())
		}
		if ck.Name == sessionCookie {
			c.csrf = ""
		}
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	if m := csrfFieldRE.FindStringSubmatch(r.Body); m != nil {
		c.csrf = html.UnescapeString(m[1])
	}
	if r.Code >= 500 && !(c.Allow503 && r.Code == http.StatusServiceUnavailable) {
		c.t.Errorf("%s: server error %d: %s", r.req, r.Code, r.Body)
	}
	return r
}

// hasSession reports whether the client holds a session cookie.
func (c *testClient) hasSession() bool { return c.cookies[sessionCookie] != nil }

// get fetches a page (or any GET).
func (c *testClient) get(path string) *testResponse {
	c.t.Helper()
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// token returns the CSRF token to send, fetching a page for one when the
// client has none yet.
func (c *testClient) token() string {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/rules")
	}
	return c.csrf
}

// postForm posts an urlencoded form. Unless form has a csrf_token, the
// client's current token is added (a page is fetched for it if needed).
func (c *testClient) postForm(path string, form url.Values) *testResponse {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form = cloneValues(form)
		form.Set("csrf_token", c.token())
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// api sends a JSON API request. body is nil (no body), a string or
// []byte (sent as is, for malformed input) or any value to encode as
// JSON. The bearer token is sent when set; otherwise, on a state change
// with a session cookie, X-CSRF-Token is sent unless c.NoCSRF.
func (c *testClient) api(method, path string, body any) *testResponse {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("api %s %s: %v", method, path, err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	} else if method != http.MethodGet && method != http.MethodHead && c.hasSession() && !c.NoCSRF {
		if c.csrf == "" {
			if r := c.get("/api/v1/session"); r.Code == http.StatusOK {
				c.csrf, _ = r.json()["csrf_token"].(string)
			}
		}
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	r := c.do(req)
	if strings.HasPrefix(path, "/api/") && r.Code < 300 && strings.Contains(r.Header.Get("Content-Type"), "json") {
		var m map[string]any
		if json.Unmarshal([]byte(r.Body), &m) == nil {
			if tok, ok := m["csrf_token"].(string); ok && tok != "" {
				c.csrf = tok
			}
		}
	}
	return r
}

// login signs in through the API (by username or e-mail) and fails the
// test unless it worked.
func (c *testClient) login(login, password string) {
	c.t.Helper()
	c.api(http.MethodPost, "/api/v1/session", map[string]string{"login": login, "password": password}).wantStatus(http.StatusOK)
}

// clientFor returns a client signed in as username (password testPassword).
func clientFor(t testing.TB, a *app, username string) *testClient {
	t.Helper()
	c := newTestClient(t, a)
	c.login(username, testPassword)
	return c
}

// testLogOut is where the test apps log: nowhere, unless KLIV_TEST_LOG is
// set (to see a 500's cause while debugging a test).
func testLogOut() io.Writer {
	if os.Getenv("KLIV_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}
