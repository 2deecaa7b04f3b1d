package main

// HTTP tests of unread marks, following, notifications and bookmarks
// (issue #4).

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kliv/forum"
	"kliv/i18n"
)

// rdTopic starts a topic through the store and returns it with its first
// post.
func rdTopic(t testing.TB, a *app, author *forum.Member, catID int64, title string) (*forum.Topic, *forum.Post) {
	t.Helper()
	tp, p, err := a.store.CreateTopic(context.Background(), author, forum.NewTopic{CategoryID: catID, Title: title, Body: "Hur gör ni med " + title + "?"})
	if err != nil {
		t.Fatalf("create topic: %v", err)
	}
	return tp, p
}

// rdReply replies through the store.
func rdReply(t testing.TB, a *app, author *forum.Member, topicID int64, body string, replyTo int64) *forum.Post {
	t.Helper()
	p, err := a.store.CreatePost(context.Background(), author, topicID, forum.NewPost{Body: body, ReplyTo: replyTo})
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	return p
}

// rdNum reads a JSON number.
func rdNum(t testing.TB, v any) int64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("not a number: %#v", v)
	}
	return int64(f)
}

// rdList reads a JSON list of objects from an answer.
func rdList(t testing.TB, j map[string]any, key string) []map[string]any {
	t.Helper()
	raw, ok := j[key].([]any)
	if !ok {
		t.Fatalf("%s is not a list: %#v", key, j[key])
	}
	out := make([]map[string]any, len(raw))
	for i, v := range raw {
		out[i] = v.(map[string]any)
	}
	return out
}

func TestReadersUnreadInLists(t *testing.T) {
	a := newTestApp(t)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	bea := clientFor(t, a, "bea")
	tp, first := rdTopic(t, a, anna, 1, "Sjukfrånvaro")
	other, _ := rdTopic(t, a, anna, 2, "Bemanning")
	path := "/t/" + strconv.FormatInt(tp.ID, 10)

	// Never opened: "Ny", linked to its first page.
	home := bea.get("/").wantStatus(http.StatusOK)
	home.contains(`<span class="badge unread-new">Ny</span>`, `href="`+path+`"`, "Markera alla som lästa")
	// Reading it marks it read; each post card carries its s<seq> anchor.
	bea.get(path).wantStatus(http.StatusOK).contains(`id="s1"`)
	if u, _ := a.store.TopicUnread(context.Background(), viewerID(t, a, "bea"), tp.ID); u.Count != 0 {
		t.Fatalf("after reading: %+v", u)
	}

	// Two replies by anna: "2 olästa", linked to the first unread post.
	rdReply(t, a, anna, tp.ID, "Två.", first.ID)
	rdReply(t, a, anna, tp.ID, "Tre.", 0)
	want := path + "?page=1#s2"
	bea.get("/").contains("2 olästa", `href="`+want+`"`)
	bea.get("/c/ledarskap").contains("2 olästa", `href="`+want+`"`)
	j := bea.api("GET", "/api/v1/topics", nil).wantStatus(http.StatusOK).json()
	for _, tj := range rdList(t, j, "topics") {
		if rdNum(t, tj["id"]) == tp.ID && (rdNum(t, tj["unread"]) != 2 || tj["new"] != false) {
			t.Fatalf("API topic unread: %v", tj)
		}
		if rdNum(t, tj["id"]) == other.ID && (rdNum(t, tj["unread"]) != 1 || tj["new"] != true) {
			t.Fatalf("API other topic: %v", tj)
		}
	}
	// The topic page marks where the unread posts begin.
	bea.get(path).contains(`id="s2"`, `id="s3"`, "Olästa inlägg från och med här")
	bea.get("/").lacks("2 olästa")

	// Reading through the API marks read too.
	rdReply(t, a, anna, tp.ID, "Fyra.", 0)
	bea.get("/").contains("1 oläst")
	bea.api("GET", "/api/v1/topics/"+strconv.FormatInt(tp.ID, 10), nil).wantStatus(http.StatusOK)
	bea.get("/").lacks("1 oläst")

	// A long topic sends her to the right page.
	for i := 0; i < forum.PageSize; i++ {
		rdReply(t, a, anna, tp.ID, fmt.Sprintf("Svar %d.", i), 0)
	}
	bea.get("/").contains(fmt.Sprintf(`href="%s?page=1#s5"`, path))
	bea.get(path + "?page=2").wantStatus(http.StatusOK).contains(fmt.Sprintf(`id="s%d"`, forum.PageSize+1))
	if u, _ := a.store.TopicUnread(context.Background(), viewerID(t, a, "bea"), tp.ID); u.Count != 0 {
		t.Fatalf("after page 2: %+v", u)
	}
	rdReply(t, a, anna, tp.ID, "Sist.", 0)
	bea.get("/").contains(fmt.Sprintf(`href="%s?page=2#s%d"`, path, forum.PageSize+5))

	// Mark one category read: the other stays new.
	bea.postForm("/c/ledarskap/read-all", nil).wantStatus(http.StatusSeeOther)
	home = bea.get("/")
	home.lacks(fmt.Sprintf("#s%d", forum.PageSize+5)).contains(`<span class="badge unread-new">Ny</span>`, "Alla ämnen i kategorin är markerade som lästa.")
	if !strings.Contains(home.Body, `href="/t/`+strconv.FormatInt(other.ID, 10)+`"`) {
		t.Fatal("the other topic is gone")
	}
	// Mark everything read (form), then by API a category.
	bea.postForm("/read-all", url.Values{"next": {"/"}}).wantStatus(http.StatusSeeOther)
	bea.get("/").lacks("badge unread-new", "oläst")
	rdReply(t, a, anna, other.ID, "Nytt.", 0)
	bea.get("/").contains("badge unread-new")
	bea.api("POST", "/api/v1/read-all", map[string]any{"category_id": 2}).wantStatus(http.StatusNoContent)
	bea.get("/").lacks("badge unread-new")
	bea.api("POST", "/api/v1/read-all", map[string]any{"category_id": 999}).wantStatus(http.StatusNotFound)
	bea.api("POST", "/api/v1/categories/2/read-all", nil).wantStatus(http.StatusNoContent)
	bea.api("POST", "/api/v1/read-all", nil).wantStatus(http.StatusNoContent)
}

