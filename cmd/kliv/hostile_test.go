package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"kliv/forum"
)

// TestHostileInputNeverServerError walks every route as an admin (who may
// reach the most) with hostile path values, query strings, JSON bodies
// and form fields. The test client fails the test on any 5xx answer.
func TestHostileInputNeverServerError(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every route")
	}
	a := newTestApp(t)
	admin := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustApply(t, a, "pia", "")
	c := clientFor(t, a, "ada")
	if _, _, err := a.store.CreateTopic(t.Context(), admin, forum.NewTopic{CategoryID: 1, Title: "Ämne", Body: "Text"}); err != nil {
		t.Fatal(err)
	}

	ids := []string{"1", "0", "-1", "99999999999999999999", "abc", "1.5", "%00", "%E2%80%AE"}
	queries := []string{"", "?page=-1", "?page=abc&after=x&before=y", "?q=%22((AND%20NEAR/3%20*-&kind=x&category_id=abc&author=%00",
		"?status=%27%3B--&token=" + strings.Repeat("x", 300), "?page=99999999999999999999999&to=abc&quote=-1&part=%FF"}
	bodies := []any{
		map[string]any{},
		map[string]any{"body": 1, "title": []int{1}, "category_id": "x", "reply_to": "x", "version": "x", "kind": 5, "url": true,
			"status": 1, "reason": nil, "note": 7, "remind_at": "x", "emails": "x", "profile": 1, "post_id": "x", "level": 3,
			"login": 1, "password": 2, "answers": "x", "name": 5, "role": 6, "lang": 7},
		map[string]any{"body": strings.Repeat("*a", 30000), "title": "\x00", "category_id": -1, "reply_to": -5, "version": -1,
			"kind": "link", "url": "javascript:alert(1)", "status": "bogus", "remind_at": "1900-01-01T00:00:00Z", "post_id": -1},
		[]int{1, 2, 3},
		"a string",
	}
	forms := []url.Values{
		nil,
		{"title": {"\x00"}, "body": {strings.Repeat("> ", 2000)}, "category_id": {"abc"}, "kind": {"x"}, "url": {"ftp://x"},
			"reply_to": {"-1"}, "version": {"abc"}, "ids": {"x", "-1"}, "action": {"x"}, "reason": {""}, "lang": {"xx"},
			"remind_at": {"nonsense"}, "level": {"x"}, "role": {"owner"}, "username": {"%00"}, "name": {strings.Repeat("n", 500)},
			"delta": {"x"}, "archive": {"maybe"}, "post_id": {"x"}, "token": {"x"}, "t": {"x"}},
	}
	n := 0
	skip := map[string]bool{"/logout": true, "/settings/logout-everywhere": true, "/api/v1/session": true, "/settings/password": true,
		"/settings/sessions/:id/revoke": true, "/api/v1/me/sessions/:id": true}

	for _, rt := range a.routes().(*gin.Engine).Routes() {
		if skip[rt.Path] || strings.HasPrefix(rt.Path, "/s/") {
			continue
		}
		for _, id := range ids {
			path := strings.NewReplacer(":id", id, ":slug", id, ":username", id, ":file", id+".atom").Replace(rt.Path)
			switch {
			case rt.Method == http.MethodGet || rt.Method == http.MethodHead:
				for _, q := range queries {
					c.do(httptest.NewRequest(rt.Method, path+q, nil))
					n++
				}
			case strings.HasPrefix(path, "/api/"):
				for _, b := range bodies {
					c.api(rt.Method, path, b)
					n++
				}
			default:
				for _, f := range forms {
					c.postForm(path, f)
					n++
				}
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d requests: the walk missed the routes", n)
	}
	// Still signed in: the walk really ran as the admin throughout.
	c.get("/admin").wantStatus(http.StatusOK)
	t.Logf("%d hostile requests, no server error", n)
}
