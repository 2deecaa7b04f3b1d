package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"kliv/forum"
)

func TestPostCacheLRU(t *testing.T) {
	c := newPostCache(1600)
	entry := func(n int, size int) *cardEntry {
		return &cardEntry{key: cardKey{uint64(n)}, html: strings.Repeat("x", size)}
	}
	for i := 1; i <= 8; i++ {
		c.put(entry(i, 100)) // 196 bytes each with the overhead: 1568
	}
	for i := 1; i <= 8; i++ {
		if c.get(cardKey{uint64(i)}) == nil {
			t.Fatalf("card %d missing", i)
		}
	}
	c.get(cardKey{1})
	// Card 1 was used last: filling the cache evicts 2, 3… first.
	c.put(entry(9, 100))
	c.put(entry(10, 100))
	if c.get(cardKey{2}) != nil || c.get(cardKey{3}) != nil {
		t.Error("cards 2 and 3 should have been evicted first")
	}
	if c.get(cardKey{1}) == nil || c.get(cardKey{10}) == nil || c.get(cardKey{4}) == nil {
		t.Error("recently used cards were evicted")
	}
	if c.used > c.max {
		t.Errorf("cache holds %d bytes, more than its %d", c.used, c.max)
	}
	// A card too large for the cache is not kept.
	c.put(entry(11, 900))
	if c.get(cardKey{11}) != nil {
		t.Error("an oversized card was cached")
	}
	// Putting a key twice keeps one entry and counts it once.
	before := c.used
	c.put(entry(10, 100))
	if c.used != before || c.len() != len(c.m) {
		t.Errorf("re-put: used %d → %d", before, c.used)
	}

	// Safe for concurrent use (run with -race).
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := cardKey{uint64(i % 50), uint64(g % 2)}
				if c.get(k) == nil {
					c.put(&cardEntry{key: k, html: strings.Repeat("y", i%40)})
				}
			}
		}(g)
	}
	wg.Wait()
	n := 0
	for e := c.ring.next; e != &c.ring; e = e.next {
		n++
	}
	if n != len(c.m) || c.used > c.max {
		t.Errorf("after concurrent use: ring %d, map %d, used %d of %d", n, len(c.m), c.used, c.max)
	}
}

func TestCardHoles(t *testing.T) {
	key := cardKey{1, 2}
	ph := strings.Repeat("ab", placeholderLen/2)
	out := `<form><input type="hidden" name="csrf_token" value="` + ph + `"></form><p>` + `x</p><input value="` + ph + `">`
	e, err := cutHoles([]byte(out), ph, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.holes) != 2 || strings.Contains(e.html, ph) {
		t.Fatalf("holes %v in %q", e.holes, e.html)
	}
	var b strings.Builder
	appendCard(&b, e, "TOKEN")
	if want := strings.ReplaceAll(out, ph, "TOKEN"); b.String() != want {
		t.Errorf("filled card:\n%s\nwant\n%s", b.String(), want)
	}
	if got := string(e.withToken("T&K")); got != strings.ReplaceAll(out, ph, "T&K") {
		t.Errorf("withToken does not fill as given: %s", got)
	}
	// Anywhere but an attribute value the token is not cut out.
	if _, err := cutHoles([]byte(`<p>`+ph+`</p>`), ph, key); err == nil {
		t.Error("a token in text was cut out")
	}
}

// keyOf is the key of a card as cardsOf makes it.
func keyOf(c *postCache, s *cardSpec) cardKey {
	var k cardKeyer
	k.reset("card/1")
	k.card(s)
	return k.sum(&c.seeds)
}

// mutate changes the value v (a field) to something else of its type,
// reporting false for a kind it does not know.
func mutate(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 7)
	case reflect.String:
		v.SetString(v.String() + "·")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		} else if !mutate(v.Elem()) {
			return false
		}
	case reflect.Struct:
		if tm, ok := v.Addr().Interface().(*time.Time); ok {
			*tm = tm.Add(time.Second)
			return true
		}
		return false
	case reflect.Slice:
		if v.Type().Elem() == reflect.TypeFor[forum.Post]() {
			v.Set(reflect.Append(v, reflect.ValueOf(forum.Post{ID: 99})))
			return true
		}
		return false
	default:
		return false
	}
	return true
}

