package main

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

func TestLimiterTable(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	type step struct {
		at   time.Duration // since start
		key  string
		ok   bool
		wait time.Duration // when refused
	}
	cases := []struct {
		name  string
		rate  float64 // per second
		burst int
		off   bool
		steps []step
	}{
		{"burst then refused", 1.0 / 60, 2, false, []step{
			{0, "a", true, 0}, {0, "a", true, 0}, {0, "a", false, time.Minute},
		}},
		{"refills with time", 1.0 / 60, 2, false, []step{
			{0, "a", true, 0}, {0, "a", true, 0},
			{30 * time.Second, "a", false, 30 * time.Second},
			{60 * time.Second, "a", true, 0}, {60 * time.Second, "a", false, time.Minute},
		}},
		{"never above burst", 1, 1, false, []step{
			{0, "a", true, 0}, {time.Hour, "a", true, 0}, {time.Hour, "a", false, time.Second},
		}},
		{"keys are separate", 1.0 / 60, 1, false, []step{
			{0, "a", true, 0}, {0, "a", false, time.Minute}, {0, "b", true, 0},
		}},
		{"off allows everything", 1.0 / 3600, 1, true, []step{
			{0, "a", true, 0}, {0, "a", true, 0}, {0, "a", true, 0},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := newLimiterPer(tc.rate, tc.burst, tc.off)
			var now time.Time
			l.now = func() time.Time { return now }
			for i, s := range tc.steps {
				now = start.Add(s.at)
				ok, wait := l.take(s.key)
				if ok != s.ok {
					t.Fatalf("step %d: allowed %v, want %v", i, ok, s.ok)
				}
				if !ok && (wait < s.wait-time.Millisecond || wait > s.wait+time.Millisecond) {
					t.Errorf("step %d: wait %v, want %v", i, wait, s.wait)
				}
			}
		})
	}
}

func TestRetrySecondsAndWaitText(t *testing.T) {
	a := newTestApp(t)
	sv, en := a.loc0("sv"), a.loc0("en")
	for _, tc := range []struct {
		wait time.Duration
		secs int
		sv   string
		en   string
	}{
		{time.Millisecond, 1, "1 sekund", "1 second"},
		{30*time.Second + time.Millisecond, 31, "31 sekunder", "31 seconds"},
		{100 * time.Second, 100, "2 minuter", "2 minutes"},
		{6 * time.Minute, 360, "6 minuter", "6 minutes"},
	} {
		secs := retrySeconds(tc.wait)
		if secs != tc.secs {
			t.Errorf("retrySeconds(%v) = %d, want %d", tc.wait, secs, tc.secs)
		}
		if got := waitText(sv, secs); got != tc.sv {
			t.Errorf("sv %v: %q, want %q", tc.wait, got, tc.sv)
		}
		if got := waitText(en, secs); got != tc.en {
			t.Errorf("en %v: %q, want %q", tc.wait, got, tc.en)
		}
	}
}

func TestPostingRateLimits(t *testing.T) {
	a := newTestApp(t, withRateLimits)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	c := clientFor(t, a, "anna")

	// Topics: ten an hour through the API, then 429 with the wait.
	for i := 0; i < 10; i++ {
		c.api("POST", "/api/v1/topics", map[string]any{"category_id": catLedarskap, "title": fmt.Sprintf("Ämne %d", i), "body": "Text"}).
			wantStatus(http.StatusCreated)
	}
	r := c.api("POST", "/api/v1/topics", map[string]any{"category_id": catLedarskap, "title": "Ett till", "body": "Text"}).
		wantStatus(http.StatusTooManyRequests)
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 300 || secs > 360 {
		t.Errorf("Retry-After %q, want about six minutes", r.Header.Get("Retry-After"))
	}
	if msg := r.json()["error"]; msg != "Du har startat många ämnen på kort tid. Vänta 6 minuter och försök igen." {
		t.Errorf("429 message %q", msg)
	}
	// The form says it too, in English for an English reader, and keeps the text.
	c.Lang = "en"
	r = c.postForm("/new", url.Values{"category_id": {"1"}, "title": {"Mitt ämne"}, "body": {"Min långa text"}}).
		wantStatus(http.StatusTooManyRequests).contains("You have started many topics in a short time. Wait 6 minutes", "Min långa text")
	if r.Header.Get("Retry-After") == "" {
		t.Error("form 429 without Retry-After")
	}
	// A preview is not an action and is never limited.
	c.postForm("/new", url.Values{"category_id": {"1"}, "title": {"Mitt ämne"}, "body": {"Förhandsgranska mig"}, "preview": {"1"}}).
		wantStatus(http.StatusOK)
	if n := countRows(t, a, "topics"); n != 10 {
		t.Errorf("%d topics, want 10", n)
	}
	// Replies and edits have limits of their own: she may still reply.
	tp := mustTopic(t, a, anna, forum.NewTopic{Title: "Svara här"})
	c.Lang = ""
	var lastID int64
	for i := 0; i < 30; i++ {
		lastID = num(t, c.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": fmt.Sprintf("Svar %d", i)}).
			wantStatus(http.StatusCreated).json()["id"])
	}
	c.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": "Ett svar för mycket"}).
		wantStatus(http.StatusTooManyRequests).contains("Du har skrivit många svar på kort tid.")
	c.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {"Via formuläret"}}).
		wantStatus(http.StatusTooManyRequests).contains("Du har skrivit många svar", "Via formuläret")
	for i := 0; i < 30; i++ {
		c.api("PATCH", fmt.Sprintf("/api/v1/posts/%d", lastID), map[string]any{"body": fmt.Sprintf("Ändrat %d", i), "version": i + 1}).
			wantStatus(http.StatusOK)
	}
	c.api("PATCH", fmt.Sprintf("/api/v1/posts/%d", lastID), map[string]any{"body": "En gång till", "version": 31}).
		wantStatus(http.StatusTooManyRequests).contains("Du har ändrat många inlägg")
	c.postForm(fmt.Sprintf("/p/%d/edit", lastID), url.Values{"body": {"Formulärändring"}, "version": {"31"}}).
		wantStatus(http.StatusTooManyRequests).contains("Formulärändring")

	// Another member is not slowed down by her (another address too).
	b := clientFor(t, a, "bea")
	b.IP = "198.51.100.20"
	b.api("POST", "/api/v1/topics", map[string]any{"category_id": catLedarskap, "title": "Beas ämne", "body": "Text"}).
		wantStatus(http.StatusCreated)
	// From another address she is still slowed: the limit is hers.
	c.IP = "198.51.100.21"
	c.api("POST", "/api/v1/topics", map[string]any{"category_id": catLedarskap, "title": "Från jobbet", "body": "Text"}).
		wantStatus(http.StatusTooManyRequests)
}

