package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

// modApp is a test app with an admin, a moderator and two members; bea
// has a topic with a reply by cia.
type modFixture struct {
	a                 *app
	admin, mod        *testClient
	bea, cia          *testClient
	beaM, ciaM, monaM *forum.Member
	topic             *forum.Topic
	post              *forum.Post // cia's reply
}

func modApp(t *testing.T, opts ...func(*Config)) *modFixture {
	t.Helper()
	a := newTestApp(t, opts...)
	mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mona := mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	bea := mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	cia := mustCreateMember(t, a, "cia", forum.RoleMember, forum.StatusApproved)
	tp := mustTopic(t, a, bea, forum.NewTopic{Title: "Schemaläggning i hemtjänsten"})
	p := mustReply(t, a, cia, tp.ID, "Ett svar som någon kanske inte gillar", 0)
	return &modFixture{a: a, admin: clientFor(t, a, "ada"), mod: clientFor(t, a, "mona"), bea: clientFor(t, a, "bea"), cia: clientFor(t, a, "cia"),
		beaM: bea, ciaM: cia, monaM: mona, topic: tp, post: p}
}

func TestReportAPageAndTheQueue(t *testing.T) {
	f := modApp(t)
	path := fmt.Sprintf("/p/%d/report", f.post.ID)

	// Every post card offers "Rapportera" to other members, not on her own.
	f.bea.get(f.topic.Path()).wantStatus(200).contains(`href="` + path + `"`)
	f.cia.get(f.topic.Path()).wantStatus(200).lacks(`href="` + path + `"`)

	f.bea.get(path).wantStatus(200).contains("Rapportera inlägg", "Personuppgifter om en brukare eller patient")
	// A reason is required; "other" needs a note.
	f.bea.postForm(path, url.Values{}).wantStatus(400).contains("Skäl")
	f.bea.postForm(path, url.Values{"reason": {"other"}}).wantStatus(400).contains("Skriv några ord")
	r := f.bea.postForm(path, url.Values{"reason": {"disrespectful"}, "note": {"Hånfull ton mot nya chefer"}}).wantStatus(303)
	if !strings.HasPrefix(r.location(), f.topic.Path()) {
		t.Errorf("after reporting: to %s", r.location())
	}
	// One open report per member and post.
	f.bea.postForm(path, url.Values{"reason": {"spam"}}).wantStatus(409).contains("redan rapporterat")
	f.bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", f.post.ID), map[string]any{"reason": "spam"}).wantStatus(409)
	// Not her own post, nor one that does not exist.
	f.cia.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", f.post.ID), map[string]any{"reason": "spam"}).wantStatus(403)
	f.bea.api("POST", "/api/v1/posts/999999/reports", map[string]any{"reason": "spam"}).wantStatus(404)
	f.bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", f.post.ID), map[string]any{"reason": "rude"}).wantStatus(400)
	// A second member reports through the API.
	id := num(t, f.admin.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", f.post.ID), map[string]any{"reason": "off_topic", "note": "Fel tråd"}).
		wantStatus(201).json()["id"])

	// Moderators see the count in the header and the post in the queue,
	// with the reports grouped per post.
	f.mod.get("/").wantStatus(200).contains(`href="/mod/reports"`, `<span class="nav-label">Rapporter</span> <span class="count">`)
	q := f.mod.get("/mod/reports").wantStatus(200)
	q.contains(f.topic.Title, "Test cia", "Ett svar som någon kanske inte gillar", "Respektlöst", "Hånfull ton mot nya chefer",
		"Inte i ämnet", "Fel tråd", "Inga tidigare sanktioner")
	if strings.Count(q.Body, `class="card flagged"`) != 1 {
		t.Errorf("the post's two reports are not one card")
	}
	f.bea.get("/").lacks(`href="/mod/reports"`)
	f.bea.get("/mod/reports").wantStatus(403)
	f.bea.api("GET", "/api/v1/reports?status=open", nil).wantStatus(403)

	rs := f.mod.api("GET", "/api/v1/reports?status=open", nil).wantStatus(200).json()
	if list := rs["reports"].([]any); len(list) != 2 || rs["next_page"] != nil {
		t.Fatalf("open reports: %v", rs)
	}
	f.mod.api("GET", "/api/v1/reports?status=nonsense", nil).wantStatus(400)

	// Dismissing closes every open report on the post; both reporters learn it.
	f.mod.api("POST", fmt.Sprintf("/api/v1/reports/%d/dismiss", id), map[string]any{}).wantStatus(200)
	f.mod.api("POST", fmt.Sprintf("/api/v1/reports/%d/dismiss", id), map[string]any{}).wantStatus(409)
	if n := len(f.mod.api("GET", "/api/v1/reports", nil).json()["reports"].([]any)); n != 0 {
		t.Errorf("%d reports still open", n)
	}
	f.bea.get("/notifications").wantStatus(200).contains("Tack för din rapport om ”" + f.topic.Title + "”. En moderator har tittat på inlägget")
	f.admin.get("/notifications").wantStatus(200).contains("Tack för din rapport")
	f.mod.get("/mod/reports").contains("Inga rapporter väntar")
	// Once handled, she may report it again.
	f.bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", f.post.ID), map[string]any{"reason": "spam"}).wantStatus(201)
}