func viewerID(t testing.TB, a *app, username string) int64 {
	t.Helper()
	m, err := a.store.MemberByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func TestReadersFollow(t *testing.T) {
	a := newTestApp(t)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	bea := mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "pia", forum.RoleMember, forum.StatusPending)
	tp, _ := rdTopic(t, a, anna, 1, "Rekrytering")
	id := strconv.FormatInt(tp.ID, 10)
	follow := "/api/v1/topics/" + id + "/follow"

	// Who may: anonymous 401, applicant 403.
	anon := newTestClient(t, a)
	anon.api("POST", follow, nil).wantStatus(http.StatusUnauthorized)
	anon.api("GET", "/api/v1/notifications", nil).wantStatus(http.StatusUnauthorized)
	anon.api("GET", "/api/v1/bookmarks", nil).wantStatus(http.StatusUnauthorized)
	anon.get("/notifications").wantStatus(http.StatusSeeOther)
	pia := clientFor(t, a, "pia")
	pia.api("POST", follow, nil).wantStatus(http.StatusForbidden)
	pia.api("GET", "/api/v1/notifications", nil).wantStatus(http.StatusForbidden)
	pia.api("POST", "/api/v1/posts/1/bookmark", map[string]any{}).wantStatus(http.StatusForbidden)
	pia.api("GET", "/api/v1/following", nil).wantStatus(http.StatusForbidden)

	c := clientFor(t, a, "bea")
	c.api("POST", "/api/v1/topics/9999/follow", nil).wantStatus(http.StatusNotFound)
	c.api("POST", follow, nil).wantStatus(http.StatusNoContent)
	if lv, _ := a.store.TopicFollow(context.Background(), bea.ID, tp.ID); lv != forum.FollowWatching {
		t.Fatalf("after POST follow: %q", lv)
	}
	j := c.api("GET", "/api/v1/following", nil).wantStatus(http.StatusOK).json()
	if ts := rdList(t, j, "topics"); len(ts) != 1 || rdNum(t, ts[0]["id"]) != tp.ID || ts[0]["url"] != "/t/"+id {
		t.Fatalf("following: %v", j)
	}
	if j["next_page"] != nil {
		t.Fatalf("next_page %v", j["next_page"])
	}
	c.get("/following").wantStatus(http.StatusOK).contains("Bevakade ämnen", "Rekrytering", "Sluta bevaka")
	c.get("/t/"+id).contains("Du bevakar ämnet", "Sluta bevaka")

	c.api("DELETE", follow, nil).wantStatus(http.StatusNoContent)
	if lv, _ := a.store.TopicFollow(context.Background(), bea.ID, tp.ID); lv != forum.FollowNone {
		t.Fatalf("after DELETE follow: %q", lv)
	}
	c.api("DELETE", follow, nil).wantStatus(http.StatusNoContent)
	c.api("POST", "/api/v1/topics/"+id+"/mute", nil).wantStatus(http.StatusNoContent)
	c.get("/t/" + id).contains("Du har tystat ämnet")
	j = c.api("GET", "/api/v1/following", nil).json()
	if ts := rdList(t, j, "topics"); len(ts) != 0 {
		t.Fatalf("a muted topic is listed as followed: %v", ts)
	}

	// The forms on the topic page.
	c.get("/t/" + id)
	r := c.postForm("/t/"+id+"/follow", url.Values{"level": {"watching"}, "next": {"/t/" + id}}).wantStatus(http.StatusSeeOther)
	if r.location() != "/t/"+id {
		t.Fatalf("follow form went to %q", r.location())
	}
	c.get("/t/"+id).contains("Du bevakar ämnet och får en avisering om varje nytt inlägg.", "Sluta bevaka")
	c.postForm("/t/"+id+"/follow", url.Values{"level": {"none"}}).wantStatus(http.StatusSeeOther)
	c.get("/t/" + id).contains("Bevaka för att få veta om alla nya inlägg")
	c.postForm("/t/"+id+"/follow", url.Values{"level": {"loud"}}).wantStatus(http.StatusBadRequest)
	c.postForm("/t/"+id+"/follow", url.Values{"level": {"watching"}, "csrf_token": {"wrong"}}).wantStatus(http.StatusForbidden)

	// A category: API and form.
	c.api("POST", "/api/v1/categories/2/follow", nil).wantStatus(http.StatusNoContent)
	c.api("POST", "/api/v1/categories/99/follow", nil).wantStatus(http.StatusNotFound)
	rdTopic(t, a, anna, 2, "Nytt i äldreomsorgen")
	if n := rdNotifications(t, c); len(n) != 1 || n[0]["kind"] != "new_topic" {
		t.Fatalf("category follower: %v", n)
	}
	c.get("/c/aldreomsorg").contains("Du bevakar kategorin")
	c.postForm("/c/aldreomsorg/follow", url.Values{"level": {"muted"}}).wantStatus(http.StatusSeeOther)
	c.get("/c/aldreomsorg").contains("Du har tystat kategorin")
	c.api("DELETE", "/api/v1/categories/2/mute", nil).wantStatus(http.StatusNoContent)
	c.get("/c/aldreomsorg").contains("Bevaka kategorin")
}

