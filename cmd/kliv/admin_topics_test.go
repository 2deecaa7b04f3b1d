package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kliv/forum"
)

// toolsApp is a forum with a moderator (mona, signed in) and two members
// (anna and bea, signed in).
func toolsApp(t *testing.T) (a *app, mod, anna, bea *testClient) {
	t.Helper()
	a, anna, bea = forumApp(t)
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	return a, clientFor(t, a, "mona"), anna, bea
}

// auditCount is how many audit lines have that action and topic.
func auditCount(t *testing.T, a *app, action string, topicID int64) int {
	t.Helper()
	var n int
	if err := a.db.Get(&n, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND target_type = 'topic' AND target_id = ?`, action, topicID); err != nil {
		t.Fatal(err)
	}
	return n
}

// listIDs is the topic ids of a list in the API, in order.
func listIDs(t *testing.T, c *testClient, path string) []int64 {
	t.Helper()
	var out []int64
	for _, tp := range c.api("GET", path, nil).wantStatus(http.StatusOK).json()["topics"].([]any) {
		out = append(out, num(t, tp.(map[string]any)["id"]))
	}
	return out
}

// topicOrder is the topic ids in the order a list page shows them.
func topicOrder(body string, ids ...int64) []int64 {
	type at struct {
		id  int64
		pos int
	}
	var found []at
	for _, id := range ids {
		if i := strings.Index(body, fmt.Sprintf(`href="/t/%d"`, id)); i >= 0 {
			found = append(found, at{id, i})
		}
	}
	for i := range found {
		for j := i + 1; j < len(found); j++ {
			if found[j].pos < found[i].pos {
				found[i], found[j] = found[j], found[i]
			}
		}
	}
	out := []int64{}
	for _, f := range found {
		out = append(out, f.id)
	}
	return out
}

func TestPinTopic(t *testing.T) {
	a, mod, anna, _ := toolsApp(t)
	am := member(t, a, "anna")
	old := mustTopic(t, a, am, forum.NewTopic{Title: "Välkommen hit"})
	mid := mustTopic(t, a, am, forum.NewTopic{Title: "Mitten"})
	newest := mustTopic(t, a, am, forum.NewTopic{Title: "Senaste"})
	elsewhere := mustTopic(t, a, am, forum.NewTopic{Title: "Annan kategori", CategoryID: catAldreomsorg})

	// Members see no tools and may not pin.
	anna.get(old.Path()).wantStatus(http.StatusOK).lacks("Moderatorverktyg")
	anna.postForm(old.Path()+"/pin", url.Values{"category": {"1"}}).wantStatus(http.StatusForbidden)
	anna.api("POST", fmt.Sprintf("/api/v1/topics/%d/pin", old.ID), map[string]any{}).wantStatus(http.StatusForbidden)

	// The moderator pins the oldest topic in its category, on the page.
	mod.get(old.Path()).wantStatus(http.StatusOK).contains("Moderatorverktyg", "Först i kategorin Ledarskap", "Först på startsidan")
	r := mod.postForm(old.Path()+"/pin", url.Values{"category": {"1"}}).wantStatus(http.StatusSeeOther)
	if r.location() != old.Path() {
		t.Errorf("pin redirects to %q", r.location())
	}
	mod.get(old.Path()).contains("Ämnet är fäst.", "Fäst i kategorin")
	if auditCount(t, a, "topic.pin", old.ID) != 1 {
		t.Error("pin not audited")
	}
	// First in its category, once; the home page keeps its order.
	body := anna.get("/c/ledarskap").wantStatus(http.StatusOK).contains("Fäst").Body
	if got := topicOrder(body, old.ID, mid.ID, newest.ID); fmt.Sprint(got) != fmt.Sprint([]int64{old.ID, newest.ID, mid.ID}) {
		t.Errorf("category order %v", got)
	}
	if strings.Count(body, fmt.Sprintf(`href="/t/%d"`, old.ID)) != 1 {
		t.Error("the pinned topic is listed twice")
	}
	if got := listIDs(t, anna, "/api/v1/topics?category_id=1"); fmt.Sprint(got) != fmt.Sprint([]int64{old.ID, newest.ID, mid.ID}) {
		t.Errorf("API category order %v", got)
	}
	if got := listIDs(t, anna, "/api/v1/topics"); fmt.Sprint(got) != fmt.Sprint([]int64{elsewhere.ID, newest.ID, mid.ID, old.ID}) {
		t.Errorf("home order %v", got)
	}

	// Through the API, on the home page too.
	j := mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/pin", old.ID), map[string]any{"category": true, "home": true}).wantStatus(http.StatusOK).json()
	tj := j["topic"].(map[string]any)
	if tj["pinned"] != true || tj["pinned_home"] != true {
		t.Errorf("pin answer %v", tj)
	}
	if got := listIDs(t, anna, "/api/v1/topics"); fmt.Sprint(got) != fmt.Sprint([]int64{old.ID, elsewhere.ID, newest.ID, mid.ID}) {
		t.Errorf("home order after pinning there %v", got)
	}
	body = anna.get("/").wantStatus(http.StatusOK).Body
	if got := topicOrder(body, old.ID, elsewhere.ID, newest.ID, mid.ID); fmt.Sprint(got) != fmt.Sprint([]int64{old.ID, elsewhere.ID, newest.ID, mid.ID}) {
		t.Errorf("home page order %v", got)
	}
	// Unpinned through the API: back in its place everywhere.
	mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/unpin", old.ID), nil).wantStatus(http.StatusOK)
	if got := listIDs(t, anna, "/api/v1/topics?category_id=1"); fmt.Sprint(got) != fmt.Sprint([]int64{newest.ID, mid.ID, old.ID}) {
		t.Errorf("category order after unpin %v", got)
	}
	if auditCount(t, a, "topic.unpin", old.ID) != 1 || auditCount(t, a, "topic.pin", old.ID) != 2 {
		t.Error("pin and unpin audit lines")
	}
	// The page form with nothing ticked unpins too; unpinning again
	// changes nothing and writes no line.
	mod.postForm(old.Path()+"/pin", url.Values{}).wantStatus(http.StatusSeeOther)
	if auditCount(t, a, "topic.unpin", old.ID) != 1 {
		t.Error("a pin that changed nothing was audited")
	}
	mod.api("POST", "/api/v1/topics/99999/pin", map[string]any{}).wantStatus(http.StatusNotFound)
}

// A pinned topic shows once when a long list is walked page by page.
func TestPinnedTopicOnceAcrossPages(t *testing.T) {
	a, mod, anna, _ := toolsApp(t)
	am := member(t, a, "anna")
	var ids []int64
	for i := 0; i < 65; i++ {
		ids = append(ids, mustTopic(t, a, am, forum.NewTopic{Title: fmt.Sprintf("Ämne %d", i)}).ID)
	}
	// The one in the middle of page 2, and the oldest.
	for _, id := range []int64{ids[30], ids[0]} {
		mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/pin", id), map[string]any{"home": true}).wantStatus(http.StatusOK)
	}
	seen := map[int64]int{}
	path, pages := "/api/v1/topics", 0
	for path != "" {
		j := anna.api("GET", path, nil).wantStatus(http.StatusOK).json()
		for i, tp := range j["topics"].([]any) {
			id := num(t, tp.(map[string]any)["id"])
			seen[id]++
			if pages == 0 && i < 2 && id != ids[30] && id != ids[0] {
				t.Errorf("row %d of page 1 is %d, not a pinned topic", i, id)
			}
		}
		pages++
		path = ""
		if np, ok := j["next_page"].(string); ok {
			path = "/api/v1/topics?page=" + url.QueryEscape(np)
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("topic %d listed %d times", id, seen[id])
		}
	}
	// The category list is not the home page's: there they are not pinned.
	if got := listIDs(t, anna, "/api/v1/topics?category_id=1"); got[0] != ids[64] {
		t.Errorf("category list starts with %d", got[0])
	}
}

func TestCloseQuestion(t *testing.T) {
	a, mod, anna, bea := toolsApp(t)
	am := member(t, a, "anna")
	q := mustTopic(t, a, am, forum.NewTopic{Title: "Hur schemalägger ni helger?", Kind: forum.KindQuestion})
	disc := mustTopic(t, a, am, forum.NewTopic{Title: "En diskussion"})
	mustReply(t, a, member(t, a, "bea"), q.ID, "Vi roterar.", 0)

	anna.postForm(q.Path()+"/close", url.Values{"closed": {"1"}}).wantStatus(http.StatusForbidden)
	mod.get(q.Path()).contains("Stäng frågan")
	mod.get(disc.Path()).lacks("Stäng frågan")
	mod.postForm(q.Path()+"/close", url.Values{"closed": {"1"}}).wantStatus(http.StatusSeeOther)
	if auditCount(t, a, "topic.close", q.ID) != 1 {
		t.Error("close not audited")
	}
	// Shown as closed, on its page and in lists; no reply form.
	bea.get(q.Path()).wantStatus(http.StatusOK).contains("Stängd", "En moderator har stängt frågan.").lacks(`action="` + q.Path() + `/reply"`)
	bea.get("/c/ledarskap").contains("Stängd")
	// No new replies, by form or API.
	bea.postForm(q.Path()+"/reply", url.Values{"body": {"Ett sent svar"}}).wantStatus(http.StatusForbidden).contains("En moderator har stängt frågan.")
	r := bea.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", q.ID), map[string]any{"body": "Ett sent svar"}).wantStatus(http.StatusForbidden)
	if r.json()["error"] != "Frågan är stängd och tar inte emot fler svar." {
		t.Errorf("closed reply message %v", r.json()["error"])
	}
	if j := bea.api("GET", fmt.Sprintf("/api/v1/topics/%d", q.ID), nil).json(); j["topic"].(map[string]any)["closed"] != true {
		t.Error("API topic not closed")
	}
	// Only questions close.
	mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/close", disc.ID), map[string]any{}).wantStatus(http.StatusConflict).
		contains("Bara frågor kan stängas.")
	// Opened again through the API.
	j := mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/close", q.ID), map[string]any{"closed": false}).wantStatus(http.StatusOK).json()
	if j["topic"].(map[string]any)["closed"] != false {
		t.Error("not reopened")
	}
	bea.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", q.ID), map[string]any{"body": "Nu går det"}).wantStatus(http.StatusCreated)
	if auditCount(t, a, "topic.reopen", q.ID) != 1 {
		t.Error("reopen not audited")
	}
}

// category returns a category's counters.
func categoryCounts(t *testing.T, a *app, id int64) (topics, posts int) {
	t.Helper()
	c, err := a.store.Category(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.TopicCount, c.PostCount
}

func TestMoveTopic(t *testing.T) {
	a, mod, anna, _ := toolsApp(t)
	am, bm := member(t, a, "anna"), member(t, a, "bea")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Bemanning på natten", Body: "Hur löser ni nattbemanningen?"})
	mustReply(t, a, bm, tp.ID, "Vi har nattpatrull.", 0)
	mustTopic(t, a, am, forum.NewTopic{Title: "Stannar kvar"})
	t1, p1 := categoryCounts(t, a, catLedarskap)
	t2, p2 := categoryCounts(t, a, catAldreomsorg)
	if t1 != 2 || p1 != 3 || t2 != 0 || p2 != 0 {
		t.Fatalf("before: %d/%d and %d/%d", t1, p1, t2, p2)
	}
	search := func(cat int64) []int64 {
		return srSearchIDs(t, anna, srQ("nattbemanningen")+fmt.Sprintf("&category_id=%d", cat))
	}
	if len(search(catLedarskap)) != 1 || len(search(catAldreomsorg)) != 0 {
		t.Fatal("search before the move")
	}

	// Members may not move; the moderator moves on the page.
	anna.postForm(tp.Path()+"/move", url.Values{"category_id": {"2"}}).wantStatus(http.StatusForbidden)
	anna.get(tp.Path() + "/move").wantStatus(http.StatusForbidden)
	mod.get(tp.Path()).contains("Flytta till kategori")
	mod.get(tp.Path()+"/move").wantStatus(http.StatusOK).contains("Ämnet ligger nu i Ledarskap", "Äldreomsorg")
	mod.postForm(tp.Path()+"/move", url.Values{"category_id": {"999"}}).wantStatus(http.StatusBadRequest).contains("Kategori")
	mod.postForm(tp.Path()+"/move", url.Values{"category_id": {"2"}}).wantStatus(http.StatusSeeOther)
	mod.get(tp.Path()).contains("Ämnet är flyttat.", `href="/c/aldreomsorg"`)
	t1, p1 = categoryCounts(t, a, catLedarskap)
	t2, p2 = categoryCounts(t, a, catAldreomsorg)
	if t1 != 1 || p1 != 1 || t2 != 1 || p2 != 2 {
		t.Errorf("after: %d/%d and %d/%d", t1, p1, t2, p2)
	}
	if len(search(catLedarskap)) != 0 || len(search(catAldreomsorg)) != 1 {
		t.Error("search's category filter did not follow the move")
	}
	if auditCount(t, a, "topic.move", tp.ID) != 1 {
		t.Error("move not audited")
	}
	// Back through the API; an archived category refuses.
	j := mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/move", tp.ID), map[string]any{"category_id": catLedarskap}).wantStatus(http.StatusOK).json()
	if num(t, j["topic"].(map[string]any)["category_id"]) != catLedarskap {
		t.Errorf("move answer %v", j)
	}
	if t1, p1 = categoryCounts(t, a, catLedarskap); t1 != 2 || p1 != 3 {
		t.Errorf("back: %d/%d", t1, p1)
	}
	if err := a.store.ArchiveCategory(context.Background(), member(t, a, "mona"), 3, true); err == nil {
		t.Fatal("a moderator archived a category")
	}
	mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	if err := a.store.ArchiveCategory(context.Background(), member(t, a, "ada"), 3, true); err != nil {
		t.Fatal(err)
	}
	mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/move", tp.ID), map[string]any{"category_id": 3}).wantStatus(http.StatusBadRequest)
	mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/move", tp.ID), map[string]any{}).wantStatus(http.StatusBadRequest)
	if auditCount(t, a, "topic.move", tp.ID) != 2 {
		t.Error("refused moves were audited")
	}
}

// seqs is the sequence numbers of a topic's posts by id.
func seqs(t *testing.T, a *app, topicID int64) map[int64]int {
	t.Helper()
	var rows []struct {
		ID  int64 `db:"id"`
		Seq int   `db:"seq"`
	}
	if err := a.db.Select(&rows, `SELECT id, seq FROM posts WHERE topic_id = ? ORDER BY seq`, topicID); err != nil {
		t.Fatal(err)
	}
	out := map[int64]int{}
	for i, r := range rows {
		if r.Seq != i+1 {
			t.Errorf("topic %d: post %d has seq %d at place %d", topicID, r.ID, r.Seq, i+1)
		}
		out[r.ID] = r.Seq
	}
	return out
}

func TestSplitTopic(t *testing.T) {
	a, mod, anna, bea := toolsApp(t)
	ctx := context.Background()
	am, bm := member(t, a, "anna"), member(t, a, "bea")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Introduktion av nya chefer", Body: "Hur tar ni emot nya chefer?"})
	first := *tp.FirstPostID
	p2 := mustReply(t, a, bm, tp.ID, "Vi har en mentor för varje ny chef.", first)
	p3 := mustReply(t, a, am, tp.ID, "Apropå lönesättning: hur gör ni med lönekartläggningen?", 0)
	p4 := mustReply(t, a, bm, tp.ID, "Mentorn träffar hen varje vecka.", p2.ID)
	p5 := mustReply(t, a, bm, tp.ID, "Lönekartläggningen gör vi med HR varje höst.", p3.ID)
	p6 := mustReply(t, a, am, tp.ID, "Tack för mentortipset!", p4.ID)
	// bea has read it all; anna follows it (she started it).
	bea.get(tp.Path()).wantStatus(http.StatusOK)
	if n := countRows(t, a, "notifications"); n == 0 {
		t.Fatal("no notifications to follow the posts")
	}
	_, catPostsBefore := categoryCounts(t, a, catLedarskap)

	// Members may not split.
	anna.get(tp.Path() + "/split").wantStatus(http.StatusForbidden)
	anna.api("POST", fmt.Sprintf("/api/v1/topics/%d/split", tp.ID), map[string]any{"post_ids": []int64{p3.ID}, "title": "x", "category_id": 1}).
		wantStatus(http.StatusForbidden)

	// The moderator's page: checkboxes for the replies, not the first post.
	mod.get(tp.Path()).contains("Dela av svar till ett nytt ämne")
	page := mod.get(tp.Path()+"/split").wantStatus(http.StatusOK).
		contains("Första inlägget (stannar kvar):", "Apropå lönesättning", "Rubrik på det nya ämnet").Body
	if strings.Contains(page, fmt.Sprintf(`name="post_ids" value="%d"`, first)) {
		t.Error("the first post can be ticked")
	}
	// Errors keep what was ticked and typed.
	mod.postForm(tp.Path()+"/split", url.Values{"title": {"Lönekartläggning"}, "category_id": {"2"}}).
		wantStatus(http.StatusBadRequest).contains("Välj minst ett svar.", "Lönekartläggning")
	r := mod.postForm(tp.Path()+"/split", url.Values{"post_ids": {fmt.Sprint(p3.ID)}, "title": {""}, "category_id": {"2"}}).
		wantStatus(http.StatusBadRequest)
	if !strings.Contains(r.Body, fmt.Sprintf(`value="%d" checked`, p3.ID)) {
		t.Error("the ticked post is not ticked again")
	}
	mod.postForm(tp.Path()+"/split", url.Values{"post_ids": {fmt.Sprint(first)}, "title": {"x"}, "category_id": {"2"}}).
		wantStatus(http.StatusBadRequest).contains("Det första inlägget stannar i ämnet.")

	// Split p3 and p5 into a new topic in Äldreomsorg.
	r = mod.postForm(tp.Path()+"/split", url.Values{"post_ids": {fmt.Sprint(p5.ID), fmt.Sprint(p3.ID)},
		"title": {"Lönekartläggning"}, "category_id": {"2"}}).wantStatus(http.StatusSeeOther)
	var newID int64
	if _, err := fmt.Sscanf(r.location(), "/t/%d", &newID); err != nil || newID == tp.ID {
		t.Fatalf("split redirects to %q", r.location())
	}
	mod.get(r.location()).wantStatus(http.StatusOK).contains("Lönekartläggning", "Svaren är flyttade", "Apropå lönesättning", "HR varje höst")

	// Numbers: both topics 1… without gaps, in their old order.
	old, nw := seqs(t, a, tp.ID), seqs(t, a, newID)
	if len(old) != 4 || old[first] != 1 || old[p2.ID] != 2 || old[p4.ID] != 3 || old[p6.ID] != 4 {
		t.Errorf("old topic seqs %v", old)
	}
	if len(nw) != 2 || nw[p3.ID] != 1 || nw[p5.ID] != 2 {
		t.Errorf("new topic seqs %v", nw)
	}
	// Counters and last posts.
	ot, err := a.store.Topic(ctx, am, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	nt, err := a.store.Topic(ctx, am, newID)
	if err != nil {
		t.Fatal(err)
	}
	if ot.PostCount != 4 || *ot.LastPostID != p6.ID || nt.PostCount != 2 || *nt.FirstPostID != p3.ID || *nt.LastPostID != p5.ID ||
		nt.AuthorID == nil || *nt.AuthorID != am.ID || nt.CategoryID != catAldreomsorg {
		t.Errorf("old %+v\nnew %+v", ot, nt)
	}
	_, catPosts := categoryCounts(t, a, catLedarskap)
	t2, p2count := categoryCounts(t, a, catAldreomsorg)
	if catPosts != catPostsBefore-2 || t2 != 1 || p2count != 2 {
		t.Errorf("category counters: %d (was %d), %d/%d", catPosts, catPostsBefore, t2, p2count)
	}
	// A post's stable link still finds it.
	if loc := mod.get(fmt.Sprintf("/p/%d", p5.ID)).wantStatus(http.StatusSeeOther).location(); loc != fmt.Sprintf("/t/%d?page=1#p%d", newID, p5.ID) {
		t.Errorf("/p/%d → %s", p5.ID, loc)
	}
	if loc := mod.get(fmt.Sprintf("/p/%d", p6.ID)).location(); loc != fmt.Sprintf("/t/%d?page=1#p%d", tp.ID, p6.ID) {
		t.Errorf("/p/%d → %s", p6.ID, loc)
	}
	// Replies-to links: kept inside each topic, and across as links to the post.
	pj := bea.api("GET", fmt.Sprintf("/api/v1/posts/%d", p5.ID), nil).wantStatus(http.StatusOK).json()
	if num(t, pj["post"].(map[string]any)["reply_to"]) != p3.ID {
		t.Errorf("moved reply's reply_to %v", pj)
	}
	// Read marks: bea had read everything, and still has, in both.
	un, err := a.store.Unread(ctx, bm.ID, []int64{tp.ID, newID})
	if err != nil {
		t.Fatal(err)
	}
	if len(un) != 0 {
		t.Errorf("bea has unread posts after the split: %+v", un)
	}
	// A new reply in the old topic gets the next number and is unread.
	p7 := mustReply(t, a, am, tp.ID, "Ett nytt svar", 0)
	if p7.Seq != 5 {
		t.Errorf("next reply seq %d", p7.Seq)
	}
	if un, _ := a.store.Unread(ctx, bm.ID, []int64{tp.ID, newID}); un[tp.ID].Count != 1 || un[newID].Count != 0 {
		t.Errorf("unread after a new reply: %+v", un)
	}
	// Notifications of the moved posts point at the new topic.
	var stale int
	if err := a.db.Get(&stale, `SELECT COUNT(*) FROM notifications WHERE post_id IN (?, ?) AND topic_id <> ?`, p3.ID, p5.ID, newID); err != nil {
		t.Fatal(err)
	}
	if stale != 0 {
		t.Errorf("%d notifications still point at the old topic", stale)
	}
	// Search: the new title finds the new topic, in its category only
	// (the word's other forms too, the exact one first).
	if got := srSearchIDs(t, bea, srQ("lönekartläggning")+"&category_id=2"); fmt.Sprint(got) != fmt.Sprint([]int64{p3.ID, p5.ID}) {
		t.Errorf("search for the new title in the new category: %v", got)
	}
	if got := srSearchIDs(t, bea, srQ("lönekartläggningen")+"&category_id=2"); fmt.Sprint(got) != fmt.Sprint([]int64{p3.ID, p5.ID}) {
		t.Errorf("search for the moved posts in the new category: %v", got)
	}
	if got := srSearchIDs(t, bea, srQ("lönekartläggningen")+"&category_id=1"); len(got) != 0 {
		t.Errorf("search in the old category: %v", got)
	}
	if got := srSearchIDs(t, bea, srQ("Introduktion")); fmt.Sprint(got) != fmt.Sprint([]int64{first}) {
		t.Errorf("the old title: %v", got)
	}
	// Follows: anna follows both parts.
	var follows int
	if err := a.db.Get(&follows, `SELECT COUNT(*) FROM topic_follows WHERE member_id = ? AND topic_id = ?`, am.ID, newID); err != nil || follows != 1 {
		t.Errorf("anna follows the new topic: %d %v", follows, err)
	}
	if auditCount(t, a, "topic.split", tp.ID) != 1 {
		t.Error("split not audited")
	}

	// Through the API: p6 (a reply to p4, which stays) into a third topic.
	j := mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/split", tp.ID), map[string]any{"post_ids": []int64{p6.ID}, "title": "Tack", "category_id": catLedarskap}).
		wantStatus(http.StatusCreated).json()
	third := num(t, j["id"])
	if j["url"] != fmt.Sprintf("/t/%d", third) || num(t, j["topic"].(map[string]any)["post_count"]) != 1 {
		t.Errorf("split answer %v", j)
	}
	if s := seqs(t, a, tp.ID); s[p7.ID] != 4 {
		t.Errorf("after the second split %v", s)
	}
	// The old post still lists its (now elsewhere) reply, whose link works.
	mod.get(tp.Path()).contains(fmt.Sprintf(`href="/p/%d"`, p6.ID))
	// Bad input.
	for _, bad := range []map[string]any{
		{"post_ids": []int64{}, "title": "x", "category_id": 1},
		{"post_ids": []int64{first}, "title": "x", "category_id": 1},
		{"post_ids": []int64{p3.ID}, "title": "x", "category_id": 1}, // in another topic now
		{"post_ids": []int64{p2.ID}, "title": "", "category_id": 1},
		{"post_ids": []int64{p2.ID}, "title": "x", "category_id": 999},
		{"post_ids": []int64{p2.ID}, "title": "x"},
	} {
		mod.api("POST", fmt.Sprintf("/api/v1/topics/%d/split", tp.ID), bad).wantStatus(http.StatusBadRequest)
	}
	mod.api("POST", "/api/v1/topics/9999/split", map[string]any{"post_ids": []int64{p2.ID}, "title": "x", "category_id": 1}).wantStatus(http.StatusNotFound)
	if s := seqs(t, a, tp.ID); len(s) != 4 {
		t.Errorf("a refused split moved posts: %v", s)
	}
}