func samplePost() *forum.Post {
	id, seq, name, body := int64(3), 2, "Anna", "**hej**"
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	return &forum.Post{ID: 10, TopicID: 4, Seq: 5, AuthorID: &id, AuthorUsername: &name, AuthorName: &name,
		AuthorTitle: "Chef", AuthorWork: "Mölndal", AuthorSector: "municipality", AuthorRole: "member",
		ReplyTo: &id, ReplyToSeq: &seq, ReplyToAuthor: &name, ReplyToBody: &body, Body: "text",
		BodyHTML: "<p>text</p>", Version: 1, ThanksCount: 2, ReplyCount: 1, CreatedAt: now, EditedAt: &now}
}

// Every field of a post, of its card's view and of the card's place in
// the page changes the card's key: adding one without adding it to
// cardKeyer fails here. (That the key changes is what invalidates a
// cached card.)
func TestCardKeyCovers(t *testing.T) {
	c := newPostCache(1 << 20)
	base := func() *cardSpec {
		return &cardSpec{V: &postView{Post: samplePost(), Replies: []forum.Post{*samplePost()}}, TopicID: 4, Lang: "sv", When: "i dag 10:00"}
	}
	k0 := keyOf(c, base())
	if keyOf(c, base()) != k0 {
		t.Fatal("the same card has two keys")
	}
	check := func(what string, change func(s *cardSpec) reflect.Value, n int) {
		for i := 0; i < n; i++ {
			s := base()
			f := change(s).Field(i)
			name := change(s).Type().Field(i).Name
			if !f.CanSet() || name == "Post" || name == "V" {
				continue // unexported, or checked on its own
			}
			if !mutate(f) {
				t.Errorf("%s.%s: the test does not know how to change a %s", what, name, f.Type())
				continue
			}
			if keyOf(c, s) == k0 {
				t.Errorf("%s.%s is not in the card's key", what, name)
			}
		}
	}
	post := reflect.TypeFor[forum.Post]()
	check("Post", func(s *cardSpec) reflect.Value { return reflect.ValueOf(s.V.Post).Elem() }, post.NumField())
	check("reply Post", func(s *cardSpec) reflect.Value { return reflect.ValueOf(&s.V.Replies[0]).Elem() }, post.NumField())
	view := reflect.TypeFor[postView]()
	check("postView", func(s *cardSpec) reflect.Value { return reflect.ValueOf(s.V).Elem() }, view.NumField())
	spec := reflect.TypeFor[cardSpec]()
	check("cardSpec", func(s *cardSpec) reflect.Value { return reflect.ValueOf(s).Elem() }, spec.NumField())
}

// The same for a topic list's row.
func TestCardKeyCoversTopic(t *testing.T) {
	c := newPostCache(1 << 20)
	key := func(tp *forum.Topic) cardKey {
		var k cardKeyer
		k.reset("row/1")
		k.topic(tp)
		return k.sum(&c.seeds)
	}
	sample := func() *forum.Topic {
		id, name, u := int64(3), "Anna", "https://skr.se"
		now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
		return &forum.Topic{ID: 4, CategoryID: 1, CategorySlug: "ledarskap", CategoryName: "Ledarskap", AuthorID: &id,
			AuthorUsername: &name, AuthorName: &name, Kind: "tip", Title: "Tips", URL: &u, FirstPostID: &id,
			AnswerPostID: &id, PostCount: 3, ThanksCount: 1, LockedAt: &now, CreatedAt: now, LastPostAt: now,
			LastPostID: &id, LastPoster: &name, LastPosterName: &name}
	}
	k0 := key(sample())
	for i := 0; i < reflect.TypeFor[forum.Topic]().NumField(); i++ {
		tp := sample()
		f := reflect.ValueOf(tp).Elem().Field(i)
		if !mutate(f) {
			t.Errorf("Topic.%s: the test does not know how to change a %s", reflect.TypeFor[forum.Topic]().Field(i).Name, f.Type())
			continue
		}
		if key(tp) == k0 {
			t.Errorf("Topic.%s is not in the row's key", reflect.TypeFor[forum.Topic]().Field(i).Name)
		}
	}
	// Kinds of fragment never share keys.
	var a, b cardKeyer
	a.reset("card/1")
	b.reset("row/1")
	if a.sum(&c.seeds) == b.sum(&c.seeds) {
		t.Error("two kinds share a key")
	}
}