func TestReportingIsRateLimited(t *testing.T) {
	f := modApp(t, withRateLimits)
	var posts []*forum.Post
	for i := 0; i < 12; i++ {
		posts = append(posts, mustReply(t, f.a, f.ciaM, f.topic.ID, fmt.Sprintf("Svar nummer %d", i), 0))
	}
	limited := 0
	for _, p := range posts {
		r := f.bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", p.ID), map[string]any{"reason": "spam"})
		if r.Code == 429 {
			limited++
			if !strings.Contains(r.Body, "Vänta en stund") || r.Header.Get("Retry-After") == "" {
				t.Errorf("429 without its message: %s", r.Body)
			}
		} else {
			r.wantStatus(201)
		}
	}
	if limited == 0 {
		t.Fatal("12 reports at once were not limited")
	}
	// The page says so too.
	f.bea.postForm(fmt.Sprintf("/p/%d/report", f.post.ID), url.Values{"reason": {"spam"}}).wantStatus(429).contains("Vänta en stund")
}

func TestReportingLimitOff(t *testing.T) {
	f := modApp(t) // --rate-limits off
	for i := 0; i < 15; i++ {
		p := mustReply(t, f.a, f.ciaM, f.topic.ID, fmt.Sprintf("Svar %d", i), 0)
		f.bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", p.ID), map[string]any{"reason": "spam"}).wantStatus(201)
	}
}

func TestHiddenPost(t *testing.T) {
	f := modApp(t)
	f.bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", f.post.ID), map[string]any{"reason": "disrespectful"}).wantStatus(201)
	hide := fmt.Sprintf("/api/v1/posts/%d/hide", f.post.ID)
	f.bea.api("POST", hide, map[string]any{"reason": "Personangrepp"}).wantStatus(403)
	f.mod.api("POST", hide, map[string]any{}).wantStatus(400)
	f.mod.api("POST", hide, map[string]any{"reason": "Personangrepp"}).wantStatus(200)
	f.mod.api("POST", hide, map[string]any{"reason": "Personangrepp"}).wantStatus(409)

	text := "Ett svar som någon kanske inte gillar"
	// Others see why, not what.
	f.bea.get(f.topic.Path()).wantStatus(200).contains("Dolt av en moderator: Personangrepp").lacks(text)
	// Its author sees her text and the reason; so do moderators.
	f.cia.get(f.topic.Path()).wantStatus(200).contains("Dolt av en moderator: Personangrepp", text)
	f.mod.get(f.topic.Path()).wantStatus(200).contains("Dolt av en moderator: Personangrepp", text)
	// The API the same way; and no quoting it.
	body := func(c *testClient) string {
		posts := c.api("GET", fmt.Sprintf("/api/v1/topics/%d", f.topic.ID), nil).wantStatus(200).json()["posts"].([]any)
		p := posts[1].(map[string]any)
		if p["hidden"] != true {
			t.Errorf("post not marked hidden: %v", p)
		}
		return p["body"].(string)
	}
	if body(f.bea) != "" || body(f.cia) != text || body(f.mod) != text {
		t.Errorf("hidden text leaks or is lost in the API")
	}
	f.bea.get(fmt.Sprintf("/t/%d/reply?quote=%d", f.topic.ID, f.post.ID)).wantStatus(200).lacks(text)
	// Nor read in its earlier versions, a bookmark, or the feed.
	f.bea.get(fmt.Sprintf("/p/%d/revisions", f.post.ID)).wantStatus(200).contains("Dolt av en moderator").lacks(text)
	f.bea.get(fmt.Sprintf("/p/%d/bookmark", f.post.ID)).wantStatus(200).contains("Dolt av en moderator").lacks(text)
	f.cia.get(fmt.Sprintf("/p/%d/revisions", f.post.ID)).wantStatus(200).contains(text)
	// Nor found by search, until it is shown again.
	searchHits := func() int {
		return len(f.bea.api("GET", "/api/v1/search?q=gillar", nil).wantStatus(200).json()["results"].([]any))
	}
	if n := searchHits(); n != 0 {
		t.Errorf("search finds the hidden post (%d)", n)
	}
	// The reporter learns it; the author's record has it.
	f.bea.get("/notifications").contains("Inlägget är nu dolt")
	f.mod.get(fmt.Sprintf("/mod/posts/%d", f.post.ID)).wantStatus(200).contains("Inlägg dolt", "inlägget doldes")

	// Shown again through the page's form.
	f.mod.get(fmt.Sprintf("/mod/posts/%d", f.post.ID))
	f.mod.postForm(fmt.Sprintf("/mod/posts/%d/unhide", f.post.ID), url.Values{"next": {f.topic.Path()}}).wantStatus(303)
	f.bea.get(f.topic.Path()).contains(text).lacks("Dolt av en moderator")
	if n := searchHits(); n != 1 {
		t.Errorf("search after unhiding: %d hits", n)
	}
	f.mod.api("POST", fmt.Sprintf("/api/v1/posts/%d/unhide", f.post.ID), map[string]any{}).wantStatus(409)

	// Hidden by the queue's form with a preset reason, in the reader's language.
	f.mod.get("/mod/reports")
	f.mod.postForm(fmt.Sprintf("/mod/posts/%d/hide", f.post.ID), url.Values{"reason": {"off_topic"}}).wantStatus(303)
	f.bea.Lang = "en"
	f.bea.get(f.topic.Path()).contains("Hidden by a moderator: Off topic")
}