func TestPostingRateLimitPerAddress(t *testing.T) {
	a := newTestApp(t, withRateLimits)
	// Two topics an hour a member, four an address.
	a.limits.topics = newRateLimit("admin.limit.topics", 2, time.Hour, 2, false)
	var cs []*testClient
	for _, u := range []string{"anna", "bea", "cia"} {
		mustCreateMember(t, a, u, forum.RoleMember, forum.StatusApproved)
		cs = append(cs, clientFor(t, a, u))
	}
	post := func(c *testClient) *testResponse {
		return c.api("POST", "/api/v1/topics", map[string]any{"category_id": catLedarskap, "title": "Ämne", "body": "Text"})
	}
	post(cs[0]).wantStatus(http.StatusCreated)
	post(cs[0]).wantStatus(http.StatusCreated)
	post(cs[1]).wantStatus(http.StatusCreated)
	post(cs[1]).wantStatus(http.StatusCreated)
	// The address is spent, whoever posts from it.
	post(cs[2]).wantStatus(http.StatusTooManyRequests)
	cs[2].IP = "198.51.100.30"
	post(cs[2]).wantStatus(http.StatusCreated)
}

func TestRateLimitsOff(t *testing.T) {
	// Off (the tests' default, and --rate-limits off): nothing is limited.
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	c := clientFor(t, a, "anna")
	for i := 0; i < 25; i++ {
		c.api("POST", "/api/v1/topics", map[string]any{"category_id": catLedarskap, "title": fmt.Sprintf("Ämne %d", i), "body": "Text"}).
			wantStatus(http.StatusCreated)
	}
}

func TestBodyLimits(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	c := clientFor(t, a, "anna")
	big := strings.Repeat("a", maxBody+1)
	// The API: 413 as JSON in her language.
	r := c.api("POST", "/api/v1/topics", fmt.Sprintf(`{"category_id":1,"title":"x","body":%q}`, big)).wantStatus(http.StatusRequestEntityTooLarge)
	if msg := r.json()["error"]; msg != "Det du skickade är för stort." {
		t.Errorf("413 message %q", msg)
	}
	// A form: 413 as a page.
	c.postForm("/new", url.Values{"title": {"x"}, "body": {big}}).wantStatus(http.StatusRequestEntityTooLarge).contains("Det du skickade är för stort.")
	// Anonymous forms too.
	anon := newTestClient(t, a)
	anon.postForm("/login", url.Values{"login": {"anna"}, "password": {big}}).wantStatus(http.StatusRequestEntityTooLarge)
	// A multipart form.
	req := multipartRequest(t, "/new", c.token(), big)
	c.do(req).wantStatus(http.StatusRequestEntityTooLarge)

	// An upload route takes more, and no more than its own limit.
	eng := a.routes()
	c.h = eng
	a.allowLargeBody("/test/upload", 3*maxBody)
	eng.(*gin.Engine).POST("/test/upload", a.authenticate, a.csrf, func(gc *gin.Context) {
		gc.String(http.StatusOK, "%d", len(gc.PostForm("body")))
	})
	c.do(multipartRequest(t, "/test/upload", c.token(), strings.Repeat("b", 2*maxBody))).wantStatus(http.StatusOK).contains(strconv.Itoa(2 * maxBody))
	c.do(multipartRequest(t, "/test/upload", c.token(), strings.Repeat("b", 3*maxBody+1))).wantStatus(http.StatusRequestEntityTooLarge)
	// Other routes keep the small limit.
	c.do(multipartRequest(t, "/new", c.token(), strings.Repeat("b", 2*maxBody))).wantStatus(http.StatusRequestEntityTooLarge)
}

// multipartRequest is a multipart/form-data POST with a CSRF token and
// one big field, as a browser sends a form with a file.
func multipartRequest(t *testing.T, path, csrf, body string) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("csrf_token", csrf); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteField("body", body); err != nil {
		t.Fatal(err)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req
}