var articleRE = regexp.MustCompile(`(?s)<article class="post card[^"]*" id="(p\d+|answer)".*?</article>`)

// cardOf is the card of post id on a topic page ("" when absent).
func cardOf(body string, id int64) string {
	for _, m := range articleRE.FindAllStringSubmatch(body, -1) {
		if m[1] == fmt.Sprintf("p%d", id) {
			return m[0]
		}
	}
	return ""
}

var csrfValueRE = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)

// Cached cards show every change at once, and one reader's card, with
// her rights and her CSRF token, is never shown to another.
func TestTopicPageCardsInvalidation(t *testing.T) {
	a, anna, bea := forumApp(t)
	ctx := context.Background()
	mustCreateMember(t, a, "mona", forum.RoleModerator, forum.StatusApproved)
	mustCreateMember(t, a, "cleo", forum.RoleMember, forum.StatusApproved)
	mona, cleo := clientFor(t, a, "mona"), clientFor(t, a, "cleo")
	clock := useTestClock(a)
	am, bm := member(t, a, "anna"), member(t, a, "bea")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Cachade kort", Kind: forum.KindQuestion, Body: "Frågan i första versionen"})
	first := *tp.FirstPostID
	r1 := mustReply(t, a, am, tp.ID, "Annas svar, version ett", 0)
	r2 := mustReply(t, a, bm, tp.ID, "Beas svar", 0)
	path := fmt.Sprintf("/t/%d", tp.ID)
	page := func(c *testClient) string {
		t.Helper()
		return c.get(path).wantStatus(http.StatusOK).Body
	}
	hits := func() int64 { return a.views.cards.hits.Load() }

	// Rights: each sees Edit on her own posts only; the moderator on all.
	for round := 0; round < 2; round++ { // the second round is served from the cache
		pa, pb, pm, pc := page(anna), page(bea), page(mona), page(cleo)
		for _, id := range []int64{first, r1.ID} {
			edit := fmt.Sprintf(`/p/%d/edit"`, id)
			if !strings.Contains(cardOf(pa, id), edit) || strings.Contains(cardOf(pb, id), edit) || !strings.Contains(cardOf(pm, id), edit) {
				t.Fatalf("round %d: Edit of anna's post %d shown to the wrong readers", round, id)
			}
			// Others may thank her post; she may not, moderator or not.
			thank := fmt.Sprintf(`action="/p/%d/thanks"`, id)
			if strings.Contains(cardOf(pa, id), thank) || !strings.Contains(cardOf(pb, id), thank) || !strings.Contains(cardOf(pm, id), thank) {
				t.Fatalf("round %d: Thanks of anna's post %d shown to the wrong readers", round, id)
			}
		}
		if strings.Contains(cardOf(pa, r2.ID), fmt.Sprintf(`/p/%d/edit"`, r2.ID)) {
			t.Fatalf("round %d: anna sees Edit on bea's post", round)
		}
		// Anna asked the question: she may mark bea's reply as the answer; bea may not.
		mark := fmt.Sprintf(`name="post_id" value="%d"`, r2.ID)
		if !strings.Contains(cardOf(pa, r2.ID), mark) || strings.Contains(cardOf(pb, r2.ID), mark) || strings.Contains(cardOf(pc, r2.ID), mark) {
			t.Fatalf("round %d: mark as answer shown to the wrong reader", round)
		}
		// Every form of a page carries its own reader's token.
		for _, v := range []struct {
			c    *testClient
			body string
		}{{anna, pa}, {bea, pb}, {mona, pm}, {cleo, pc}} {
			ms := csrfValueRE.FindAllStringSubmatch(v.body, -1)
			if len(ms) < 5 {
				t.Fatalf("round %d: only %d forms", round, len(ms))
			}
			for _, m := range ms {
				if m[1] != v.c.csrf {
					t.Fatalf("round %d: a page has a form with token %q, not its reader's %q", round, m[1], v.c.csrf)
				}
			}
		}
	}
	if hits() == 0 {
		t.Fatal("the second round was not served from the cache")
	}

	// An edit shows at once.
	if _, err := a.store.EditPost(ctx, am, r1.ID, "Annas svar, version två", 1); err != nil {
		t.Fatal(err)
	}
	if c := cardOf(page(bea), r1.ID); !strings.Contains(c, "version två") || strings.Contains(c, "version ett") {
		t.Fatalf("bea sees the old text after the edit:\n%s", c)
	}

	// A thanks and an unthank, for the one who thanks and for the others.
	thanksCount := fmt.Sprintf(`href="/p/%d/thanks">`, r1.ID)
	unthank := fmt.Sprintf(`action="/p/%d/unthank"`, r1.ID)
	bea.postForm(fmt.Sprintf("/p/%d/thanks", r1.ID), nil).wantStatus(http.StatusSeeOther)
	if c := cardOf(page(bea), r1.ID); !strings.Contains(c, unthank) || !strings.Contains(c, thanksCount) {
		t.Fatalf("bea's card after her thanks:\n%s", c)
	}
	// Cleo has the same rights as bea and has not thanked.
	if c := cardOf(page(cleo), r1.ID); strings.Contains(c, unthank) || !strings.Contains(c, thanksCount) {
		t.Fatalf("cleo's card after bea's thanks:\n%s", c)
	}
	if c := cardOf(page(mona), r1.ID); strings.Contains(c, unthank) || !strings.Contains(c, thanksCount) {
		t.Fatalf("mona's card after bea's thanks:\n%s", c)
	}
	bea.postForm(fmt.Sprintf("/p/%d/unthank", r1.ID), nil).wantStatus(http.StatusSeeOther)
	if c := cardOf(page(bea), r1.ID); strings.Contains(c, unthank) || strings.Contains(c, thanksCount) {
		t.Fatalf("bea's card after taking her thanks back:\n%s", c)
	}
	if c := cardOf(page(mona), r1.ID); strings.Contains(c, thanksCount) {
		t.Fatalf("mona still sees a thanks:\n%s", c)
	}

	// A new reply to a post lists its author under that post.
	mustReply(t, a, bm, tp.ID, "Svar till Anna", r1.ID)
	if c := cardOf(page(anna), r1.ID); !strings.Contains(c, `class="replies"`) || !strings.Contains(c, "Test bea") {
		t.Fatalf("the new reply is not listed under the post:\n%s", c)
	}

	// A deletion.
	if err := a.store.DeletePost(ctx, am, r1.ID); err != nil {
		t.Fatal(err)
	}
	if c := cardOf(page(bea), r1.ID); !strings.Contains(c, `class="deleted-note"`) || strings.Contains(c, "version två") {
		t.Fatalf("bea sees the deleted post:\n%s", c)
	}

	// A profile change of the author: her name, then her title.
	if _, err := a.db.Exec(`UPDATE members SET display_name = 'Anna Andersson' WHERE id = ?`, am.ID); err != nil {
		t.Fatal(err)
	}
	if c := cardOf(page(bea), first); !strings.Contains(c, "Anna Andersson") {
		t.Fatalf("the card shows the old name:\n%s", c)
	}
	if _, err := a.db.Exec(`UPDATE members SET role_title = 'Verksamhetschef' WHERE id = ?`, am.ID); err != nil {
		t.Fatal(err)
	}
	if c := cardOf(page(bea), first); !strings.Contains(c, "Verksamhetschef") {
		t.Fatalf("the card shows the old title:\n%s", c)
	}

	// Marking the answer, a bookmark, a lock and the clock.
	anna.postForm(path+"/answer", url.Values{"post_id": {fmt.Sprint(r2.ID)}}).wantStatus(http.StatusSeeOther)
	pb := page(bea)
	if !strings.Contains(cardOf(pb, r2.ID), `is-answer`) || !strings.Contains(pb, `id="answer"`) {
		t.Fatal("the answer is not marked")
	}
	bea.postForm(fmt.Sprintf("/p/%d/bookmark", first), url.Values{"note": {""}}).wantStatus(http.StatusSeeOther)
	if !strings.Contains(cardOf(page(bea), first), "bookmark-link saved") || strings.Contains(cardOf(page(anna), first), "bookmark-link saved") {
		t.Fatal("the bookmark is shown to the wrong reader")
	}
	reply := fmt.Sprintf(`%s/reply?to=%d`, path, r2.ID)
	if !strings.Contains(cardOf(page(bea), r2.ID), reply) {
		t.Fatal("no reply link on an open topic")
	}
	mona.postForm(path+"/lock", url.Values{"locked": {"1"}}).wantStatus(http.StatusSeeOther)
	if strings.Contains(cardOf(page(bea), r2.ID), reply) {
		t.Fatal("a reply link on a locked topic")
	}
	clock.Add(3 * time.Minute)
	if c := cardOf(page(bea), r2.ID); !strings.Contains(c, "för 3 minuter sedan") {
		t.Fatalf("the card's time did not move with the clock:\n%s", c)
	}
	// In English.
	bea.postForm("/lang", url.Values{"lang": {"en"}}).wantStatus(http.StatusSeeOther)
	if c := cardOf(page(bea), r2.ID); !strings.Contains(c, "3 minutes ago") {
		t.Fatalf("the card is not in English:\n%s", c)
	}
}

