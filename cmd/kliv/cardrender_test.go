package main

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"kliv/forum"
	"kliv/i18n"
)

// refCard renders a card with the reference template,
// testdata/postcard.html: the "postcard" template as the topic page
// used it before renderCard, parsed into a clone of the topic page's
// set (which holds the partials it calls).
type refCard struct{ r *renderer }

func newRefCard(t *testing.T) *refCard {
	t.Helper()
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/postcard.html")
	if err != nil {
		t.Fatal(err)
	}
	set, err := r.pages["topic"].Clone()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.New("postcard-ref").Parse(string(src)); err != nil {
		t.Fatal(err)
	}
	r.pages["postcard-ref"] = set
	return &refCard{r}
}

func (rc *refCard) render(t *testing.T, pg *Page, s *cardSpec) string {
	t.Helper()
	var buf bytes.Buffer
	err := rc.r.pages["postcard-ref"].ExecuteTemplate(&buf, "postcard", map[string]any{
		"P": pg, "V": s.V, "T": &forum.Topic{ID: s.TopicID}, "Answer": s.Answer, "Closed": s.Closed})
	if err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestCardRendererGolden holds renderCard to the template it replaced:
// for a table of cards, in both languages, with hostile text in every
// field a member can write, the two must write the same bytes, the CSRF
// token included.
func TestCardRendererGolden(t *testing.T) {
	rc := newRefCard(t)
	b := i18n.MustLoad()
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	hostile := `Anna "<b>" & 'Ö' + <script>alert(1)</script>` + "\x00\uFFFD\xff"
	str := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	post := func() *forum.Post {
		p := samplePost()
		p.CreatedAt = now.Add(-26 * time.Hour)
		p.BodyHTML = "<p>Hej <strong>alla</strong> &amp; välkomna</p>\n<blockquote><p>citat</p></blockquote>"
		return p
	}
	type tc struct {
		name string
		spec func() *cardSpec
	}
	view := func(mod func(v *postView)) func() *cardSpec {
		return func() *cardSpec {
			v := &postView{Post: post()}
			mod(v)
			return &cardSpec{V: v, TopicID: 4}
		}
	}
	cases := []tc{
		{"plain", view(func(v *postView) {})},
		{"first post, no reply-to, not edited", view(func(v *postView) {
			v.Seq, v.ReplyTo, v.ReplyToSeq, v.ReplyToAuthor, v.ReplyToBody, v.EditedAt = 1, nil, nil, nil, nil, nil
			v.ThanksCount = 0
		})},
		{"own post: edit and delete, no thanks", view(func(v *postView) { v.CanChange = true })},
		{"can thank", view(func(v *postView) { v.CanThank, v.CanReport = true, true })},
		{"thanked, one thank", view(func(v *postView) { v.Thanked, v.ThanksCount = true, 1 })},
		{"bookmarked", view(func(v *postView) { v.Bookmarked = true })},
		{"moderator", view(func(v *postView) { v.CanModerate, v.CanReport, v.CanChange = true, true, true })},
		{"question: can mark as answer", view(func(v *postView) { v.CanAnswer, v.CanThank = true, true })},
		{"accepted answer in place", view(func(v *postView) { v.CanAnswer, v.IsAnswer = true, true })},
		{"accepted answer's copy", func() *cardSpec {
			v := &postView{Post: post(), IsAnswer: true, CanAnswer: true, CanThank: true}
			return &cardSpec{V: v, TopicID: 4, Answer: true}
		}},
		{"closed topic", func() *cardSpec {
			return &cardSpec{V: &postView{Post: post(), CanThank: true}, TopicID: 4, Closed: "topic.closed.locked"}
		}},
		{"deleted by author", view(func(v *postView) {
			now := now
			v.DeletedAt, v.DeletedBy, v.CanModerate = &now, "author", true
		})},
		{"deleted by moderator", view(func(v *postView) {
			now := now
			v.DeletedAt, v.DeletedBy = &now, "moderator"
		})},
		{"hidden, reader sees only the note", view(func(v *postView) {
			now := now
			v.HiddenAt, v.HiddenReason = &now, "preset:offtopic"
		})},
		{"hidden, author sees the text", view(func(v *postView) {
			now := now
			v.HiddenAt, v.HiddenReason, v.SeeHidden, v.CanChange = &now, hostile, true, true
		})},
		{"reply to a deleted post", view(func(v *postView) { v.ReplyToGone = true })},
		{"reply to a long post", view(func(v *postView) {
			v.ReplyToBody = str("**Fet** text och [en länk](https://skr.se) " + strings.Repeat("ord med mening ", 30))
			v.ReplyToAuthor = str(hostile)
		})},
		{"reply to a removed member", view(func(v *postView) { v.ReplyToAuthor = nil })},
		{"removed author", view(func(v *postView) {
			v.AuthorID, v.AuthorUsername, v.AuthorName, v.AuthorAvatar = nil, nil, nil, "abc"
		})},
		{"hostile profile", view(func(v *postView) {
			v.AuthorName, v.AuthorTitle, v.AuthorWork = str(hostile), hostile, hostile
			v.AuthorSector = "region"
		})},
		{"role hidden", view(func(v *postView) { v.HideRole = true })},
		{"no role fields", view(func(v *postView) { v.AuthorTitle, v.AuthorWork, v.AuthorSector = "", "", "" })},
		{"avatar", view(func(v *postView) { v.AuthorAvatar = "3f9a0c" })},
		{"avatar with odd characters", view(func(v *postView) {
			v.AuthorUsername, v.AuthorAvatar = str(`an na"<'&+%41%zz`), "v=1&x=ö é"
		})},
		{"replies", view(func(v *postView) {
			v.Replies = []forum.Post{{ID: 31, AuthorName: str("Berit")}, {ID: 32}, {ID: 33, AuthorName: str(hostile)}}
		})},
		{"one reply", view(func(v *postView) { v.Replies = []forum.Post{{ID: 31, AuthorName: str("Berit")}} })},
		{"everything", view(func(v *postView) {
			now := now
			v.Replies = []forum.Post{{ID: 31, AuthorName: str("Berit")}}
			v.Thanked, v.CanChange, v.CanThank, v.CanAnswer, v.IsAnswer = true, true, true, true, true
			v.Bookmarked, v.CanReport, v.SeeHidden, v.CanModerate = true, true, true, true
			v.HiddenAt, v.HiddenReason, v.ReplyTo = &now, "preset:spam", i64(3)
			v.ThanksCount = 12
		})},
		{"empty body", view(func(v *postView) { v.BodyHTML = "" })},
	}
	tokens := []string{"c2Vzc2lvbi10b2tlbg_-abc", ""}
	for _, lang := range i18n.Langs {
		for _, readOnly := range []bool{false, true} {
			for _, c := range cases {
				for _, token := range tokens {
					l := i18n.Localizer{B: b, Lang: lang}
					pg := &Page{L: l, Now: now, CSRF: token, ReadOnly: readOnly}
					s := c.spec()
					s.Lang, s.When = lang, pg.When(s.V.CreatedAt)
					want := rc.render(t, pg, s)
					var w cardWriter
					renderCard(&w, newCardTexts(pg), pg, s)
					got := string(w.entry(cardKey{}).withToken(escHTML(token)))
					if got != want {
						t.Errorf("%s, %s, token %q: renderCard differs from the template\n got: %s\nwant: %s",
							c.name, lang, token, firstDiff(got, want), firstDiff(want, got))
					}
				}
			}
		}
	}
}

// firstDiff is a from the first byte where it differs from b, with a
// little before it.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-60)
	to := min(len(a), i+80)
	return "…" + a[from:to] + "…"
}

