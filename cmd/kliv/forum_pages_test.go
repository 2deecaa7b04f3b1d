package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

// topicIDFrom reads the topic id of a redirect to /t/{id}.
func topicIDFrom(t testing.TB, r *testResponse) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(r.location(), "/t/%d", &id); err != nil || r.Code != http.StatusSeeOther {
		t.Fatalf("%s: %d, location %q, want a topic", r.req, r.Code, r.location())
	}
	return id
}

func TestForumPagesComposer(t *testing.T) {
	a, anna, _ := forumApp(t)
	anna.get("/new?category=2&kind=link").wantStatus(http.StatusOK).
		contains("Nytt ämne", `name="title"`, `value="link" checked`, `<option value="2" selected>`, "Förhandsgranska", "Publicera", "Bara för typen Länk", `data-preview-url="/api/v1/preview"`)

	// Preview without JavaScript: the form comes back with the rendered
	// text and what was typed, and nothing is written.
	form := url.Values{"title": {"Hur planerar ni semestrar?"}, "kind": {"question"}, "category_id": {"1"},
		"body": {"Vi har **problem** med <script>alert(1)</script> [x](javascript:alert(1))"}, "preview": {"1"}}
	r := anna.postForm("/new", form).wantStatus(http.StatusOK).contains("<strong>problem</strong>", "Hur planerar ni semestrar?", "Förhandsgranskning")
	if strings.Contains(r.Body, "<script>alert") || strings.Contains(r.Body, `href="javascript:`) {
		t.Fatalf("hostile Markdown in the preview:\n%s", r.Body)
	}
	if n := countRows(t, a, "topics"); n != 0 {
		t.Fatalf("preview wrote %d topics", n)
	}

	// Each kind, through the form.
	for _, kind := range forum.Kinds {
		f := url.Values{"title": {"Form: " + kind}, "kind": {kind}, "category_id": {"1"}, "body": {"Text om " + kind}}
		if kind == forum.KindLink {
			f.Set("url", "https://skr.se/rapport?a=1")
		}
		id := topicIDFrom(t, anna.postForm("/new", f))
		page := anna.get(fmt.Sprintf("/t/%d", id)).wantStatus(http.StatusOK).contains("<h1>Form: "+kind+"</h1>", "Text om "+kind)
		if kind == forum.KindLink {
			page.contains(`<a href="https://skr.se/rapport?a=1" rel="nofollow ugc noopener">`, "skr.se")
		}
	}
	anna.get("/").wantStatus(http.StatusOK).contains("Form: question", "Fråga", "Tips", "Länk", "Diskussion", "skr.se", "Ledarskap")
	anna.get("/?kind=tip").wantStatus(http.StatusOK).contains("Form: tip").lacks("Form: question")
	anna.get("/?kind=nonsense").wantStatus(http.StatusBadRequest)

	// Errors stay on the form with what was typed; nothing is written.
	topics := countRows(t, a, "topics")
	anna.postForm("/new", url.Values{"title": {""}, "kind": {"link"}, "category_id": {"999"}, "url": {"ftp://x"}, "body": {"Min text"}}).
		wantStatus(http.StatusBadRequest).contains("Rubrik: Fyll i det här fältet.", "Kategori: Välj en kategori som finns.", "Skriv en hel webbadress", "Min text", `href="#f-title"`)
	anna.postForm("/new", url.Values{"title": {strings.Repeat("x", 201)}, "kind": {"tip"}, "category_id": {"1"}, "body": {strings.Repeat("y", 50001)}}).
		wantStatus(http.StatusBadRequest).contains("Skriv högst 200 tecken.", "Skriv högst 50000 tecken.")
	if n := countRows(t, a, "topics"); n != topics {
		t.Fatalf("refused forms wrote topics: %d → %d", topics, n)
	}

	// Hostile Markdown, saved, never reaches the page.
	form.Del("preview")
	id := topicIDFrom(t, anna.postForm("/new", form))
	page := anna.get(fmt.Sprintf("/t/%d", id)).wantStatus(http.StatusOK).contains("<strong>problem</strong>")
	for _, bad := range []string{"<script>alert", "javascript:", "onerror"} {
		if strings.Contains(page.Body, bad) {
			t.Errorf("the topic page has %q", bad)
		}
	}
}