// The topic lists' cached rows show new activity and the reader's own
// unread marks at once.
func TestTopicListRowsInvalidation(t *testing.T) {
	a, anna, bea := forumApp(t)
	am := member(t, a, "anna")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Rad i listan"})
	row := func(c *testClient, path string) string {
		t.Helper()
		body := c.get(path).wantStatus(http.StatusOK).Body
		i := strings.Index(body, "Rad i listan")
		if i < 0 {
			t.Fatalf("%s: no row", path)
		}
		start := strings.LastIndex(body[:i], "<li")
		end := strings.Index(body[i:], "</li>")
		return body[start : i+end]
	}
	for _, path := range []string{"/", "/c/ledarskap"} {
		row(anna, path)
		r := row(bea, path)
		if !strings.Contains(r, "has-unread") {
			t.Fatalf("%s: the new topic is not unread for bea:\n%s", path, r)
		}
	}
	bea.get(fmt.Sprintf("/t/%d", tp.ID)).wantStatus(http.StatusOK)
	mustReply(t, a, am, tp.ID, "Ett svar", 0)
	for _, path := range []string{"/", "/c/ledarskap"} {
		if r := row(bea, path); !strings.Contains(r, "1 svar") || !strings.Contains(r, "unread-count") {
			t.Fatalf("%s: bea's row after a reply:\n%s", path, r)
		}
		if r := row(anna, path); !strings.Contains(r, "1 svar") || strings.Contains(r, "has-unread") {
			t.Fatalf("%s: anna's row after her reply:\n%s", path, r)
		}
	}
	if !strings.Contains(row(bea, "/"), `href="/c/ledarskap"`) || strings.Contains(row(bea, "/c/ledarskap"), `href="/c/ledarskap"`) {
		t.Fatal("the category link is shown in the wrong list")
	}
}