func TestWarnSuspendRemove(t *testing.T) {
	f := modApp(t)
	clock := useTestClock(f.a)
	ctx := context.Background()
	f.bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", f.post.ID), map[string]any{"reason": "disrespectful"}).wantStatus(201)

	// Warn: a notification and a mail with the reason; the report closes.
	mails := countRows(t, f.a, "outbox")
	f.mod.api("POST", "/api/v1/members/cia/warn", map[string]any{"reason": "Håll god ton", "post_id": f.post.ID}).wantStatus(200)
	f.cia.get("/notifications").contains("En moderator har varnat dig: Håll god ton")
	if countRows(t, f.a, "outbox") != mails+1 {
		t.Error("the warning was not mailed")
	}
	var body string
	if err := f.a.db.Get(&body, `SELECT body FROM outbox WHERE kind = 'moderation_warning'`); err != nil || !strings.Contains(body, "Håll god ton") {
		t.Errorf("warning mail: %q %v", body, err)
	}
	f.bea.get("/notifications").contains("Medlemmen har fått en varning")
	f.mod.api("POST", "/api/v1/members/cia/warn", map[string]any{"reason": "x", "post_id": 999999}).wantStatus(400)

	// Nobody sanctions herself or an admin; members sanction nobody.
	f.mod.api("POST", "/api/v1/members/mona/warn", map[string]any{"reason": "Test"}).wantStatus(403)
	f.mod.api("POST", "/api/v1/members/ada/suspend", map[string]any{"reason": "Test", "until": time.Now().AddDate(1, 0, 0).Format("2006-01-02")}).wantStatus(403)
	f.admin.api("POST", "/api/v1/members/ada/remove", map[string]any{"reason": "Test"}).wantStatus(403)
	f.bea.api("POST", "/api/v1/members/cia/suspend", map[string]any{"reason": "Test", "until": time.Now().AddDate(1, 0, 0).Format("2006-01-02")}).wantStatus(403)
	f.mod.api("POST", "/api/v1/members/nobody/warn", map[string]any{"reason": "Test"}).wantStatus(404)

	// Suspend: a date in the future, as a date or RFC 3339.
	f.mod.api("POST", "/api/v1/members/cia/suspend", map[string]any{"reason": "Test"}).wantStatus(400)
	f.mod.api("POST", "/api/v1/members/cia/suspend", map[string]any{"reason": "Test", "until": "2001-01-01"}).wantStatus(400)
	f.mod.api("POST", "/api/v1/members/cia/suspend", map[string]any{"reason": "Test", "until": "nästa vecka"}).wantStatus(400)
	tok, err := f.a.store.CreateAPIToken(ctx, f.ciaM.ID, "skript")
	if err != nil {
		t.Fatal(err)
	}
	bearer := newTestClient(t, f.a)
	bearer.Bearer = tok
	bearer.api("GET", "/api/v1/me", nil).wantStatus(200)
	until := clock.Now().Add(72 * time.Hour).Format(time.RFC3339)
	r := f.mod.api("POST", "/api/v1/members/cia/suspend", map[string]any{"reason": "Upprepade personangrepp", "until": until}).wantStatus(200).json()
	if r["status"] != "suspended" || r["suspended_until"] == nil {
		t.Errorf("suspend answered %v", r)
	}
	f.mod.api("POST", "/api/v1/members/cia/suspend", map[string]any{"reason": "Igen", "until": until}).wantStatus(409)

	// Her old cookie and token stop working at once.
	f.cia.get("/").wantStatus(200)
	if f.cia.hasSession() {
		t.Error("the suspended member's cookie still holds a session")
	}
	f.cia.get("/categories").wantStatus(303)
	f.cia.api("GET", "/api/v1/session", nil).wantStatus(401)
	bearer.api("GET", "/api/v1/me", nil).wantStatus(401)
	// She cannot sign in, and is told until when.
	again := newTestClient(t, f.a)
	again.api("POST", "/api/v1/session", map[string]string{"login": "cia", "password": testPassword}).wantStatus(403).contains("avstängt till")
	again.get("/login")
	again.postForm("/login", url.Values{"login": {"cia"}, "password": {testPassword}}).wantStatus(403).contains("avstängt till")
	// A wrong password says nothing of it.
	again.api("POST", "/api/v1/session", map[string]string{"login": "cia", "password": "wrong password!"}).wantStatus(401).lacks("avstängt")

	// The suspension lifts itself when the date passes: by the chore...
	clock.Add(73 * time.Hour)
	if n, err := f.a.store.LiftExpiredSuspensions(ctx); err != nil || n != 1 {
		t.Fatalf("lifted %d, %v", n, err)
	}
	if m := member(t, f.a, "cia"); m.Status != forum.StatusApproved {
		t.Fatalf("cia is %s after her suspension", m.Status)
	}
	clientFor(t, f.a, "cia").get("/categories").wantStatus(200)
	// ...or at sign-in, should the chore not have run yet.
	f.mod.api("POST", "/api/v1/members/cia/suspend", map[string]any{"reason": "Igen", "until": clock.Now().Add(time.Hour).Format(time.RFC3339)}).wantStatus(200)
	clock.Add(2 * time.Hour)
	clientFor(t, f.a, "cia").get("/categories").wantStatus(200)

	// Lifted early by a moderator.
	f.mod.api("POST", "/api/v1/members/cia/suspend", map[string]any{"reason": "Igen", "until": time.Now().AddDate(1, 0, 0).Format("2006-01-02")}).wantStatus(200)
	f.mod.api("POST", "/api/v1/members/cia/unsuspend", map[string]any{}).wantStatus(200)
	f.mod.api("POST", "/api/v1/members/cia/unsuspend", map[string]any{}).wantStatus(409)

	// Her record lists it all.
	ss := f.mod.api("GET", "/api/v1/members/cia/sanctions", nil).wantStatus(200).json()["sanctions"].([]any)
	if len(ss) != 4 {
		t.Errorf("cia's record: %v", ss)
	}
	f.bea.api("GET", "/api/v1/members/cia/sanctions", nil).wantStatus(403)

	// Removed: signed out at once, never back.
	old := clientFor(t, f.a, "cia")
	f.mod.get(fmt.Sprintf("/mod/posts/%d", f.post.ID))
	f.mod.postForm("/mod/members/cia/remove", url.Values{"reason": {"spam"}, "post_id": {fmt.Sprint(f.post.ID)}}).wantStatus(303)
	if m := member(t, f.a, "cia"); m.Status != forum.StatusRemoved {
		t.Fatalf("cia is %s", m.Status)
	}
	old.api("GET", "/api/v1/session", nil).wantStatus(401)
	newTestClient(t, f.a).api("POST", "/api/v1/session", map[string]string{"login": "cia", "password": testPassword}).wantStatus(403).contains("borttaget")
	f.mod.api("POST", "/api/v1/members/cia/warn", map[string]any{"reason": "x"}).wantStatus(409)

	// Admins read it all in the audit log, in words.
	f.admin.get("/admin/audit").wantStatus(200).contains("Varnade medlem", "Stängde av medlem", "Hävde avstängning", "Tog bort medlem ur nätverket")
}

