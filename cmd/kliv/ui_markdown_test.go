package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kliv/forum"
)

// What she writes is what shows: a post that starts with an indented
// line keeps it, in the preview and in the saved post; only trailing
// whitespace and leading blank lines go.
func TestPostKeepsLeadingIndentation(t *testing.T) {
	a, anna, _ := forumApp(t)
	j := anna.api("POST", "/api/v1/preview", map[string]any{"body": "\n\n    go test ./...\n\n"}).wantStatus(http.StatusOK).json()
	if h, _ := j["html"].(string); !strings.Contains(h, "<pre><code>go test ./...") {
		t.Errorf("preview lost the code block: %q", h)
	}
	tp := mustTopic(t, a, member(t, a, "anna"), forum.NewTopic{Title: "Indrag", Kind: forum.KindDiscussion,
		Body: "\n  \n\tkod med tabb\n\n- a\n    - inne i a  \n\n"})
	j = anna.api("GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil).wantStatus(http.StatusOK).json()
	post := j["posts"].([]any)[0].(map[string]any)
	if post["body"] != "\tkod med tabb\n\n- a\n    - inne i a" {
		t.Errorf("stored body %q", post["body"])
	}
	h := post["body_html"].(string)
	if !strings.Contains(h, "<pre><code>kod med tabb") || !strings.Contains(h, "<li>inne i a</li>") {
		t.Errorf("rendered body %q", h)
	}
	// Only whitespace is still an empty post.
	anna.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": " \n\t\n "}).wantStatus(http.StatusBadRequest)
}