// rdNotifications is her notifications through the API.
func rdNotifications(t testing.TB, c *testClient) []map[string]any {
	t.Helper()
	return rdList(t, c.api("GET", "/api/v1/notifications", nil).wantStatus(http.StatusOK).json(), "notifications")
}

func TestReadersAutoFollowSetting(t *testing.T) {
	a := newTestApp(t)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	bea := mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	c := clientFor(t, a, "bea")
	t1, _ := rdTopic(t, a, anna, 1, "Ett")
	t2, _ := rdTopic(t, a, anna, 1, "Två")

	c.get("/settings/following").wantStatus(http.StatusOK).contains("Bevaka ämnen automatiskt", `name="auto_follow" value="1" aria-describedby="h-auto" checked`)
	// Off: the checkbox left empty; a category set to follow on the way.
	c.postForm("/settings/following", url.Values{"category_3": {"watching"}}).wantStatus(http.StatusSeeOther)
	c.get("/settings/following").contains("Inställningarna är sparade.").lacks(`aria-describedby="h-auto" checked`)
	if lv, _ := a.store.CategoryFollows(context.Background(), bea.ID); lv[3] != forum.FollowWatching {
		t.Fatalf("category levels %v", lv)
	}
	c.api("POST", "/api/v1/topics/"+strconv.FormatInt(t1.ID, 10)+"/posts", map[string]any{"body": "Mitt svar."}).wantStatus(http.StatusCreated)
	if lv, _ := a.store.TopicFollow(context.Background(), bea.ID, t1.ID); lv != forum.FollowNone {
		t.Fatalf("auto-follow off, yet %q", lv)
	}
	// On again, by the API.
	j := c.api("PUT", "/api/v1/following/settings", map[string]any{"auto_follow": true}).wantStatus(http.StatusOK).json()
	if j["auto_follow"] != true {
		t.Fatalf("settings: %v", j)
	}
	c.api("POST", "/api/v1/topics/"+strconv.FormatInt(t2.ID, 10)+"/posts", map[string]any{"body": "Mitt svar."}).wantStatus(http.StatusCreated)
	if lv, _ := a.store.TopicFollow(context.Background(), bea.ID, t2.ID); lv != forum.FollowWatching {
		t.Fatalf("auto-follow on, yet %q", lv)
	}
	// Now anna's replies tell her of t2 only.
	rdReply(t, a, anna, t1.ID, "Svar i ett.", 0)
	rdReply(t, a, anna, t2.ID, "Svar i två.", 0)
	ns := rdNotifications(t, c)
	if len(ns) != 1 || ns[0]["kind"] != "posted" || rdNum(t, ns[0]["topic_id"]) != t2.ID {
		t.Fatalf("notifications: %v", ns)
	}
	c.postForm("/settings/following", url.Values{"auto_follow": {"1"}, "category_3": {"sometimes"}}).wantStatus(http.StatusBadRequest)
}

