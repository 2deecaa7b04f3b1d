package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// publicRoutes are the routes a visitor or an applicant may reach. A new
// route that is meant to be public (it shows nothing of the forum, or is
// guarded by a token of its own) must be listed here; every other route
// must turn them away.
var publicRoutes = []string{
	"GET /", "GET /rules", "POST /lang", "GET /healthz", "HEAD /healthz", "GET /favicon.ico", "GET /s/*path",
	"GET /login", "POST /login", "POST /logout", "GET /join", "POST /join", "POST /join/again",
	"GET /setup", "POST /setup", "GET /password/forgot", "POST /password/forgot", "GET /password/reset", "POST /password/reset",
	"GET /settings*", "POST /settings*", // her own account, applicants too
	"GET /unsubscribe", "POST /unsubscribe", // a token in the link
	"GET /feeds/*", "HEAD /feeds/*", // a feed token in the link
	"POST /api/v1/session", "GET /api/v1/session", "DELETE /api/v1/session", "POST /api/v1/join-requests",
	// screening: an invitation link (a token of its own), and the
	// applicant's completion and withdrawal of her own request
	"GET /invite", "POST /invite", "POST /join/complete", "POST /join/withdraw", "POST /api/v1/join-requests/withdraw",
	"GET /confirm-role", "POST /confirm-role", // her own role line (refused to applicants)
	"GET /privacy", "GET /api/v1/me/export", "GET /api/v1/me/sessions", "DELETE /api/v1/me", "DELETE /api/v1/me/sessions/*", // her own data, applicants too
}

func isPublicRoute(method, path string) bool {
	for _, p := range publicRoutes {
		m, rest, _ := strings.Cut(p, " ")
		if m != method {
			continue
		}
		if prefix, ok := strings.CutSuffix(rest, "*"); ok && !strings.HasSuffix(rest, "/*path") {
			if strings.HasPrefix(path, prefix) {
				return true
			}
		} else if rest == path {
			return true
		}
	}
	return false
}

// Walks every route of the router, as it grows: a visitor, a waiting and
// a rejected applicant are turned away from all but the public ones, and
// no answer to them shows a word of the forum.
func TestApplicantsAndVisitorsReachNoForumRoute(t *testing.T) {
	a := newTestApp(t)
	admin := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mc := clientFor(t, a, "ada")
	const secret = "Hemligt medlemsinnehåll"
	cats := mc.api("GET", "/api/v1/categories", nil).wantStatus(http.StatusOK).json()["categories"].([]any)
	cat := cats[0].(map[string]any)
	topic := mc.api("POST", "/api/v1/topics", map[string]any{"category_id": cat["id"], "title": secret + " i rubriken",
		"body": secret + " i texten.", "kind": "discussion"}).wantStatus(http.StatusCreated).json()
	mc.api("POST", "/api/v1/topics/1/posts", map[string]any{"body": secret + " i ett svar."})
	if topic["id"] != float64(1) {
		t.Fatalf("first topic: %v", topic)
	}
	mustApply(t, a, "pia", "")
	jr := mustApply(t, a, "rut", "")
	if _, err := a.mod.Reject(t.Context(), admin, jr.ID, "no_staff"); err != nil {
		t.Fatal(err)
	}
	readers := map[string]*testClient{"visitor": newTestClient(t, a), "pending": clientFor(t, a, "pia"), "rejected": clientFor(t, a, "rut")}
	repl := strings.NewReplacer(":id", "1", ":slug", cat["slug"].(string), ":username", "ada", ":file", "1.atom", "*path", "css/site.css")

	routes := a.routes().(*gin.Engine).Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes?", len(routes))
	}
	for _, rt := range routes {
		path := repl.Replace(rt.Path)
		public := isPublicRoute(rt.Method, rt.Path)
		for who, c := range readers {
			var r *testResponse
			switch {
			case rt.Method == http.MethodGet || rt.Method == http.MethodHead:
				r = c.do(httptest.NewRequest(rt.Method, path, nil))
			case strings.HasPrefix(path, "/api/"):
				if public {
					continue // their answers are tested on their own
				}
				r = c.api(rt.Method, path, map[string]any{})
			default:
				if public {
					continue
				}
				r = c.postForm(path, nil)
			}
			if strings.Contains(r.Body, secret) {
				t.Errorf("%s %s shows the forum to the %s", rt.Method, rt.Path, who)
			}
			if public {
				continue
			}
			loc := r.location()
			switch {
			case r.Code == http.StatusUnauthorized, r.Code == http.StatusForbidden, r.Code == http.StatusNotFound, r.Code == http.StatusMethodNotAllowed:
			case r.Code == http.StatusSeeOther && (loc == "/" || strings.HasPrefix(loc, "/login")):
			default:
				t.Errorf("%s %s lets the %s through: %d %s", rt.Method, rt.Path, who, r.Code, loc)
			}
		}
	}
}