func TestForumPagesDuplicateLink(t *testing.T) {
	a, anna, bea := forumApp(t)
	first := mustTopic(t, a, member(t, a, "anna"), forum.NewTopic{Kind: forum.KindLink, Title: "Socialstyrelsens rapport", URL: "https://www.socialstyrelsen.se/rapport"})
	f := url.Values{"title": {"Läs den här"}, "kind": {"link"}, "category_id": {"2"}, "url": {"https://WWW.socialstyrelsen.se/rapport#del-2"}, "body": {"Bra läsning"}}
	r := bea.postForm("/new", f).wantStatus(http.StatusConflict).
		contains("Länken har delats förut", fmt.Sprintf(`<a href="/t/%d">Socialstyrelsens rapport</a>`, first.ID), "Publicera ändå", `name="any_duplicate" value="1"`, "Bra läsning")
	_ = r
	if n := countRows(t, a, "topics"); n != 1 {
		t.Fatalf("the stopped form wrote a topic: %d", n)
	}
	f.Set("any_duplicate", "1")
	id := topicIDFrom(t, bea.postForm("/new", f))
	anna.get(fmt.Sprintf("/t/%d", id)).wantStatus(http.StatusOK).contains("https://www.socialstyrelsen.se/rapport", "socialstyrelsen.se")
}

