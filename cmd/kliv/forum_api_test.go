package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

// The migration seeds ten categories; tests post in the first two.
const (
	catLedarskap   int64 = 1
	catAldreomsorg int64 = 2
)

// forumApp is a test app with two members, anna and bea, signed in.
func forumApp(t *testing.T) (*app, *testClient, *testClient) {
	t.Helper()
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	return a, clientFor(t, a, "anna"), clientFor(t, a, "bea")
}

// member returns the account of username.
func member(t testing.TB, a *app, username string) *forum.Member {
	t.Helper()
	m, err := a.store.MemberByUsername(context.Background(), username)
	if err != nil {
		t.Fatalf("member %s: %v", username, err)
	}
	return m
}

// mustTopic starts a topic through the store.
func mustTopic(t testing.TB, a *app, author *forum.Member, n forum.NewTopic) *forum.Topic {
	t.Helper()
	if n.CategoryID == 0 {
		n.CategoryID = catLedarskap
	}
	if n.Body == "" {
		n.Body = "Första inlägget i " + n.Title
	}
	tp, _, err := a.store.CreateTopic(context.Background(), author, n)
	if err != nil {
		t.Fatalf("create topic %q: %v", n.Title, err)
	}
	return tp
}

// mustReply adds a reply through the store.
func mustReply(t testing.TB, a *app, author *forum.Member, topicID int64, body string, replyTo int64) *forum.Post {
	t.Helper()
	p, err := a.store.CreatePost(context.Background(), author, topicID, forum.NewPost{Body: body, ReplyTo: replyTo})
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	return p
}

// num reads a JSON number as int64.
func num(t testing.TB, v any) int64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("not a number: %#v", v)
	}
	return int64(f)
}

func wantRFC3339(t testing.TB, what string, v any) {
	t.Helper()
	s, _ := v.(string)
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		t.Errorf("%s: %q is not RFC 3339", what, v)
	}
}

func TestForumAPIAccess(t *testing.T) {
	a := newTestApp(t)
	mustApply(t, a, "sara", "")
	anon := newTestClient(t, a)
	anon.api("GET", "/api/v1/categories", nil).wantStatus(http.StatusUnauthorized)
	anon.api("GET", "/api/v1/topics", nil).wantStatus(http.StatusUnauthorized)
	anon.api("POST", "/api/v1/topics", map[string]any{}).wantStatus(http.StatusUnauthorized)

	applicant := clientFor(t, a, "sara")
	for _, path := range []string{"/api/v1/categories", "/api/v1/topics", "/api/v1/topics/1"} {
		applicant.api("GET", path, nil).wantStatus(http.StatusForbidden)
	}
	applicant.api("POST", "/api/v1/topics", map[string]any{"category_id": catLedarskap, "title": "Hej", "body": "Text"}).
		wantStatus(http.StatusForbidden)
	applicant.api("POST", "/api/v1/preview", map[string]any{"body": "x"}).wantStatus(http.StatusForbidden)
	if n := countRows(t, a, "topics"); n != 0 {
		t.Fatalf("an applicant wrote %d topics", n)
	}
	// The pages send her to her status page; a visitor to sign in.
	if r := applicant.get("/t/1"); r.Code != http.StatusSeeOther || r.location() != "/" {
		t.Fatalf("applicant /t/1: %d %s", r.Code, r.location())
	}
	applicant.get("/").wantStatus(http.StatusOK).contains("Din medlemsansökan").lacks("Äldre ämnen", "Nytt ämne</a>")
	if r := anon.get("/categories"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
		t.Fatalf("visitor /categories: %d %s", r.Code, r.location())
	}
}