func TestReadersNotifications(t *testing.T) {
	a := newTestApp(t)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	bea := mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	carl := mustCreateMember(t, a, "carl", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "dora", forum.RoleMember, forum.StatusApproved)
	ca := clientFor(t, a, "anna")
	tp, first := rdTopic(t, a, anna, 1, "Schemaläggning")

	// bea answers anna's post and mentions her and carl; carl follows.
	if err := a.store.SetTopicFollow(context.Background(), carl, tp.ID, forum.FollowWatching); err != nil {
		t.Fatal(err)
	}
	p := rdReply(t, a, bea, tp.ID, "Håller med @anna, och @carl vet mer. `@dora` inte.", first.ID)

	j := ca.api("GET", "/api/v1/notifications", nil).wantStatus(http.StatusOK).json()
	if rdNum(t, j["unread"]) != 1 || j["next_page"] != nil {
		t.Fatalf("answer: %v", j)
	}
	ns := rdList(t, j, "notifications")
	if len(ns) != 1 {
		t.Fatalf("anna's notifications: %v", ns)
	}
	n := ns[0]
	for _, k := range []string{"id", "kind", "topic_id", "post_id", "read", "created_at", "actor", "text", "url"} {
		if _, ok := n[k]; !ok {
			t.Errorf("notification lacks %q: %v", k, n)
		}
	}
	if n["kind"] != "mention" || rdNum(t, n["post_id"]) != p.ID || rdNum(t, n["topic_id"]) != tp.ID || n["read"] != false ||
		n["actor"] != "bea" || n["text"] != "Test bea nämnde dig i ”Schemaläggning”" || n["url"] != fmt.Sprintf("/t/%d?page=1#s2", tp.ID) {
		t.Fatalf("notification: %v", n)
	}
	if _, err := time.Parse(time.RFC3339, n["created_at"].(string)); err != nil {
		t.Fatalf("created_at: %v", n["created_at"])
	}
	if ns := rdNotifications(t, clientFor(t, a, "carl")); len(ns) != 1 || ns[0]["kind"] != "mention" {
		t.Fatalf("carl (mentioned and following): %v", ns)
	}
	if ns := rdNotifications(t, clientFor(t, a, "dora")); len(ns) != 0 {
		t.Fatalf("dora, mentioned in code: %v", ns)
	}

	// The header count, the page, and opening one.
	ca.get("/rules").contains(`<span class="visually-hidden">(</span>1<span class="visually-hidden"> olästa)</span>`)
	page := ca.get("/notifications").wantStatus(http.StatusOK)
	page.contains("Test bea nämnde dig i ”Schemaläggning”", "Markera alla som lästa", fmt.Sprintf(`href="/notifications/%d"`, rdNum(t, n["id"])))
	cc := clientFor(t, a, "carl")
	cc.get(fmt.Sprintf("/notifications/%d", rdNum(t, n["id"]))).wantStatus(http.StatusNotFound)
	r := ca.get(fmt.Sprintf("/notifications/%d", rdNum(t, n["id"]))).wantStatus(http.StatusSeeOther)
	if r.location() != n["url"] {
		t.Fatalf("opened to %q", r.location())
	}
	if j := ca.api("GET", "/api/v1/notifications", nil).json(); rdNum(t, j["unread"]) != 0 || rdList(t, j, "notifications")[0]["read"] != true {
		t.Fatalf("after opening: %v", j)
	}
	ca.get("/rules").lacks(`<span class="count" aria-label=`)

	// Thanks, grouped: one row, the text names the latest and counts.
	for _, name := range []string{"bea", "carl", "dora"} {
		clientFor(t, a, name).api("POST", fmt.Sprintf("/api/v1/posts/%d/reactions", first.ID), map[string]any{}).wantStatus(http.StatusCreated)
	}
	ns = rdNotifications(t, ca)
	if len(ns) != 2 || ns[0]["kind"] != "thanks" || ns[0]["text"] != "Test dora och 2 andra tackade för ditt inlägg i ”Schemaläggning”" ||
		rdNum(t, ns[0]["count"]) != 3 || fmt.Sprint(ns[0]["actors"]) != "[dora carl bea]" {
		t.Fatalf("thanks: %v", ns)
	}

	// Reading a post on the topic page marks its notification read;
	// thanks stay.
	cc.get(fmt.Sprintf("/t/%d", tp.ID))
	if j := cc.api("GET", "/api/v1/notifications", nil).json(); rdNum(t, j["unread"]) != 0 {
		t.Fatalf("carl read the post, yet %v", j)
	}

	// One by API, then all.
	rdReply(t, a, bea, tp.ID, "Ett till.", first.ID)
	ns = rdNotifications(t, ca)
	id := rdNum(t, ns[0]["id"])
	if j := ca.api("POST", fmt.Sprintf("/api/v1/notifications/%d/read", id), nil).wantStatus(http.StatusOK).json(); rdNum(t, j["unread"]) != 1 {
		t.Fatalf("read one: %v", j)
	}
	clientFor(t, a, "bea").api("POST", fmt.Sprintf("/api/v1/notifications/%d/read", id), nil).wantStatus(http.StatusNotFound)
	if j := ca.api("POST", "/api/v1/notifications/read-all", nil).wantStatus(http.StatusOK).json(); rdNum(t, j["unread"]) != 0 {
		t.Fatalf("read all: %v", j)
	}
	rdReply(t, a, bea, tp.ID, "Och ett till.", first.ID)
	ca.get("/notifications")
	ca.postForm("/notifications/read-all", nil).wantStatus(http.StatusSeeOther)
	if j := ca.api("GET", "/api/v1/notifications", nil).json(); rdNum(t, j["unread"]) != 0 {
		t.Fatalf("form read-all: %v", j)
	}
}