func TestForumPagesThreads(t *testing.T) {
	a, anna, bea := forumApp(t)
	am, bm := member(t, a, "anna"), member(t, a, "bea")
	tp := mustTopic(t, a, am, forum.NewTopic{Kind: forum.KindQuestion, Title: "Introduktion av nya chefer?", Body: "Hur gör ni med **introduktionen**?"})
	r1 := mustReply(t, a, bm, tp.ID, "Vi har en mentor för varje ny chef.\n\nDet fungerar bra.", 0)

	// Quote pre-fills the text area and answers the post.
	q := bea.get(fmt.Sprintf("/t/%d/reply?quote=%d", tp.ID, r1.ID)).wantStatus(http.StatusOK)
	q.contains(fmt.Sprintf("> [Test bea](/p/%d) skrev:\n>\n> Vi har en mentor för varje ny chef.\n>\n> Det fungerar bra.", r1.ID),
		fmt.Sprintf(`name="reply_to" value="%d"`, r1.ID), "Du svarar Test bea")
	// Quoting part of a post: a selected piece is quoted alone; a piece
	// the post does not hold is ignored and the whole post is quoted.
	bea.get(fmt.Sprintf("/t/%d/reply?quote=%d&part=%s", tp.ID, r1.ID, url.QueryEscape("en mentor för  varje"))).wantStatus(http.StatusOK).
		contains(fmt.Sprintf("> [Test bea](/p/%d) skrev:\n>\n> en mentor för varje\n", r1.ID)).lacks("> Det fungerar bra.")
	bea.get(fmt.Sprintf("/t/%d/reply?quote=%d&part=%s", tp.ID, r1.ID, url.QueryEscape("Jag håller inte med"))).wantStatus(http.StatusOK).
		contains("> Vi har en mentor för varje ny chef.\n>\n> Det fungerar bra.").lacks("håller inte med")
	anna.get(fmt.Sprintf("/t/%d/reply?to=%d", tp.ID, r1.ID)).wantStatus(http.StatusOK).contains(fmt.Sprintf(`name="reply_to" value="%d"`, r1.ID))
	anna.get(fmt.Sprintf("/t/%d/reply?to=%d", tp.ID, *tp.FirstPostID+999)).wantStatus(http.StatusNotFound)

	// A threaded reply through the form.
	res := anna.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {"Tack, det låter klokt!"}, "reply_to": {fmt.Sprint(r1.ID)}})
	if res.Code != http.StatusSeeOther || !strings.HasPrefix(res.location(), fmt.Sprintf("/t/%d?page=1#p", tp.ID)) {
		t.Fatalf("reply: %d %s", res.Code, res.location())
	}
	// The preview button and an empty reply keep the form.
	anna.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {"*Förslag*"}, "preview": {"1"}}).wantStatus(http.StatusOK).contains("<em>Förslag</em>")
	anna.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {""}, "reply_to": {fmt.Sprint(r1.ID)}}).wantStatus(http.StatusBadRequest).contains("Fyll i det här fältet.")
	anna.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {"x"}, "reply_to": {"99999"}}).wantStatus(http.StatusBadRequest).contains("Inlägget du svarar på finns inte.")

	page := bea.get(fmt.Sprintf("/t/%d", tp.ID)).wantStatus(http.StatusOK)
	page.contains("<strong>introduktionen</strong>", "Svar till Test bea", fmt.Sprintf(`href="/p/%d"`, r1.ID), "Vi har en mentor för varje ny chef. Det fungerar bra.", "1 svar på inlägget:", "Svara", "Citera", `aria-hidden="true">TB<`)
	if got := countRows(t, a, "posts"); got != 3 {
		t.Fatalf("%d posts", got)
	}

	// Tack: on others' posts, once; not on one's own.
	bea.postForm(fmt.Sprintf("/p/%d/thanks", *tp.FirstPostID), nil).wantStatus(http.StatusSeeOther)
	bea.postForm(fmt.Sprintf("/p/%d/thanks", *tp.FirstPostID), nil).wantStatus(http.StatusSeeOther) // a double click
	bea.get(fmt.Sprintf("/t/%d", tp.ID)).contains("Ta tillbaka tack", "1 tack", `disabled title="Du kan inte tacka för ditt eget inlägg."`)
	anna.get(fmt.Sprintf("/p/%d/thanks", *tp.FirstPostID)).wantStatus(http.StatusOK).contains("Test bea", "@bea")
	anna.postForm(fmt.Sprintf("/p/%d/thanks", *tp.FirstPostID), nil).wantStatus(http.StatusForbidden)
	bea.postForm(fmt.Sprintf("/p/%d/unthank", *tp.FirstPostID), nil).wantStatus(http.StatusSeeOther)
	if n := countRows(t, a, "reactions"); n != 0 {
		t.Fatalf("%d reactions after taking thanks back", n)
	}

	// The accepted answer stands first under the question, and in place.
	r2 := mustReply(t, a, bm, tp.ID, "Ett svar till som blir det markerade.", 0)
	bea.postForm(fmt.Sprintf("/t/%d/answer", tp.ID), url.Values{"post_id": {fmt.Sprint(r2.ID)}}).wantStatus(http.StatusForbidden)
	anna.postForm(fmt.Sprintf("/t/%d/answer", tp.ID), url.Values{"post_id": {fmt.Sprint(r2.ID)}}).wantStatus(http.StatusSeeOther)
	body := anna.get(fmt.Sprintf("/t/%d", tp.ID)).wantStatus(http.StatusOK).contains("Markerat som svar", "Besvarad", "Ta bort markeringen som svar").Body
	ans, mentor := strings.Index(body, `id="answer"`), strings.Index(body, "Vi har en mentor")
	if ans < 0 || mentor < 0 || ans > mentor || strings.Count(body, "Ett svar till som blir det markerade.") != 2 {
		t.Fatalf("the answer does not stand first (answer at %d, first reply at %d)", ans, mentor)
	}
	anna.get("/").contains("Besvarad")
}