func TestForumAPICategoriesAndTopics(t *testing.T) {
	_, anna, bea := forumApp(t)

	cats := anna.api("GET", "/api/v1/categories", nil).wantStatus(http.StatusOK).json()["categories"].([]any)
	if len(cats) != 10 {
		t.Fatalf("%d categories", len(cats))
	}
	c0 := cats[0].(map[string]any)
	for _, k := range []string{"id", "slug", "name", "description", "topic_count", "post_count", "archived"} {
		if _, ok := c0[k]; !ok {
			t.Errorf("category lacks %q: %v", k, c0)
		}
	}
	if c0["slug"] != "ledarskap" || c0["archived"] != false {
		t.Errorf("first category: %v", c0)
	}

	// Each of the four kinds.
	ids := map[string]int64{}
	for _, kind := range forum.Kinds {
		in := map[string]any{"category_id": catAldreomsorg, "title": "Ett ämne: " + kind, "body": "Text om **" + kind + "**", "kind": kind}
		if kind == forum.KindLink {
			in["url"] = "https://www.socialstyrelsen.se/rapport"
		}
		j := anna.api("POST", "/api/v1/topics", in).wantStatus(http.StatusCreated).json()
		id := num(t, j["id"])
		if j["url"] != fmt.Sprintf("/t/%d", id) || num(t, j["post_id"]) <= 0 {
			t.Fatalf("create %s: %v", kind, j)
		}
		ids[kind] = id
	}

	list := bea.api("GET", fmt.Sprintf("/api/v1/topics?category_id=%d", catAldreomsorg), nil).wantStatus(http.StatusOK).json()
	topics := list["topics"].([]any)
	if len(topics) != 4 || list["next_page"] != nil {
		t.Fatalf("list: %v", list)
	}
	first := topics[0].(map[string]any) // the newest: the link
	for _, k := range []string{"id", "title", "kind", "author", "reply_count", "last_post_at", "url", "category_id", "created_at"} {
		if _, ok := first[k]; !ok {
			t.Errorf("topic lacks %q: %v", k, first)
		}
	}
	if first["kind"] != "link" || first["domain"] != "socialstyrelsen.se" || first["author"] != "anna" || first["url"] != fmt.Sprintf("/t/%d", ids["link"]) {
		t.Errorf("link topic: %v", first)
	}
	wantRFC3339(t, "last_post_at", first["last_post_at"])
	if other := bea.api("GET", fmt.Sprintf("/api/v1/topics?category_id=%d", catLedarskap), nil).json()["topics"].([]any); len(other) != 0 {
		t.Errorf("category filter: %v", other)
	}
	bea.api("GET", "/api/v1/topics?category_id=999", nil).wantStatus(http.StatusNotFound)
	if q := bea.api("GET", "/api/v1/topics?kind=question", nil).json()["topics"].([]any); len(q) != 1 {
		t.Errorf("kind filter: %v", q)
	}

	// A reply through the API, and the topic with its posts.
	q := ids["question"]
	rj := bea.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", q), map[string]any{"body": "Så här gör vi."}).wantStatus(http.StatusCreated).json()
	reply := num(t, rj["id"])
	tj := bea.api("GET", fmt.Sprintf("/api/v1/topics/%d", q), nil).wantStatus(http.StatusOK).json()
	topic := tj["topic"].(map[string]any)
	posts := tj["posts"].([]any)
	if topic["url"] != fmt.Sprintf("/t/%d", q) || num(t, topic["reply_count"]) != 1 || len(posts) != 2 || tj["next_page"] != nil {
		t.Fatalf("topic: %v", tj)
	}
	p1 := posts[1].(map[string]any)
	for _, k := range []string{"id", "author", "body", "body_html", "reply_to", "created_at", "version", "thanks", "edited_at", "deleted"} {
		if _, ok := p1[k]; !ok {
			t.Errorf("post lacks %q: %v", k, p1)
		}
	}
	if num(t, p1["id"]) != reply || p1["author"] != "bea" || p1["body"] != "Så här gör vi." || !strings.Contains(p1["body_html"].(string), "<p>Så här gör vi.</p>") {
		t.Errorf("reply: %v", p1)
	}
	if p0 := posts[0].(map[string]any); !strings.Contains(p0["body_html"].(string), "<strong>question</strong>") {
		t.Errorf("first post html: %v", p0["body_html"])
	}
	wantRFC3339(t, "created_at", p1["created_at"])
	bea.api("GET", "/api/v1/topics/9999", nil).wantStatus(http.StatusNotFound)

	// Mark the answer: only the asker (or a moderator).
	bea.api("POST", fmt.Sprintf("/api/v1/topics/%d/answer", q), map[string]any{"post_id": reply}).wantStatus(http.StatusForbidden)
	anna.api("POST", fmt.Sprintf("/api/v1/topics/%d/answer", q), map[string]any{"post_id": reply}).wantStatus(http.StatusOK)
	if tj := anna.api("GET", fmt.Sprintf("/api/v1/topics/%d", q), nil).json(); num(t, tj["topic"].(map[string]any)["answer_post_id"]) != reply {
		t.Errorf("answer not marked: %v", tj["topic"])
	}
	anna.api("POST", fmt.Sprintf("/api/v1/topics/%d/answer", q), map[string]any{"post_id": nil}).wantStatus(http.StatusOK)
	if tj := anna.api("GET", fmt.Sprintf("/api/v1/topics/%d", q), nil).json(); tj["topic"].(map[string]any)["answer_post_id"] != nil {
		t.Errorf("answer not cleared: %v", tj["topic"])
	}
}

