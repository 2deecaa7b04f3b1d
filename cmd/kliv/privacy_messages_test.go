package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kliv/forum"
)

// startConversation starts a conversation through the API and returns
// its id.
func startConversation(t *testing.T, c *testClient, to []string, body string) int64 {
	t.Helper()
	r := c.api("POST", "/api/v1/messages", map[string]any{"to": to, "body": body}).wantStatus(http.StatusCreated)
	return int64(r.json()["id"].(float64))
}

func TestMessagesConversationFlow(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "berit", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "cecilia", forum.RoleMember, forum.StatusApproved)
	anna, berit, cecilia := clientFor(t, a, "anna"), clientFor(t, a, "berit"), clientFor(t, a, "cecilia")

	// From a member's page: the link leads to the form with her name.
	anna.get("/u/berit").wantStatus(200).contains("/messages/new?to=berit", "Skicka meddelande")
	anna.get("/u/anna").wantStatus(200).lacks("Skicka meddelande")
	anna.get("/messages/new?to=berit").wantStatus(200).contains(`value="berit"`)

	// The form starts the conversation; Markdown goes through the pipeline.
	r := anna.postForm("/messages", url.Values{"to": {"@berit"}, "body": {"Hej **Berit**! <script>alert(1)</script>"}}).wantStatus(http.StatusSeeOther)
	path := r.location()
	if !strings.HasPrefix(path, "/messages/") {
		t.Fatalf("redirect to %q", path)
	}
	anna.get(path).wantStatus(200).contains("<strong>Berit</strong>", "Konversation med Test berit").lacks("<script>alert")

	// Berit sees it unread: header count, inbox count, notification, mail.
	berit.get("/").wantStatus(200).contains(`href="/messages">Meddelanden <span class="count">`)
	berit.get("/messages").wantStatus(200).contains("Test anna", "1 oläst", "Hej Berit!")
	notes := berit.api("GET", "/api/v1/notifications", nil).wantStatus(200).json()
	ns := notes["notifications"].([]any)
	if len(ns) != 1 || ns[0].(map[string]any)["kind"] != "message" || ns[0].(map[string]any)["url"] != path {
		t.Fatalf("notifications = %v", ns)
	}
	var mails []struct {
		To, Subject, Body string
	}
	if err := a.db.Select(&mails, `SELECT to_addr AS "to", subject, body FROM outbox WHERE kind = 'notification.message'`); err != nil {
		t.Fatal(err)
	}
	if len(mails) != 1 || mails[0].To != "berit@example.se" || !strings.Contains(mails[0].Body, testBaseURL+path) {
		t.Fatalf("mails = %+v", mails)
	}
	if strings.Contains(mails[0].Body, "Berit!") {
		t.Fatalf("the mail quotes the private message: %s", mails[0].Body)
	}

	// Reading clears her unread state, and its notification.
	berit.get(path).wantStatus(200).contains("Hej")
	berit.get("/messages").wantStatus(200).lacks("1 oläst")
	if n := berit.api("GET", "/api/v1/notifications", nil).json()["unread"].(float64); n != 0 {
		t.Fatalf("unread notifications after reading = %v", n)
	}
	// She replies; Anna's unread count is 1.
	berit.postForm(path, url.Values{"body": {"Hej Anna, tack!"}}).wantStatus(http.StatusSeeOther)
	inbox := anna.api("GET", "/api/v1/messages", nil).wantStatus(200).json()
	cs := inbox["conversations"].([]any)
	if len(cs) != 1 || cs[0].(map[string]any)["unread"].(float64) != 1 || inbox["unread"].(float64) != 1 {
		t.Fatalf("anna's inbox = %v", inbox)
	}

	// Only participants read it: anyone else, and the API, gets 404.
	cecilia.get(path).wantStatus(http.StatusNotFound)
	cecilia.postForm(path, url.Values{"body": {"Får jag vara med?"}}).wantStatus(http.StatusNotFound)
	cecilia.api("GET", "/api/v1"+path, nil).wantStatus(http.StatusNotFound)
	cecilia.api("POST", "/api/v1"+path, map[string]any{"body": "hej"}).wantStatus(http.StatusNotFound)
	cecilia.api("GET", "/api/v1/messages/999999", nil).wantStatus(http.StatusNotFound)
	newTestClient(t, a).get(path).wantStatus(http.StatusSeeOther)
	if cs := cecilia.api("GET", "/api/v1/messages", nil).json()["conversations"].([]any); len(cs) != 0 {
		t.Fatalf("cecilia sees %v", cs)
	}

	// A conversation of three, newest first in the inbox; Cecilia, who
	// wants no mail about messages, gets none.
	cecilia.postForm("/settings/mail", url.Values{"message": {"never"}}).wantStatus(http.StatusSeeOther)
	cecilia.get("/settings/mail").wantStatus(200).contains("Privata meddelanden till dig")
	id3 := startConversation(t, anna, []string{"berit", "cecilia"}, "Ska vi ses på träffen?")
	var toCecilia int
	if err := a.db.Get(&toCecilia, `SELECT COUNT(*) FROM outbox WHERE to_addr = 'cecilia@example.se' AND kind = 'notification.message'`); err != nil || toCecilia != 0 {
		t.Fatalf("mail to cecilia: %d %v", toCecilia, err)
	}
	cs = anna.api("GET", "/api/v1/messages", nil).json()["conversations"].([]any)
	if len(cs) != 2 || int64(cs[0].(map[string]any)["id"].(float64)) != id3 {
		t.Fatalf("inbox order = %v", cs)
	}
	conv := cecilia.api("GET", fmt.Sprintf("/api/v1/messages/%d", id3), nil).wantStatus(200).json()
	msgs := conv["messages"].([]any)
	if len(msgs) != 1 || msgs[0].(map[string]any)["author"] != "anna" || len(conv["conversation"].(map[string]any)["participants"].([]any)) != 2 {
		t.Fatalf("conversation = %v", conv)
	}
}