func TestModeratorFormsShowErrors(t *testing.T) {
	f := modApp(t)
	f.bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", f.post.ID), map[string]any{"reason": "spam"}).wantStatus(201)
	page := fmt.Sprintf("/mod/posts/%d", f.post.ID)
	f.mod.get(page).wantStatus(200).contains("Stäng av", "Varna medlemmen", "Ta bort ur nätverket", "Avfärda rapporterna")
	f.mod.postForm("/mod/members/cia/suspend", url.Values{"until": {"2001-01-01"}, "reason": {"spam"}, "post_id": {fmt.Sprint(f.post.ID)}}).
		wantStatus(400).contains("Datumet måste ligga i framtiden")
	f.mod.postForm("/mod/members/cia/suspend", url.Values{"until": {time.Now().AddDate(0, 0, 7).Format("2006-01-02")}, "reason": {"spam"},
		"post_id": {fmt.Sprint(f.post.ID)}}).wantStatus(303)
	f.mod.get(page).contains("avstängd", "Häv avstängningen")
	f.mod.postForm("/mod/members/cia/frobnicate", url.Values{}).wantStatus(404)
	f.mod.postForm(fmt.Sprintf("/mod/posts/%d/delete", f.post.ID), url.Values{"reason": {"spam"}}).wantStatus(303)
	var deleted *time.Time
	if err := f.a.db.Get(&deleted, `SELECT deleted_at FROM posts WHERE id = ?`, f.post.ID); err != nil || deleted == nil {
		t.Errorf("post not deleted: %v", err)
	}
}