func TestForumAPIRefusals(t *testing.T) {
	a, anna, _ := forumApp(t)
	am := member(t, a, "anna")
	base := mustTopic(t, a, am, forum.NewTopic{Title: "Bas"})
	other := mustTopic(t, a, am, forum.NewTopic{Title: "Annat ämne", CategoryID: catAldreomsorg})
	otherPost := *other.FirstPostID
	topics, posts := countRows(t, a, "topics"), countRows(t, a, "posts")

	topic := func(over map[string]any) map[string]any {
		in := map[string]any{"category_id": catLedarskap, "title": "Rubrik", "body": "Text", "kind": "discussion"}
		for k, v := range over {
			in[k] = v
		}
		return in
	}
	for _, tc := range []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"empty title", topic(map[string]any{"title": ""}), "title"},
		{"title 201", topic(map[string]any{"title": strings.Repeat("å", 201)}), "title"},
		{"empty body", topic(map[string]any{"body": "  "}), "body"},
		{"body 50001", topic(map[string]any{"body": strings.Repeat("a", 50001)}), "body"},
		{"link without url", topic(map[string]any{"kind": "link"}), "url"},
		{"bad url", topic(map[string]any{"kind": "link", "url": "javascript:alert(1)"}), "url"},
		{"not a url", topic(map[string]any{"kind": "link", "url": "inte en länk"}), "url"},
		{"no category", topic(map[string]any{"category_id": 999}), "category_id"},
		{"bad kind", topic(map[string]any{"kind": "event"}), "kind"},
	} {
		j := anna.api("POST", "/api/v1/topics", tc.in).wantStatus(http.StatusBadRequest).json()
		fields, _ := j["fields"].(map[string]any)
		if _, ok := fields[tc.field]; !ok || j["error"] == "" {
			t.Errorf("%s: %v", tc.name, j)
		}
	}
	j := anna.api("POST", "/api/v1/topics", topic(map[string]any{"title": ""})).json()
	if j["error"] != "Rubrik: Fyll i det här fältet." {
		t.Errorf("title message: %v", j["error"])
	}
	if j := anna.api("POST", "/api/v1/topics", topic(map[string]any{"title": strings.Repeat("x", 201)})).json(); j["error"] != "Rubrik: Skriv högst 200 tecken." {
		t.Errorf("long title message: %v", j["error"])
	}
	// Exactly 200 characters and 50,000 are fine (checked without writing:
	// the preview runs the same body check).
	anna.api("POST", "/api/v1/preview", map[string]any{"body": strings.Repeat("a", 50000)}).wantStatus(http.StatusOK)
	anna.api("POST", "/api/v1/preview", map[string]any{"body": strings.Repeat("a", 50001)}).wantStatus(http.StatusBadRequest)

	replies := fmt.Sprintf("/api/v1/topics/%d/posts", base.ID)
	for _, tc := range []struct {
		name string
		in   map[string]any
	}{
		{"empty", map[string]any{"body": ""}},
		{"reply_to missing", map[string]any{"body": "Svar", "reply_to": 9999}},
		{"reply_to in another topic", map[string]any{"body": "Svar", "reply_to": otherPost}},
		{"reply_to negative", map[string]any{"body": "Svar", "reply_to": -1}},
	} {
		anna.api("POST", replies, tc.in).wantStatus(http.StatusBadRequest)
	}
	if j := anna.api("POST", replies, map[string]any{"body": "Svar", "reply_to": otherPost}).json(); j["error"] != "Svar på: Inlägget du svarar på finns i ett annat ämne." {
		t.Errorf("reply_to message: %v", j["error"])
	}
	anna.api("POST", "/api/v1/topics/9999/posts", map[string]any{"body": "Svar"}).wantStatus(http.StatusNotFound)
	anna.api("POST", "/api/v1/topics", "{not json").wantStatus(http.StatusBadRequest)
	if topics2, posts2 := countRows(t, a, "topics"), countRows(t, a, "posts"); topics2 != topics || posts2 != posts {
		t.Fatalf("refused requests wrote rows: topics %d→%d, posts %d→%d", topics, topics2, posts, posts2)
	}

	// A locked topic and an archived category refuse replies and topics.
	admin := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	ctx := context.Background()
	if err := a.store.SetLocked(ctx, admin, base.ID, true); err != nil {
		t.Fatal(err)
	}
	anna.api("POST", replies, map[string]any{"body": "Svar"}).wantStatus(http.StatusForbidden)
	if err := a.store.ArchiveCategory(ctx, admin, catAldreomsorg, true); err != nil {
		t.Fatal(err)
	}
	anna.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", other.ID), map[string]any{"body": "Svar"}).wantStatus(http.StatusForbidden)
	anna.api("POST", "/api/v1/topics", topic(map[string]any{"category_id": catAldreomsorg})).wantStatus(http.StatusForbidden)
	if topics2, posts2 := countRows(t, a, "topics"), countRows(t, a, "posts"); topics2 != topics || posts2 != posts {
		t.Fatalf("refused requests wrote rows: topics %d→%d, posts %d→%d", topics, topics2, posts, posts2)
	}
	cats := anna.api("GET", "/api/v1/categories", nil).json()["categories"].([]any)
	if c := cats[1].(map[string]any); c["archived"] != true {
		t.Errorf("archived category: %v", c)
	}
}