func TestReadersNotificationsPaged(t *testing.T) {
	a := newTestApp(t)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	bea := mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	tp, first := rdTopic(t, a, anna, 1, "Många svar")
	for i := 0; i < 35; i++ {
		rdReply(t, a, bea, tp.ID, fmt.Sprintf("Svar %d.", i), first.ID)
	}
	c := clientFor(t, a, "anna")
	seen := map[int64]bool{}
	next := ""
	for pages := 0; pages < 5; pages++ {
		path := "/api/v1/notifications"
		if next != "" {
			path += "?page=" + url.QueryEscape(next)
		}
		j := c.api("GET", path, nil).wantStatus(http.StatusOK).json()
		for _, n := range rdList(t, j, "notifications") {
			seen[rdNum(t, n["id"])] = true
		}
		if j["next_page"] == nil {
			break
		}
		next = j["next_page"].(string)
	}
	if len(seen) != 35 {
		t.Fatalf("walked %d notifications, want 35", len(seen))
	}
	c.get("/notifications").contains(`rel="next"`, "Äldre")
	c.api("GET", "/api/v1/notifications?page=nonsense", nil).wantStatus(http.StatusBadRequest)
}

func TestReadersBookmarks(t *testing.T) {
	a := newTestApp(t)
	clock := useTestClock(a)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	clock.Add(time.Minute)
	tp, first := rdTopic(t, a, anna, 1, "Lönesättning")
	clock.Add(time.Minute)
	p := rdReply(t, a, anna, tp.ID, "Vi använder **lönekartläggning**.", first.ID)
	c := clientFor(t, a, "bea")
	pid := strconv.FormatInt(p.ID, 10)

	// The post card offers it; the form saves it.
	c.get(fmt.Sprintf("/t/%d", tp.ID)).contains(`href="/p/`+pid+`/bookmark"`, "Bokmärk")
	c.get("/p/"+pid+"/bookmark").wantStatus(http.StatusOK).contains("Bokmärk inlägget", "lönekartläggning", `type="datetime-local"`)
	past := clock.Now().Add(-time.Hour).In(i18n.Stockholm).Format("2006-01-02T15:04")
	c.postForm("/p/"+pid+"/bookmark", url.Values{"note": {"Till ledningsgruppen"}, "remind_at": {past}}).
		wantStatus(http.StatusBadRequest).contains("Välj en tidpunkt som inte har passerat.", "Till ledningsgruppen")
	c.postForm("/p/"+pid+"/bookmark", url.Values{"remind_at": {"i morgon"}}).wantStatus(http.StatusBadRequest).contains("Skriv datum och tid")
	remind := clock.Now().Add(24 * time.Hour).In(i18n.Stockholm)
	r := c.postForm("/p/"+pid+"/bookmark", url.Values{"note": {"Till ledningsgruppen"}, "remind_at": {remind.Format("2006-01-02T15:04")},
		"next": {fmt.Sprintf("/t/%d?page=1#s2", tp.ID)}}).wantStatus(http.StatusSeeOther)
	if r.location() != fmt.Sprintf("/t/%d?page=1#s2", tp.ID) {
		t.Fatalf("saved, then to %q", r.location())
	}
	c.get(fmt.Sprintf("/t/%d", tp.ID)).contains("Bokmärkt")
	c.get("/bookmarks").wantStatus(http.StatusOK).contains("Lönesättning", "Till ledningsgruppen", "Påminnelse", "lönekartläggning")
	c.get("/p/"+pid+"/bookmark").contains(`value="`+remind.Format("2006-01-02T15:04")+`"`, "Ta bort bokmärket")

	// The API: list, save again (200), another (201), remove (204).
	j := c.api("GET", "/api/v1/bookmarks", nil).wantStatus(http.StatusOK).json()
	bs := rdList(t, j, "bookmarks")
	if len(bs) != 1 || rdNum(t, bs[0]["post_id"]) != p.ID || bs[0]["note"] != "Till ledningsgruppen" || bs[0]["remind_at"] == nil || j["next_page"] != nil {
		t.Fatalf("bookmarks: %v", j)
	}
	if at, err := time.Parse(time.RFC3339, bs[0]["remind_at"].(string)); err != nil || !at.Equal(remind.Truncate(time.Minute)) {
		t.Fatalf("remind_at %v, want %v (%v)", bs[0]["remind_at"], remind, err)
	}
	c.api("POST", "/api/v1/posts/"+pid+"/bookmark", map[string]any{"note": "Ändrad", "remind_at": clock.Now().Add(time.Hour).Format(time.RFC3339)}).wantStatus(http.StatusOK)
	fid := strconv.FormatInt(first.ID, 10)
	b := c.api("POST", "/api/v1/posts/"+fid+"/bookmark", map[string]any{}).wantStatus(http.StatusCreated).json()
	if rdNum(t, b["post_id"]) != first.ID || b["remind_at"] != nil || b["url"] != fmt.Sprintf("/t/%d?page=1#s1", tp.ID) {
		t.Fatalf("new bookmark: %v", b)
	}
	c.api("POST", "/api/v1/posts/"+fid+"/bookmark", map[string]any{"remind_at": "2001-01-01T10:00:00Z"}).wantStatus(http.StatusBadRequest)
	c.api("POST", "/api/v1/posts/9999/bookmark", map[string]any{}).wantStatus(http.StatusNotFound)
	c.api("DELETE", "/api/v1/posts/"+fid+"/bookmark", nil).wantStatus(http.StatusNoContent)
	if bs := rdList(t, c.api("GET", "/api/v1/bookmarks", nil).json(), "bookmarks"); len(bs) != 1 {
		t.Fatalf("after removing: %v", bs)
	}

	// The reminder comes due: the chores make a notification.
	a.chores(context.Background())
	if ns := rdNotifications(t, c); len(ns) != 0 {
		t.Fatalf("early reminder: %v", ns)
	}
	clock.Add(2 * time.Hour)
	a.chores(context.Background())
	ns := rdNotifications(t, c)
	if len(ns) != 1 || ns[0]["kind"] != "reminder" || rdNum(t, ns[0]["post_id"]) != p.ID || ns[0]["note"] != "Ändrad" ||
		ns[0]["text"] != "Påminnelse om ditt bokmärke i ”Lönesättning”" {
		t.Fatalf("reminder: %v", ns)
	}
	c.get("/notifications").contains("Påminnelse om ditt bokmärke", "Ändrad")
	c.get("/bookmarks").contains("Påminnelsen är skickad.")

	// Removing by form.
	c.postForm("/p/"+pid+"/bookmark/delete", url.Values{"next": {"/bookmarks"}}).wantStatus(http.StatusSeeOther)
	c.get("/bookmarks").contains("Bokmärket är borttaget.", "Du har inga bokmärken än.")
}