func TestPersonalNumberGuard(t *testing.T) {
	f := modApp(t)
	pnrText := "Brukaren 19811218-9876 behöver hjälp med sin ansökan"
	// The preview button warns, as the live preview does.
	f.bea.get("/new")
	f.bea.postForm("/new", url.Values{"title": {"Ett ärende"}, "kind": {"discussion"}, "category_id": {"1"}, "body": {pnrText},
		"preview": {"1"}}).wantStatus(200).contains("Innehåller texten ett personnummer?")
	f.bea.postForm("/new", url.Values{"title": {"Ett ärende"}, "kind": {"discussion"}, "category_id": {"1"}, "body": {"Inget nummer"},
		"preview": {"1"}}).wantStatus(200).lacks("Innehåller texten ett personnummer?")
	// The composer stops and offers "Publicera ändå".
	r := f.bea.postForm("/new", url.Values{"title": {"Ett ärende"}, "kind": {"discussion"}, "category_id": {"1"}, "body": {pnrText}}).wantStatus(409)
	r.contains("personnummer", "Publicera ändå", `name="any_personal_number"`, pnrText)
	if countRows(t, f.a, "topics") != 1 {
		t.Fatal("the topic was posted before she confirmed")
	}
	r = f.bea.postForm("/new", url.Values{"title": {"Ett ärende"}, "kind": {"discussion"}, "category_id": {"1"}, "body": {pnrText},
		"any_personal_number": {"1"}}).wantStatus(303)
	// The post is reported by the system, once.
	var n int
	if err := f.a.db.Get(&n, `SELECT COUNT(*) FROM reports WHERE by_system = TRUE AND reason = 'personal_data' AND status = 'open'`); err != nil || n != 1 {
		t.Fatalf("system reports: %d %v", n, err)
	}
	f.mod.get("/mod/reports").contains("Automatisk kontroll", "Personuppgifter om en brukare eller patient")

	// Reply and edit forms stop the same way.
	reply := fmt.Sprintf("/t/%d/reply", f.topic.ID)
	f.bea.get(reply)
	f.bea.postForm(reply, url.Values{"body": {"Samordningsnummer 701063-2391 gäller"}}).wantStatus(409).contains("Publicera ändå")
	f.bea.postForm(reply, url.Values{"body": {"Ärendenummer 2024-1234 gäller"}}).wantStatus(303)
	own := mustReply(t, f.a, f.beaM, f.topic.ID, "Ett helt vanligt svar", 0)
	edit := fmt.Sprintf("/p/%d/edit", own.ID)
	f.bea.get(edit)
	f.bea.postForm(edit, url.Values{"body": {"Nu med 8112189876"}, "version": {"1"}}).wantStatus(409).contains("Publicera ändå")
	f.bea.postForm(edit, url.Values{"body": {"Nu med 8112189876"}, "version": {"1"}, "any_personal_number": {"1"}}).wantStatus(303)
	if err := f.a.db.Get(&n, `SELECT COUNT(*) FROM reports WHERE by_system = TRUE AND post_id = ?`, own.ID); err != nil || n != 1 {
		t.Errorf("edited post not reported: %d %v", n, err)
	}

	// The API posts and warns; the preview warns.
	j := f.bea.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", f.topic.ID), map[string]any{"body": "Hon har 121212-1212"}).wantStatus(201).json()
	if j["personal_number_warning"] != true {
		t.Errorf("no warning: %v", j)
	}
	j = f.bea.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", f.topic.ID), map[string]any{"body": "Inget nummer här"}).wantStatus(201).json()
	if j["personal_number_warning"] != false {
		t.Errorf("a warning without a number: %v", j)
	}
	j = f.bea.api("POST", "/api/v1/preview", map[string]any{"body": "Se 811218-9876"}).wantStatus(200).json()
	if j["personal_number_warning"] != true {
		t.Errorf("preview: %v", j)
	}
	j = f.bea.api("POST", "/api/v1/topics", map[string]any{"category_id": 1, "title": "Fråga", "body": "Klient 811218-9876"}).wantStatus(201).json()
	if j["personal_number_warning"] != true {
		t.Errorf("new topic: %v", j)
	}
}