func TestMessagesBadInput(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "berit", forum.RoleMember, forum.StatusApproved)
	mustApply(t, a, "sokande", "")
	anna := clientFor(t, a, "anna")
	before := countRows(t, a, "conversations")
	for _, tc := range []struct {
		name string
		body any
		want string
	}{
		{"no recipient", map[string]any{"to": []string{}, "body": "hej"}, "minst en medlem"},
		{"unknown", map[string]any{"to": []string{"nobody"}, "body": "hej"}, "nobody"},
		{"applicant", map[string]any{"to": []string{"sokande"}, "body": "hej"}, "sokande"},
		{"self", map[string]any{"to": []string{"anna"}, "body": "hej"}, "dig själv"},
		{"empty body", map[string]any{"to": []string{"berit"}, "body": "  "}, "Fyll i"},
		{"long body", map[string]any{"to": []string{"berit"}, "body": strings.Repeat("x", forum.MaxMessageLen+1)}, ""},
		{"bad to type", map[string]any{"to": "berit", "body": "hej"}, ""},
		{"bad json", "{", ""},
	} {
		r := anna.api("POST", "/api/v1/messages", tc.body).wantStatus(http.StatusBadRequest)
		if !strings.Contains(r.json()["error"].(string), tc.want) {
			t.Errorf("%s: error %q lacks %q", tc.name, r.json()["error"], tc.want)
		}
	}
	// The form keeps what was typed and shows the error by the field.
	anna.postForm("/messages", url.Values{"to": {"nobody"}, "body": {"Mitt utkast"}}).wantStatus(http.StatusBadRequest).
		contains(`id="f-to"`, "Det finns ingen medlem", "Mitt utkast", `href="#f-to"`)
	if n := countRows(t, a, "conversations"); n != before {
		t.Fatalf("conversations %d → %d after refusals", before, n)
	}
	id := startConversation(t, anna, []string{"berit"}, "hej")
	anna.api("POST", fmt.Sprintf("/api/v1/messages/%d", id), map[string]any{"body": ""}).wantStatus(http.StatusBadRequest)
	anna.api("GET", "/api/v1/messages/abc", nil).wantStatus(http.StatusNotFound)
	anna.api("GET", fmt.Sprintf("/api/v1/messages/%d?page=0", id), nil).wantStatus(http.StatusBadRequest)
	// An applicant has no messages.
	sok := clientFor(t, a, "sokande")
	sok.api("GET", "/api/v1/messages", nil).wantStatus(http.StatusForbidden)
	sok.api("POST", "/api/v1/messages", map[string]any{"to": []string{"anna"}, "body": "hej"}).wantStatus(http.StatusForbidden)
}

