package main

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/static"
	"kliv/templates"
)

// wantSecureHeaders fails unless an answer carries the headers every
// answer must: a CSP without inline script or style, nosniff, no framing
// and a referrer policy.
func wantSecureHeaders(t *testing.T, r *testResponse) {
	t.Helper()
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s (%d): CSP %q lacks %q", r.req, r.Code, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP allows inline code: %q", r.req, csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s (%d): %s = %q, want %q", r.req, r.Code, h, got, want)
		}
	}
}

var (
	scriptTagRE  = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	handlerRE    = regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`)
	styleAttrRE  = regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle\s*=`)
	styleTagRE   = regexp.MustCompile(`(?i)<style\b`)
	jsURLRE      = regexp.MustCompile(`(?i)(href|src|action|formaction)\s*=\s*["']?\s*javascript:`)
	scriptSrcRE  = regexp.MustCompile(`(?i)\ssrc="/s/[0-9a-f]+/js/[a-z0-9_.-]+\.js"`)
	inlineNeeded = []*regexp.Regexp{handlerRE, styleAttrRE, styleTagRE, jsURLRE}
)

// wantNoInlineCode fails if an HTML page holds anything the CSP would
// block: inline script, event handlers, style attributes or elements,
// javascript: URLs.
func wantNoInlineCode(t *testing.T, r *testResponse) {
	t.Helper()
	for _, tag := range scriptTagRE.FindAllString(r.Body, -1) {
		if !scriptSrcRE.MatchString(tag) {
			t.Errorf("%s: inline or foreign script %s", r.req, tag)
		}
	}
	for _, re := range inlineNeeded {
		if m := re.FindString(r.Body); m != "" {
			t.Errorf("%s: %q needs inline code", r.req, m)
		}
	}
}

// Every kind of answer carries the security headers: pages, errors,
// redirects, static files, feeds, the API, and every page is free of
// inline code, as every reader sees it.
func TestSecurityHeadersEverywhere(t *testing.T) {
	a := newTestApp(t)
	ada := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustApply(t, a, "pia", "")
	q := mustTopic(t, a, anna, forum.NewTopic{Title: "En fråga", Kind: forum.KindQuestion,
		Body: `Text med <span style="color:red" onclick="alert(1)">stil</span> och [länk](javascript:alert(1)) <script>alert(1)</script>`})
	mustReply(t, a, ada, q.ID, "Ett svar med **fetstil**", *q.FirstPostID)
	feedToken, err := a.store.FeedToken(t.Context(), anna.ID)
	if err != nil {
		t.Fatal(err)
	}

	clients := map[string]*testClient{"visitor": newTestClient(t, a), "applicant": clientFor(t, a, "pia"),
		"member": clientFor(t, a, "anna"), "moderator": clientFor(t, a, "mona"), "admin": clientFor(t, a, "ada")}
	pages := 0
	for _, rt := range a.routes().(*gin.Engine).Routes() {
		if rt.Method != http.MethodGet || strings.HasPrefix(rt.Path, "/s/") {
			continue
		}
		path := strings.NewReplacer(":id", "1", ":slug", "ledarskap", ":username", "anna", ":file", "1.atom").Replace(rt.Path)
		if strings.HasPrefix(path, "/feeds/") {
			path += "?token=" + feedToken
		}
		for _, c := range clients {
			r := c.get(path)
			wantSecureHeaders(t, r)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				wantNoInlineCode(t, r)
				pages++
			}
		}
	}
	if pages < 60 {
		t.Errorf("only %d HTML pages walked", pages)
	}

	c := clients["admin"]
	// Errors of every kind, HTML and JSON.
	for _, r := range []*testResponse{
		c.get("/no/such/page").wantStatus(http.StatusNotFound),
		c.api("GET", "/api/v1/nothing", nil).wantStatus(http.StatusNotFound),
		c.do(httptest.NewRequest(http.MethodDelete, "/rules", nil)).wantStatus(http.StatusMethodNotAllowed),
		c.api("POST", "/api/v1/topics", strings.Repeat("x", maxBody+10)).wantStatus(http.StatusRequestEntityTooLarge),
		clients["member"].api("POST", fmt.Sprintf("/api/v1/topics/%d/pin", q.ID), map[string]any{}).wantStatus(http.StatusForbidden),
		clients["visitor"].api("GET", "/api/v1/topics", nil).wantStatus(http.StatusUnauthorized),
		clients["visitor"].get("/t/1").wantStatus(http.StatusSeeOther),
		c.get("/feeds/latest.atom?token=wrong").wantStatus(http.StatusNotFound),
		c.get("/healthz").wantStatus(http.StatusOK),
		c.get("/favicon.ico").wantStatus(http.StatusMovedPermanently),
	} {
		wantSecureHeaders(t, r)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			wantNoInlineCode(t, r)
		}
	}
	// A 429 too.
	limited := newTestApp(t, withRateLimits)
	lc := newTestClient(t, limited)
	var last *testResponse
	for i := 0; i < 30 && (last == nil || last.Code != http.StatusTooManyRequests); i++ {
		last = lc.api("POST", "/api/v1/session", map[string]string{"login": "nobody", "password": "wrong"})
	}
	if last.Code != http.StatusTooManyRequests {
		t.Fatalf("no 429: %d", last.Code)
	}
	wantSecureHeaders(t, last)

	// Static files, under their hashed names and not.
	for name, u := range a.views.assets {
		r := c.get(u).wantStatus(http.StatusOK)
		wantSecureHeaders(t, r)
		if strings.HasSuffix(name, ".css") && styleTagRE.MatchString(r.Body) {
			t.Errorf("%s holds a style element", name)
		}
	}
	wantSecureHeaders(t, c.get("/s/0000/css/missing.css").wantStatus(http.StatusNotFound))
	// Feeds, with a valid token.
	r := c.get("/feeds/latest.atom?token=" + feedToken).wantStatus(http.StatusOK)
	wantSecureHeaders(t, r)

	// The post's hostile markup was sanitized away on its page.
	r = clients["member"].get(q.Path()).wantStatus(http.StatusOK).contains("stil", "fetstil")
	wantNoInlineCode(t, r)
	if strings.Contains(r.Body, "<script>alert") || strings.Contains(r.Body, "onclick") || strings.Contains(r.Body, `style="color`) {
		t.Error("the post's markup survived sanitizing")
	}
}

// The templates and static files themselves hold no inline code, whatever
// a page happens to render.
func TestNoInlineCodeInSources(t *testing.T) {
	for _, fsys := range []struct {
		name string
		read func() map[string]string
	}{{"templates", templateSources}, {"static", staticSources}} {
		for name, src := range fsys.read() {
			if strings.HasSuffix(name, ".html") {
				for _, tag := range scriptTagRE.FindAllString(src, -1) {
					if !strings.Contains(tag, `src="{{asset `) {
						t.Errorf("%s/%s: inline script %s", fsys.name, name, tag)
					}
				}
				for _, re := range inlineNeeded {
					if m := re.FindString(src); m != "" {
						t.Errorf("%s/%s: %q", fsys.name, name, m)
					}
				}
			}
			if strings.HasSuffix(name, ".js") && (strings.Contains(src, "eval(") || strings.Contains(src, "new Function") || strings.Contains(src, "javascript:")) {
				t.Errorf("%s/%s: code the CSP would block", fsys.name, name)
			}
		}
	}
}

// templateSources and staticSources are the embedded files by name.
func templateSources() map[string]string { return readAll(templates.FS) }

func staticSources() map[string]string { return readAll(static.FS) }

func readAll(fsys fs.FS) map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out[p] = string(b)
		return nil
	})
	return out
}