// The escapers write what html/template writes.
func TestCardEscapers(t *testing.T) {
	for _, s := range []string{"", "plain", `<a href="x">&'+`, "\x00", "åäö\xff\uFFFD"} {
		if got, want := escHTML(s), htmlTemplateEscape(t, s); got != want {
			t.Errorf("escHTML(%q) = %q, want %q", s, got, want)
		}
	}
	for _, s := range []string{"/u/anna/avatar?v=1", "/u/a b/avatar?v=1&x=2+3", "javascript:alert(1)", "HTTPS://x", "mailto:a@b", "/p/%41%zz'\"<>",
		"a/b:c", "data:text/html,x"} {
		if got, want := string(appendEscURL(nil, s)), htmlTemplateURL(t, s); got != want {
			t.Errorf("appendEscURL(%q) = %q, want %q", s, got, want)
		}
	}
}

func htmlTemplateEscape(t *testing.T, s string) string {
	t.Helper()
	return execRef(t, `<p>{{.}}</p>`, s, "<p>", "</p>")
}

func htmlTemplateURL(t *testing.T, s string) string {
	t.Helper()
	return execRef(t, `<img src="{{.}}">`, s, `<img src="`, `">`)
}

func execRef(t *testing.T, src, s, pre, post string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := template.Must(template.New("").Parse(src)).Execute(&buf, s); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(strings.TrimPrefix(buf.String(), pre), post)
}