func TestMessagesBlock(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "berit", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "cecilia", forum.RoleMember, forum.StatusApproved)
	anna, berit := clientFor(t, a, "anna"), clientFor(t, a, "berit")
	id := startConversation(t, berit, []string{"anna"}, "Hej Anna")

	// Anna blocks Berit from Berit's page.
	anna.get("/u/berit/block").wantStatus(200).contains("Blockera Test berit")
	anna.postForm("/u/berit/block", nil).wantStatus(http.StatusSeeOther)
	anna.get("/u/berit/block").wantStatus(200).contains("Du har blockerat Test berit", "Häv blockeringen")
	anna.get("/settings/blocks").wantStatus(200).contains("Test berit", "@berit")

	// Berit can neither start a conversation nor write in the old one.
	before := countRows(t, a, "messages")
	r := berit.api("POST", "/api/v1/messages", map[string]any{"to": []string{"anna"}, "body": "Hallå?"}).wantStatus(http.StatusForbidden)
	if !strings.Contains(r.json()["error"].(string), "tar inte emot meddelanden") {
		t.Fatalf("refusal = %v", r.json())
	}
	berit.api("POST", "/api/v1/messages", map[string]any{"to": []string{"cecilia", "anna"}, "body": "Hallå?"}).wantStatus(http.StatusForbidden)
	berit.postForm(fmt.Sprintf("/messages/%d", id), url.Values{"body": {"Hallå?"}}).wantStatus(http.StatusForbidden).contains("tar inte emot meddelanden")
	berit.get(fmt.Sprintf("/messages/%d", id)).wantStatus(http.StatusOK).contains("tar inte emot meddelanden").lacks(`action="/messages/`)
	if n := countRows(t, a, "messages"); n != before {
		t.Fatalf("messages %d → %d while blocked", before, n)
	}
	// Anna may still write, and Berit still reads what was said.
	anna.api("POST", fmt.Sprintf("/api/v1/messages/%d", id), map[string]any{"body": "Jag vill inte ha fler meddelanden."}).wantStatus(http.StatusCreated)
	berit.get(fmt.Sprintf("/messages/%d", id)).wantStatus(200).contains("Hej Anna")
	// Others still reach Berit.
	startConversation(t, clientFor(t, a, "cecilia"), []string{"berit"}, "Hej")

	// Blocks through the API; bad names.
	bl := anna.api("GET", "/api/v1/me/blocks", nil).wantStatus(200).json()["blocks"].([]any)
	if len(bl) != 1 || bl[0].(map[string]any)["username"] != "berit" {
		t.Fatalf("blocks = %v", bl)
	}
	anna.api("POST", "/api/v1/me/blocks", map[string]any{"username": "nobody"}).wantStatus(http.StatusNotFound)
	anna.api("POST", "/api/v1/me/blocks", map[string]any{"username": "anna"}).wantStatus(http.StatusBadRequest)
	anna.postForm("/settings/blocks", url.Values{"username": {"nobody"}}).wantStatus(http.StatusBadRequest).contains("Det finns ingen medlem")
	anna.postForm("/settings/blocks", url.Values{"username": {"cecilia"}}).wantStatus(http.StatusSeeOther)
	anna.api("DELETE", "/api/v1/me/blocks/cecilia", nil).wantStatus(http.StatusNoContent)

	// Unblocking from the settings list lets Berit write again.
	anna.postForm("/settings/blocks/berit/delete", nil).wantStatus(http.StatusSeeOther)
	anna.get("/settings/blocks").wantStatus(200).contains("Du har inte blockerat någon")
	berit.api("POST", fmt.Sprintf("/api/v1/messages/%d", id), map[string]any{"body": "Förlåt."}).wantStatus(http.StatusCreated)
}

func TestMessagesRateLimit(t *testing.T) {
	a := newTestApp(t, withRateLimits)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "berit", forum.RoleMember, forum.StatusApproved)
	anna := clientFor(t, a, "anna")
	id := startConversation(t, anna, []string{"berit"}, "1")
	var r *testResponse
	for i := 0; i < 30; i++ {
		r = anna.api("POST", fmt.Sprintf("/api/v1/messages/%d", id), map[string]any{"body": fmt.Sprint("meddelande ", i)})
		if r.Code == http.StatusTooManyRequests {
			break
		}
		r.wantStatus(http.StatusCreated)
	}
	r.wantStatus(http.StatusTooManyRequests)
	if !strings.Contains(r.json()["error"].(string), "många meddelanden") || r.Header.Get("Retry-After") == "" {
		t.Fatalf("429 = %v %v", r.json(), r.Header)
	}
	anna.postForm(fmt.Sprintf("/messages/%d", id), url.Values{"body": {"igen"}}).wantStatus(http.StatusTooManyRequests)
	// Per address too: another member from the same address runs out.
	for i := 0; i < 5; i++ {
		mustCreateMember(t, a, fmt.Sprint("m", i, "x"), forum.RoleMember, forum.StatusApproved)
	}
	limited := false
	for i := 0; i < 5 && !limited; i++ {
		c := clientFor(t, a, fmt.Sprint("m", i, "x"))
		for j := 0; j < 10; j++ {
			r := c.api("POST", "/api/v1/messages", map[string]any{"to": []string{"berit"}, "body": "hej"})
			if r.Code == http.StatusTooManyRequests {
				limited = true
				break
			}
			r.wantStatus(http.StatusCreated)
		}
	}
	if !limited {
		t.Fatal("no limit per address")
	}
}