func TestForumPagesPaging(t *testing.T) {
	a, anna, _ := forumApp(t)
	am, bm := member(t, a, "anna"), member(t, a, "bea")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Långt ämne"})
	var posts []*forum.Post
	for i := 2; i <= 65; i++ {
		posts = append(posts, mustReply(t, a, bm, tp.ID, fmt.Sprintf("Svar nummer %d.", i), 0))
	}
	path := fmt.Sprintf("/t/%d", tp.ID)
	anna.get(path).wantStatus(http.StatusOK).contains("Svar nummer 30.", fmt.Sprintf(`href="%s?page=3"`, path)).lacks("Svar nummer 31.")
	anna.get(path+"?page=2").wantStatus(http.StatusOK).contains("Svar nummer 31.", "Svar nummer 60.", `aria-current="page" class="current">2<`).lacks("Svar nummer 30.", "Svar nummer 61.")
	anna.get(path + "?page=3").wantStatus(http.StatusOK).contains("Svar nummer 65.")
	anna.get(path + "?page=4").wantStatus(http.StatusNotFound)
	anna.get(path + "?page=zero").wantStatus(http.StatusNotFound)

	// A post's stable link lands on its page and place.
	p45 := posts[45-2]
	r := anna.get(fmt.Sprintf("/p/%d", p45.ID)).wantStatus(http.StatusSeeOther)
	if want := fmt.Sprintf("/t/%d?page=2#p%d", tp.ID, p45.ID); r.location() != want {
		t.Fatalf("stable link: %s, want %s", r.location(), want)
	}
	loc, _, _ := strings.Cut(r.location(), "#")
	anna.get(loc).contains(fmt.Sprintf(`id="p%d"`, p45.ID), "Svar nummer 45.")
	anna.get("/p/999999").wantStatus(http.StatusNotFound)
}

func TestForumPagesEditDelete(t *testing.T) {
	a, anna, bea := forumApp(t)
	mustCreateMember(t, a, "maja", forum.RoleModerator, forum.StatusApproved)
	mod := clientFor(t, a, "maja")
	am, bm := member(t, a, "anna"), member(t, a, "bea")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Rekrytering", Body: "Första versionen."})
	first := *tp.FirstPostID
	edit := fmt.Sprintf("/p/%d/edit", first)

	anna.get(edit).wantStatus(http.StatusOK).contains("Första versionen.", `name="version" value="1"`)
	bea.get(edit).wantStatus(http.StatusForbidden)
	bea.postForm(edit, url.Values{"body": {"Beas text"}, "version": {"1"}}).wantStatus(http.StatusForbidden)

	// Two editors read version 1; the second save is refused and her
	// text stays, beside the text now saved.
	anna.postForm(edit, url.Values{"body": {"Andra versionen."}, "version": {"1"}}).wantStatus(http.StatusSeeOther)
	r := mod.postForm(edit, url.Values{"body": {"Moderatorns ändring som inte får försvinna."}, "version": {"1"}}).wantStatus(http.StatusConflict)
	r.contains("Någon annan sparade inlägget medan du skrev.", "Moderatorns ändring som inte får försvinna.", "Andra versionen.", `name="version" value="2"`)
	// Saving again, knowingly, replaces it.
	mod.postForm(edit, url.Values{"body": {"Moderatorns ändring som inte får försvinna."}, "version": {"2"}}).wantStatus(http.StatusSeeOther)
	anna.get(fmt.Sprintf("/t/%d", tp.ID)).contains("Moderatorns ändring", "Redigerad", fmt.Sprintf(`href="/p/%d/revisions"`, first)).lacks("Andra versionen.")
	anna.get(fmt.Sprintf("/p/%d/revisions", first)).wantStatus(http.StatusOK).contains("Första versionen.", "Andra versionen.", "Version 1", "Version 2", "av Test maja")
	if n := countRows(t, a, "post_revisions"); n != 2 {
		t.Fatalf("%d revisions", n)
	}

	// Deleting keeps a marker; the replies keep their context.
	orig := mustReply(t, a, bm, tp.ID, "Beas inlägg som tas bort.", 0)
	mustReply(t, a, am, tp.ID, "Annas svar på det.", orig.ID)
	del := fmt.Sprintf("/p/%d/delete", orig.ID)
	anna.get(del).wantStatus(http.StatusForbidden)
	anna.postForm(del, nil).wantStatus(http.StatusForbidden)
	bea.get(del).wantStatus(http.StatusOK).contains("Ta bort inlägget?", "Beas inlägg som tas bort.")
	bea.postForm(del, nil).wantStatus(http.StatusSeeOther)
	anna.get(fmt.Sprintf("/t/%d", tp.ID)).contains("Inlägget är borttaget av författaren.", "Svar på ett borttaget inlägg", "Annas svar på det.").lacks("Beas inlägg som tas bort.")
	mod.postForm(fmt.Sprintf("/p/%d/delete", first), nil).wantStatus(http.StatusSeeOther)
	anna.get(fmt.Sprintf("/t/%d", tp.ID)).contains("Inlägget är borttaget av en moderator.")
	anna.get(edit).wantStatus(http.StatusConflict)
}

