package main

import (
	"net/http"
	"testing"

	"kliv/forum"
)

// TestMemberPage: a member's page shows her verified role line and her
// topics; mentions link to it; applicants have no page.
func TestMemberPage(t *testing.T) {
	a := newTestApp(t)
	mod := mustCreateMember(t, a, "moa", forum.RoleModerator, forum.StatusApproved)
	jr := mustApply(t, a, "anna", "")
	mustApprove(t, a, mod, jr.ID)
	mustApply(t, a, "pia", "")

	ca := clientFor(t, a, "anna")
	r := ca.api(http.MethodPost, "/api/v1/topics", map[string]any{"category_id": 1, "title": "Schemaläggning i hemtjänsten", "body": "Fråga till @moa om scheman."}).wantStatus(http.StatusCreated)
	topicURL := r.json()["url"].(string)
	ca.get(topicURL).contains(`href="/u/moa"`)

	cm := clientFor(t, a, "moa")
	cm.get("/u/anna").wantStatus(http.StatusOK).contains(
		"<h1>Test anna</h1>", "@anna", "Enhetschef äldreomsorg · Kommun · Mölndals stad", "Schemaläggning i hemtjänsten")
	cm.get("/u/ANNA").wantStatus(http.StatusOK)
	ca.get("/u/moa").wantStatus(http.StatusOK).contains("Moderator")
	cm.get("/u/pia").wantStatus(http.StatusNotFound)
	cm.get("/u/nobody").wantStatus(http.StatusNotFound)

	// An applicant sees no member pages.
	cp := clientFor(t, a, "pia")
	if loc := cp.get("/u/anna").wantStatus(http.StatusSeeOther).location(); loc != "/" {
		t.Fatalf("applicant redirected to %q", loc)
	}
	ca.get("/u/anna").lacks("pia")
}