func TestReadersJoinDecision(t *testing.T) {
	a := newTestApp(t)
	mod := mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	jr := mustApply(t, a, "nina", "")
	mustApprove(t, a, mod, jr.ID)
	ns := rdNotifications(t, clientFor(t, a, "nina"))
	if len(ns) != 1 || ns[0]["kind"] != "join_decision" || ns[0]["status"] != "approved" || ns[0]["actor"] != nil ||
		ns[0]["text"] != "Välkommen! Din medlemsansökan är godkänd." || ns[0]["url"] != "/" {
		t.Fatalf("join decision: %v", ns)
	}
	// A rejected applicant's is recorded (for mail); she reads no forum.
	jr2 := mustApply(t, a, "rut", "")
	if _, err := a.mod.Reject(context.Background(), mod, jr2.ID, "incomplete"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := a.db.Get(&n, `SELECT COUNT(*) FROM notifications WHERE kind = 'join_decision' AND member_id = ?`, jr2.MemberID); err != nil || n != 1 {
		t.Fatalf("rejected applicant's notification: %d %v", n, err)
	}
}

// Every page of ours renders in both languages with one h1 and no raw
// catalog key, with a notification of every kind to show.
func TestReadersPagesBothLanguages(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	clock := useTestClock(a)
	mod := mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	anna := mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	clock.Add(time.Minute)
	jr := mustApply(t, a, "bea", "")
	mustApprove(t, a, mod, jr.ID)
	bea := viewerID(t, a, "bea")
	beaM, _ := a.store.Member(ctx, bea)
	clock.Add(time.Minute)
	_ = a.store.SetCategoryFollow(ctx, beaM, 1, forum.FollowWatching)
	_ = a.store.SetCategoryFollow(ctx, beaM, 2, forum.FollowMuted)
	q, _, err := a.store.CreateTopic(ctx, anna, forum.NewTopic{CategoryID: 1, Kind: forum.KindQuestion, Title: "En fråga", Body: "Hur?"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Minute)
	bp := rdReply(t, a, beaM, q.ID, "Så här.", 0)
	clock.Add(time.Minute)
	rdReply(t, a, anna, q.ID, "Tack @bea!", bp.ID)
	clock.Add(time.Minute)
	rdReply(t, a, anna, q.ID, "Ett till.", 0)
	if err := a.store.MarkAnswer(ctx, anna, q.ID, bp.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.store.Thank(ctx, anna, bp.ID); err != nil {
		t.Fatal(err)
	}
	other, _ := rdTopic(t, a, anna, 1, "Ännu ett")
	rdReply(t, a, mod, other.ID, "Hej.", 0)
	_ = a.store.SetTopicFollow(ctx, beaM, other.ID, forum.FollowWatching)
	clock.Add(time.Minute)
	rdReply(t, a, mod, other.ID, "Hej igen.", 0)
	_ = a.store.SetTopicFollow(ctx, beaM, q.ID, forum.FollowMuted)
	at := clock.Now().Add(time.Hour)
	if _, _, err := a.store.SaveBookmark(ctx, beaM, bp.ID, forum.BookmarkInput{Note: "Minnesanteckning", RemindAt: &at}); err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * time.Hour)
	if _, err := a.store.SendDueReminders(ctx); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	if err := a.db.Select(&kinds, `SELECT DISTINCT kind FROM notifications WHERE member_id = ? ORDER BY kind`, bea); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(kinds, ","); got != "answer,join_decision,mention,new_topic,posted,reminder,thanks" {
		t.Fatalf("kinds to show: %s", got)
	}

	keyRE := keyShapeRE([]string{"bookmark", "follow", "following", "notif", "readers", "unread", "field", "hint", "error"})
	for _, lang := range []string{"sv", "en"} {
		c := clientFor(t, a, "bea")
		c.Lang = lang
		c.cookies[langCookie] = &http.Cookie{Name: langCookie, Value: lang}
		for _, path := range []string{"/notifications", "/following", "/bookmarks", "/settings/following",
			fmt.Sprintf("/p/%d/bookmark", bp.ID), fmt.Sprintf("/t/%d", q.ID), fmt.Sprintf("/t/%d", other.ID), "/", "/c/ledarskap", "/c/aldreomsorg"} {
			r := c.get(path).wantStatus(http.StatusOK)
			if !strings.Contains(r.Body, `<html lang="`+lang+`">`) {
				t.Errorf("%s: not in %s", path, lang)
			}
			for _, m := range keyRE.FindAllStringSubmatch(r.Body, -1) {
				t.Errorf("%s (%s): raw key %q", path, lang, m[1])
			}
			if n := strings.Count(r.Body, "<h1"); n != 1 {
				t.Errorf("%s: %d h1", path, n)
			}
		}
		r := c.postForm(fmt.Sprintf("/p/%d/bookmark", bp.ID), url.Values{"remind_at": {"2001-01-01T10:00"}}).wantStatus(http.StatusBadRequest)
		for _, m := range keyRE.FindAllStringSubmatch(r.Body, -1) {
			t.Errorf("bookmark form error (%s): raw key %q", lang, m[1])
		}
		for _, n := range rdNotifications(t, c) {
			if s, _ := n["text"].(string); s == "" || strings.Contains(s, "notif.") || strings.Contains(s, "%!") {
				t.Errorf("%s text %q", n["kind"], s)
			}
		}
	}
}
