package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kliv/forum"
)

// A long topic opens where she is: page 1 for a topic she never opened,
// the page of her first unread post when she has read some, the last
// page when all is read; always 200 (no redirect). The reply form is on
// the last page only; other pages say how many posts follow and link to
// the reply page; a compact "jump" leads to first, first unread, latest.
func TestLongTopicOpensWhereSheIs(t *testing.T) {
	a, anna, bea := forumApp(t)
	am := member(t, a, "anna")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Semesterschema", Kind: forum.KindDiscussion})
	for i := 0; i < 77; i++ {
		mustReply(t, a, am, tp.ID, fmt.Sprintf("Svar nummer %d", i+1), 0)
	}
	path := fmt.Sprintf("/t/%d", tp.ID)
	replyForm := `action="` + path + `/reply" class="form composer"`

	// Never opened: page 1, oldest first, no reply box but its own page.
	r := bea.get(path).wantStatus(http.StatusOK)
	r.contains("Sida 1 av 3", "Efter den här sidan kommer 48 inlägg till.", `href="`+path+`/reply"`, `href="`+path+`?page=3#s78"`).lacks(replyForm, `id="unread"`, "Första olästa")
	// Page 1 read: the plain link opens page 2 at the first unread post.
	r = bea.get(path).wantStatus(http.StatusOK)
	r.contains("Sida 2 av 3", `id="unread"`, "Svar nummer 30", `href="`+path+`?page=2#s31"`, "Efter den här sidan kommer 18 inlägg till.").lacks(replyForm)
	// The last page: the reply box is here.
	r = bea.get(path + "?page=3").wantStatus(http.StatusOK)
	r.contains("Sida 3 av 3", replyForm, `href="#reply-h"`).lacks("Efter den här sidan kommer")
	// All read: the plain link opens the last page; nothing unread to jump to.
	bea.get(path).wantStatus(http.StatusOK).contains("Sida 3 av 3", replyForm).lacks("Första olästa", `id="unread"`)
	// Something new: the last page, from the new post on.
	mustReply(t, a, am, tp.ID, "Ett nytt svar", 0)
	bea.get(path).wantStatus(http.StatusOK).contains("Sida 3 av 3", `id="unread"`, "Ett nytt svar", `href="`+path+`?page=3#s79"`)
	// Asking for a page still gets that page.
	bea.get(path + "?page=1").wantStatus(http.StatusOK).contains("Sida 1 av 3")
	bea.get(path + "?page=4").wantStatus(http.StatusNotFound)
	// The reply page is a place of its own.
	bea.get(path+"/reply").wantStatus(http.StatusOK).contains(`name="body"`, "Ditt svar")
	// One "Sidor" navigation a page (the jump is named apart).
	if n := strings.Count(bea.get(path+"?page=2").Body, `aria-label="Sidor"`); n != 1 {
		t.Errorf("%d navigations named Sidor", n)
	}
	// The author's own topic, all read: the last page.
	anna.get(path).wantStatus(http.StatusOK).contains("Sida 3 av 3")
}

// A short topic has no jump and keeps its reply box.
func TestShortTopicKeepsItsReplyBox(t *testing.T) {
	a, _, bea := forumApp(t)
	tp := mustTopic(t, a, member(t, a, "anna"), forum.NewTopic{Title: "Kort", Kind: forum.KindDiscussion})
	path := fmt.Sprintf("/t/%d", tp.ID)
	bea.get(path).wantStatus(http.StatusOK).contains(`action="`+path+`/reply" class="form composer"`).lacks("Hoppa i ämnet", "Sida 1 av 1")
}