// Object access: what belongs to another, or to moderators, is refused.
func TestObjectAccess(t *testing.T) {
	f := modApp(t)
	theirs := fmt.Sprintf("/p/%d", f.post.ID)
	f.bea.get(theirs + "/edit").wantStatus(403)
	f.bea.postForm(theirs+"/edit", url.Values{"body": {"Kapat"}, "version": {"1"}}).wantStatus(403)
	f.bea.postForm(theirs+"/delete", url.Values{}).wantStatus(403)
	f.bea.api("PATCH", "/api/v1"+strings.Replace(theirs, "/p/", "/posts/", 1), map[string]any{"body": "Kapat", "version": 1}).wantStatus(403)
	f.bea.api("DELETE", "/api/v1"+strings.Replace(theirs, "/p/", "/posts/", 1), nil).wantStatus(403)
	f.bea.api("DELETE", "/api/v1/me/tokens/1", nil).wantStatus(404)
	f.bea.get(fmt.Sprintf("/mod/posts/%d", f.post.ID)).wantStatus(403)
	f.bea.postForm(fmt.Sprintf("/mod/posts/%d/hide", f.post.ID), url.Values{"reason": {"spam"}}).wantStatus(403)
	f.bea.api("POST", fmt.Sprintf("/api/v1/posts/%d/hide", f.post.ID), map[string]any{"reason": "spam"}).wantStatus(403)
	f.bea.get("/admin/audit").wantStatus(403)
	if countRows(t, f.a, "audit_log") != 0 {
		t.Error("a refused action wrote to the audit log")
	}
}

// Reports are limited per IP too: many members behind one address
// cannot flood the queue.
func TestReportingIsRateLimitedPerIP(t *testing.T) {
	f := modApp(t, withRateLimits)
	var clients []*testClient
	for i := 0; i < 5; i++ {
		name := fmt.Sprintf("rep%d", i)
		mustCreateMember(t, f.a, name, forum.RoleMember, forum.StatusApproved)
		clients = append(clients, clientFor(t, f.a, name))
	}
	limited := false
	for i := 0; i < 40 && !limited; i++ {
		p := mustReply(t, f.a, f.ciaM, f.topic.ID, fmt.Sprintf("Svar %d", i), 0)
		c := clients[i%len(clients)] // 8 each: under the limit per member
		r := c.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", p.ID), map[string]any{"reason": "spam"})
		limited = r.Code == 429
		if !limited {
			r.wantStatus(201)
		}
	}
	if !limited {
		t.Fatal("40 reports from one IP were not limited")
	}
	// Another address is not held back.
	other := clientFor(t, f.a, "bea")
	other.IP = "198.51.100.7"
	p := mustReply(t, f.a, f.ciaM, f.topic.ID, "Ett till svar", 0)
	other.api("POST", fmt.Sprintf("/api/v1/posts/%d/reports", p.ID), map[string]any{"reason": "spam"}).wantStatus(201)
}
