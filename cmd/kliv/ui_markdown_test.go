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

// Small posts-back (Tack, taking it back, marking the answer) return to
// the post acted on, on its page, not to the top of the topic.
func TestPostBacksReturnToThePost(t *testing.T) {
	a, anna, bea := forumApp(t)
	tp := mustTopic(t, a, member(t, a, "anna"), forum.NewTopic{Title: "Fråga om scheman", Kind: forum.KindQuestion})
	var last *forum.Post
	for i := 0; i < 35; i++ { // two pages
		last = mustReply(t, a, member(t, a, "bea"), tp.ID, fmt.Sprintf("Svar %d", i), 0)
	}
	want := fmt.Sprintf("/t/%d?page=2#p%d", tp.ID, last.ID)
	if got := anna.postForm(fmt.Sprintf("/p/%d/thanks", last.ID), nil).wantStatus(http.StatusSeeOther).location(); got != want {
		t.Errorf("after Tack: %s, want %s", got, want)
	}
	if got := anna.postForm(fmt.Sprintf("/p/%d/unthank", last.ID), nil).wantStatus(http.StatusSeeOther).location(); got != want {
		t.Errorf("after taking Tack back: %s, want %s", got, want)
	}
	if got := anna.postForm(fmt.Sprintf("/t/%d/answer", tp.ID), map[string][]string{"post_id": {fmt.Sprint(last.ID)}}).wantStatus(http.StatusSeeOther).location(); got != want {
		t.Errorf("after marking the answer: %s, want %s", got, want)
	}
	_ = bea
}
