package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kliv/forum"
)

// TestClientGoneIsNoServerError: a client that hangs up mid-request is no
// 500 and no error in the log (load tools do it at every stop).
func TestClientGoneIsNoServerError(t *testing.T) {
	a := newTestApp(t)
	var logs bytes.Buffer
	a.log = slog.New(slog.NewTextHandler(&logs, nil))
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	tok, err := a.store.CreateAPIToken(context.Background(), 1, "t")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/topics", strings.NewReader(`{"category_id":1,"title":"x","body":"y"}`)).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	a.routes().ServeHTTP(w, req)
	if w.Code < 400 || w.Code >= 500 && w.Code != 499 {
		t.Fatalf("status %d", w.Code)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("logged as an error:\n%s", logs.String())
	}
}