func TestForumPagesModeration(t *testing.T) {
	a, anna, _ := forumApp(t)
	admin := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	ac := clientFor(t, a, "ada")
	tp := mustTopic(t, a, member(t, a, "anna"), forum.NewTopic{Title: "Låsbart ämne", CategoryID: catAldreomsorg})
	lock := fmt.Sprintf("/t/%d/lock", tp.ID)

	anna.postForm(lock, url.Values{"locked": {"1"}}).wantStatus(http.StatusForbidden)
	ac.get(fmt.Sprintf("/t/%d", tp.ID)).contains("Lås ämnet")
	ac.postForm(lock, url.Values{"locked": {"1"}}).wantStatus(http.StatusSeeOther)
	anna.get(fmt.Sprintf("/t/%d", tp.ID)).contains("Ämnet är låst av en moderator").lacks(fmt.Sprintf(`action="/t/%d/reply"`, tp.ID), "Lås ämnet")
	anna.postForm(fmt.Sprintf("/t/%d/reply", tp.ID), url.Values{"body": {"Ändå"}}).wantStatus(http.StatusForbidden)
	ac.postForm(lock, url.Values{"locked": {"0"}}).wantStatus(http.StatusSeeOther)

	// Categories: listed with counts; admins manage them.
	anna.get("/categories").wantStatus(http.StatusOK).contains("Ledarskap", "Äldreomsorg", "Hemtjänst, särskilt boende", "1 ämne", "1 inlägg")
	anna.get("/admin/categories").wantStatus(http.StatusForbidden)
	anna.postForm("/admin/categories", url.Values{"name": {"Nytt"}}).wantStatus(http.StatusForbidden)
	ac.get("/admin/categories").wantStatus(http.StatusOK).contains("Ny kategori", "Flytta upp")
	ac.postForm("/admin/categories", url.Values{"name": {"Digitalisering och AI"}, "description": {"Verktyg och erfarenheter."}}).wantStatus(http.StatusSeeOther)
	ac.postForm("/admin/categories", url.Values{"name": {"Ledarskap"}}).wantStatus(http.StatusBadRequest).contains("Det kortnamnet används redan")
	cat, err := a.store.CategoryBySlug(context.Background(), "digitalisering-och-ai")
	if err != nil {
		t.Fatal(err)
	}
	ac.postForm(fmt.Sprintf("/admin/categories/%d", cat.ID), url.Values{"name": {"Digitalisering"}, "slug": {"digitalisering"}, "description": {"Ny beskrivning."}}).wantStatus(http.StatusSeeOther)
	ac.postForm(fmt.Sprintf("/admin/categories/%d", cat.ID), url.Values{"name": {"X"}, "slug": {"Fel slug!"}}).wantStatus(http.StatusBadRequest).contains("Använd små bokstäver")
	ac.postForm(fmt.Sprintf("/admin/categories/%d/move", cat.ID), url.Values{"direction": {"up"}}).wantStatus(http.StatusSeeOther)
	cs, _ := a.store.Categories(context.Background(), true)
	if cs[len(cs)-2].ID != cat.ID {
		t.Fatalf("move up: %v", cs[len(cs)-2].Name)
	}
	ac.postForm(fmt.Sprintf("/admin/categories/%d/archive", catAldreomsorg), url.Values{"archive": {"1"}}).wantStatus(http.StatusSeeOther)
	anna.get("/categories").contains("Arkiverad", "/c/digitalisering")
	anna.get("/c/aldreomsorg").wantStatus(http.StatusOK).contains("Kategorin är arkiverad", "Låsbart ämne").lacks("/new?category=2")
	anna.get(fmt.Sprintf("/t/%d", tp.ID)).contains("arkiverad kategori")
	anna.postForm("/new", url.Values{"title": {"I arkivet"}, "kind": {"discussion"}, "category_id": {"2"}, "body": {"Text"}}).
		wantStatus(http.StatusForbidden).contains("Kategorin är arkiverad")
	anna.get("/new").lacks(`<option value="2"`)
	ac.postForm(fmt.Sprintf("/admin/categories/%d/archive", catAldreomsorg), url.Values{"archive": {"0"}}).wantStatus(http.StatusSeeOther)
	anna.get("/c/aldreomsorg").lacks("Kategorin är arkiverad").contains("/new?category=2")
	anna.get("/c/finns-inte").wantStatus(http.StatusNotFound)
	_ = admin
}

