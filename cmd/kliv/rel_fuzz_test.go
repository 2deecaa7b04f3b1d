package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"kliv/forum"
)

// fuzzAPI sends body as JSON to method path through the real router, and
// fails on a 5xx (a panic becomes one through gin's recovery), on a
// refusal that is not a JSON {"error"}, and on malformed JSON that is not
// refused with 400.
func fuzzAPI(t *testing.T, h http.Handler, token, method, path string, body []byte, ok ...int) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.RemoteAddr = "192.0.2.7:40000"
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	code := w.Code
	if code >= 500 {
		t.Fatalf("%s %s %q: %d %s", method, path, body, code, w.Body.String())
	}
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s %q: %d answer is not JSON: %q", method, path, body, code, w.Body.String())
	}
	for _, c := range ok {
		if code == c {
			return
		}
	}
	if code < 400 || code >= 500 {
		t.Fatalf("%s %s %q: unexpected %d %s", method, path, body, code, w.Body.String())
	}
	if msg, _ := out["error"].(string); msg == "" {
		t.Fatalf("%s %s %q: %d without an error message: %s", method, path, body, code, w.Body.String())
	}
	if !json.Valid(bytes.TrimSpace(body)) && len(bytes.TrimSpace(body)) > 0 && code != http.StatusBadRequest && code != http.StatusRequestEntityTooLarge {
		t.Fatalf("%s %s %q: malformed JSON answered %d", method, path, body, code)
	}
}

// FuzzAPIJoinRequest feeds arbitrary bodies to the sign-up endpoint:
// 201 or a clear 4xx, never a 5xx or a panic.
//
//	go test -fuzz=FuzzAPIJoinRequest -fuzztime=30s ./cmd/kliv
func FuzzAPIJoinRequest(f *testing.F) {
	for _, s := range []string{
		`{"username":"cleo","email":"cleo@example.se","password":"correct horse battery","display_name":"Cleo","answers":{"workplace":"Borås stad","role":"Enhetschef","staff_responsibility":true,"sector":"municipality","motivation":"Jag vill lära av andra."}}`,
		`{"username":"cleo","answers":{"staff_responsibility":"ja"}}`,
		`{"username":["x"],"email":{},"password":1e400}`,
		`{"answers":null}`, `[]`, `null`, `"x"`, `{`, ``, "{\"username\":\"\xff\"}",
		`{"username":"a","username":"b"}`, `{"answers":{"motivation":"` + string(bytes.Repeat([]byte("å"), 3000)) + `"}}`,
	} {
		f.Add([]byte(s))
	}
	a := newTestApp(f)
	h := a.routes()
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzAPI(t, h, "", "POST", "/api/v1/join-requests", body, http.StatusCreated)
	})
}

// FuzzAPIPost feeds arbitrary bodies to the endpoints that write posts:
// a new topic, a reply, an edit. The first byte picks the endpoint.
//
//	go test -fuzz=FuzzAPIPost -fuzztime=30s ./cmd/kliv
func FuzzAPIPost(f *testing.F) {
	for _, s := range []string{
		`{"category_id":1,"title":"Rubrik","body":"Text","kind":"discussion"}`,
		`{"category_id":1,"title":"Länk","body":"Text","kind":"link","url":"https://example.se/"}`,
		`{"category_id":"1","title":2,"body":null}`,
		`{"body":"Ett svar","reply_to":1}`, `{"body":"Ett svar","reply_to":-1}`, `{"body":"x","reply_to":1e30}`,
		`{"body":"Redigerat","version":1}`, `{"body":"Redigerat","version":"1"}`,
		`{"body":"<script>alert(1)</script>"}`, `[]`, `{`, ``, "{\"body\":\"\xc3\"}",
	} {
		for op := byte(0); op < 3; op++ {
			f.Add(op, []byte(s))
		}
	}
	a := newTestApp(f)
	ada := mustCreateMember(f, a, "ada", forum.RoleMember, forum.StatusApproved)
	tp := mustTopic(f, a, ada, forum.NewTopic{Title: "Fuzzade svar"})
	token, err := a.store.CreateAPIToken(context.Background(), ada.ID, "fuzz")
	if err != nil {
		f.Fatal(err)
	}
	h := a.routes()
	f.Fuzz(func(t *testing.T, op byte, body []byte) {
		switch op % 3 {
		case 0:
			fuzzAPI(t, h, token, "POST", "/api/v1/topics", body, http.StatusCreated)
		case 1:
			fuzzAPI(t, h, token, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), body, http.StatusCreated)
		case 2:
			fuzzAPI(t, h, token, "PATCH", fmt.Sprintf("/api/v1/posts/%d", tp.FirstPostID), body, http.StatusOK)
		}
	})
}