// A change saved by another process on the same database (simulated by
// writing the rows directly, past every hook of this app) shows on the
// next view although the cards were cached: the card's key is made from
// the rows as read, so nothing in this process has to be told.
func TestTopicPageCardsSeeOtherWriters(t *testing.T) {
	a, anna, _ := forumApp(t)
	am := member(t, a, "anna")
	tp := mustTopic(t, a, am, forum.NewTopic{Title: "Två processer", Kind: forum.KindDiscussion, Body: "Första texten"})
	r := mustReply(t, a, am, tp.ID, "Svaret som ändras", 0)
	path := fmt.Sprintf("/t/%d", tp.ID)
	before := anna.get(path).wantStatus(http.StatusOK).Body
	if !strings.Contains(before, "Svaret som ändras") {
		t.Fatal("the reply is not on the page")
	}
	anna.get(path).wantStatus(http.StatusOK)
	hits := a.views.cards.hits.Load()
	if hits == 0 {
		t.Fatal("the second view was not served from the cache")
	}
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := a.db.ExecContext(ctx, a.db.Rebind(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE posts SET body = ?, body_html = ?, version = version + 1, edited_at = ? WHERE id = ?`,
		"Ändrad i en annan process", "<p>Ändrad i en annan process</p>", time.Now().UTC(), r.ID)
	exec(`UPDATE members SET display_name = ? WHERE id = ?`, "Anna Andersson-Berg", am.ID)
	after := anna.get(path).wantStatus(http.StatusOK).Body
	card := cardOf(after, r.ID)
	for _, want := range []string{"Ändrad i en annan process", "Anna Andersson-Berg", "/revisions"} {
		if !strings.Contains(card, want) {
			t.Errorf("after another process's change the card lacks %q:\n%s", want, card)
		}
	}
	if strings.Contains(after, "Svaret som ändras") {
		t.Error("the page still shows the old text")
	}
	if !strings.Contains(cardOf(after, *tp.FirstPostID), "Anna Andersson-Berg") {
		t.Error("the first post still shows the old name")
	}
}

// TestPagerRendererGolden holds renderPager to the "topicpager" template
// it replaced (testdata/topicpager.html) for every page of topics of 2
// to 12 pages, in both languages.
func TestPagerRendererGolden(t *testing.T) {
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/topicpager.html")
	if err != nil {
		t.Fatal(err)
	}
	set, err := r.pages["topic"].Clone()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.New("topicpager-ref").Parse(string(src)); err != nil {
		t.Fatal(err)
	}
	b := i18n.MustLoad()
	for _, lang := range i18n.Langs {
		for pages := 2; pages <= 12; pages++ {
			for cur := 1; cur <= pages; cur++ {
				tp := &forum.Topic{ID: 77, PostCount: pages * forum.PageSize}
				p := &topicPage{Page: Page{L: i18n.Localizer{B: b, Lang: lang}}, Topic: tp, PageNum: cur, Pager: pageLinks(cur, pages)}
				var want bytes.Buffer
				if err := set.ExecuteTemplate(&want, "topicpager", p); err != nil {
					t.Fatal(err)
				}
				var w cardWriter
				renderPager(&w, p)
				if got := string(w.b); got != want.String() {
					t.Errorf("%s, page %d of %d: renderPager differs\n got: %s\nwant: %s", lang, cur, pages,
						firstDiff(got, want.String()), firstDiff(want.String(), got))
				}
			}
		}
	}
}