func TestForumAPIEditDeleteThanks(t *testing.T) {
	a, anna, bea := forumApp(t)
	mustCreateMember(t, a, "maja", forum.RoleModerator, forum.StatusApproved)
	mod := clientFor(t, a, "maja")
	tp := mustTopic(t, a, member(t, a, "anna"), forum.NewTopic{Title: "Schema", Body: "Version ett"})
	post := fmt.Sprintf("/api/v1/posts/%d", *tp.FirstPostID)

	j := anna.api("PATCH", post, map[string]any{"body": "Version två", "version": 1}).wantStatus(http.StatusOK).json()
	if num(t, j["version"]) != 2 || num(t, j["id"]) != *tp.FirstPostID {
		t.Fatalf("edit: %v", j)
	}
	// A second editor who read version 1 is refused and nothing changes.
	anna.api("PATCH", post, map[string]any{"body": "Version tre", "version": 1}).wantStatus(http.StatusConflict)
	anna.api("PATCH", post, map[string]any{"body": "Utan version"}).wantStatus(http.StatusBadRequest)
	bea.api("PATCH", post, map[string]any{"body": "Beas version", "version": 2}).wantStatus(http.StatusForbidden)
	mod.api("PATCH", post, map[string]any{"body": "Modererad", "version": 2}).wantStatus(http.StatusOK)
	revs := anna.api("GET", post+"/revisions", nil).wantStatus(http.StatusOK).json()["revisions"].([]any)
	if len(revs) != 2 || revs[0].(map[string]any)["body"] != "Version två" || revs[1].(map[string]any)["body"] != "Version ett" {
		t.Fatalf("revisions: %v", revs)
	}
	got := anna.api("GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil).json()["posts"].([]any)[0].(map[string]any)
	if got["body"] != "Modererad" || num(t, got["version"]) != 3 || got["edited_at"] == nil {
		t.Fatalf("after edits: %v", got)
	}

	// Tack: once 201, twice 409, own post 403; who thanked.
	bea.api("POST", post+"/reactions", map[string]any{}).wantStatus(http.StatusCreated)
	bea.api("POST", post+"/reactions", map[string]any{}).wantStatus(http.StatusConflict)
	anna.api("POST", post+"/reactions", map[string]any{}).wantStatus(http.StatusForbidden)
	mod.api("POST", post+"/reactions", nil).wantStatus(http.StatusCreated)
	who := anna.api("GET", post+"/reactions", nil).wantStatus(http.StatusOK).json()
	if num(t, who["count"]) != 2 || who["reactions"].([]any)[0].(map[string]any)["username"] != "bea" {
		t.Fatalf("reactions: %v", who)
	}
	if p := bea.api("GET", post, nil).json()["post"].(map[string]any); num(t, p["thanks"]) != 2 || p["thanked"] != true {
		t.Fatalf("thanks on post: %v", p)
	}
	bea.api("DELETE", post+"/reactions", nil).wantStatus(http.StatusNoContent)
	bea.api("DELETE", post+"/reactions", nil).wantStatus(http.StatusNotFound)

	// Delete: not someone else's (403), a moderator may (204).
	r := mustReply(t, a, member(t, a, "bea"), tp.ID, "Beas svar", 0)
	bp := fmt.Sprintf("/api/v1/posts/%d", r.ID)
	anna.api("DELETE", bp, nil).wantStatus(http.StatusForbidden)
	mod.api("DELETE", bp, nil).wantStatus(http.StatusNoContent)
	p := anna.api("GET", bp, nil).json()["post"].(map[string]any)
	if p["deleted"] != true || p["body"] != "" || p["deleted_by"] != "moderator" {
		t.Fatalf("deleted post: %v", p)
	}
	anna.api("DELETE", post, nil).wantStatus(http.StatusNoContent)
	anna.api("PATCH", post, map[string]any{"body": "Igen", "version": 4}).wantStatus(http.StatusConflict)
}

func TestForumAPILinksAndPreview(t *testing.T) {
	_, anna, bea := forumApp(t)
	in := map[string]any{"category_id": catLedarskap, "title": "Rapport", "body": "Läs!", "kind": "link",
		"url": "https://www.Socialstyrelsen.se/rapport#sammanfattning"}
	first := anna.api("POST", "/api/v1/topics", in).wantStatus(http.StatusCreated).json()
	if d := first["duplicates"].([]any); len(d) != 0 {
		t.Fatalf("first share has duplicates: %v", d)
	}
	topic := anna.api("GET", fmt.Sprintf("/api/v1/topics/%d", num(t, first["id"])), nil).json()["topic"].(map[string]any)
	if topic["link_url"] != "https://www.socialstyrelsen.se/rapport" {
		t.Errorf("normalised link: %v", topic["link_url"])
	}
	in["url"] = "HTTPS://WWW.SOCIALSTYRELSEN.SE/rapport"
	in["title"] = "Samma rapport"
	again := bea.api("POST", "/api/v1/topics", in).wantStatus(http.StatusCreated).json()
	d := again["duplicates"].([]any)
	if len(d) != 1 || num(t, d[0].(map[string]any)["id"]) != num(t, first["id"]) || d[0].(map[string]any)["url"] != first["url"] {
		t.Fatalf("duplicates: %v", again)
	}

	// The preview is exactly what the saved post shows, hostile input too.
	md := "# Rubrik\n\nHej @bea, se [länk](https://example.se) och <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n> citat\n\n- a\n- b\n"
	html := anna.api("POST", "/api/v1/preview", map[string]any{"body": md}).wantStatus(http.StatusOK).json()["html"].(string)
	created := anna.api("POST", "/api/v1/topics", map[string]any{"category_id": catLedarskap, "title": "Förhandsgranskat", "body": md}).wantStatus(http.StatusCreated).json()
	saved := anna.api("GET", fmt.Sprintf("/api/v1/topics/%d", num(t, created["id"])), nil).json()["posts"].([]any)[0].(map[string]any)["body_html"]
	if html != saved {
		t.Fatalf("preview differs from the saved post:\n%s\n%s", html, saved)
	}
	for _, bad := range []string{"<script", "javascript:", "onerror"} {
		if strings.Contains(html, bad) {
			t.Errorf("preview HTML has %q: %s", bad, html)
		}
	}
	anna.api("POST", "/api/v1/preview", map[string]any{"body": ""}).wantStatus(http.StatusBadRequest)
}

func TestForumAPIPaging(t *testing.T) {
	a, anna, _ := forumApp(t)
	am, bm := member(t, a, "anna"), member(t, a, "bea")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Långt ämne"})
	var last *forum.Post
	for i := 2; i <= 65; i++ {
		last = mustReply(t, a, bm, tp.ID, fmt.Sprintf("Svar nummer %d", i), 0)
	}
	path := fmt.Sprintf("/api/v1/topics/%d", tp.ID)
	p1 := anna.api("GET", path, nil).json()
	if len(p1["posts"].([]any)) != forum.PageSize || num(t, p1["next_page"]) != 2 {
		t.Fatalf("page 1: %d posts, next %v", len(p1["posts"].([]any)), p1["next_page"])
	}
	p3 := anna.api("GET", path+"?page=3", nil).json()
	posts := p3["posts"].([]any)
	if len(posts) != 5 || p3["next_page"] != nil || num(t, posts[4].(map[string]any)["id"]) != last.ID {
		t.Fatalf("page 3: %v", p3)
	}
	anna.api("GET", path+"?page=0", nil).wantStatus(http.StatusBadRequest)
	anna.api("GET", path+"?page=x", nil).wantStatus(http.StatusBadRequest)

	// Topic lists page by cursor.
	for i := 0; i < topicsPerPage; i++ {
		mustTopic(t, a, am, forum.NewTopic{Title: fmt.Sprintf("Ämne %02d", i)})
	}
	l1 := anna.api("GET", "/api/v1/topics", nil).json()
	next, _ := l1["next_page"].(string)
	if len(l1["topics"].([]any)) != topicsPerPage || next == "" {
		t.Fatalf("list page 1: next %v", l1["next_page"])
	}
	l2 := anna.api("GET", "/api/v1/topics?page="+next, nil).json()
	if ts := l2["topics"].([]any); len(ts) != 1 || num(t, ts[0].(map[string]any)["id"]) != tp.ID || l2["next_page"] != nil {
		t.Fatalf("list page 2: %v", l2)
	}
	anna.api("GET", "/api/v1/topics?page=bogus", nil).wantStatus(http.StatusBadRequest)
}