// The home list pages by cursor: a topic bumped or started between two
// page loads neither repeats a topic nor skips one on the next page.
func TestForumPagesHomeKeyset(t *testing.T) {
	a, anna, _ := forumApp(t)
	clock := useTestClock(a)
	am, bm := member(t, a, "anna"), member(t, a, "bea")
	var ts []*forum.Topic
	for i := 1; i <= topicsPerPage+2; i++ {
		clock.Add(time.Second)
		ts = append(ts, mustTopic(t, a, am, forum.NewTopic{Title: fmt.Sprintf("Ämne nr %02d", i)}))
	}
	p1 := anna.get("/").wantStatus(http.StatusOK).contains("Ämne nr 32", "Ämne nr 03").lacks("Ämne nr 02", "Ämne nr 01")
	m := regexp.MustCompile(`href="(/\?page=[^"]+)" rel="next">Äldre ämnen`).FindStringSubmatch(p1.Body)
	if m == nil {
		t.Fatalf("no older link:\n%s", p1.Body)
	}
	// Between the loads: a topic of page 1 gets a reply, a new one starts.
	clock.Add(time.Second)
	mustReply(t, a, bm, ts[9].ID, "Ett nytt svar", 0)
	clock.Add(time.Second)
	mustTopic(t, a, bm, forum.NewTopic{Title: "Ämne nr 33"})
	p2 := anna.get(strings.ReplaceAll(m[1], "&amp;", "&")).wantStatus(http.StatusOK)
	p2.contains("Ämne nr 02", "Ämne nr 01", "Nyaste ämnena").lacks("Ämne nr 03", "Ämne nr 10", "Ämne nr 33", "Äldre ämnen")
	// The first page now starts with the newest.
	body := anna.get("/").Body
	if i33, i10, i32 := strings.Index(body, "Ämne nr 33"), strings.Index(body, "Ämne nr 10"), strings.Index(body, "Ämne nr 32"); !(i33 < i10 && i10 < i32) {
		t.Fatalf("order on page 1: 33 at %d, 10 at %d, 32 at %d", i33, i10, i32)
	}
	anna.get("/?page=garbage").wantStatus(http.StatusBadRequest)
}
