package main

// HTTP tests of mail settings, notification mail, unsubscribe links,
// feeds and /api/v1/me.

import (
	"bytes"
	"context"
	"encoding/xml"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kliv/forum"
	"kliv/forum/mail"
)

// mfTopic starts a topic in the first category through the store and
// returns it with its first post.
func mfTopic(t testing.TB, a *app, author *forum.Member, title, body string) (*forum.Topic, *forum.Post) {
	t.Helper()
	cats, err := a.store.Categories(context.Background(), false)
	if err != nil || len(cats) == 0 {
		t.Fatalf("categories: %v", err)
	}
	tp, p, err := a.store.CreateTopic(context.Background(), author, forum.NewTopic{CategoryID: cats[0].ID, Title: title, Body: body})
	if err != nil {
		t.Fatalf("create topic: %v", err)
	}
	return tp, p
}

// mfOutbox is a queued mail.
type mfOutbox struct {
	ID      int64  `db:"id"`
	Kind    string `db:"kind"`
	To      string `db:"to_addr"`
	Subject string `db:"subject"`
	Body    string `db:"body"`
	Headers string `db:"headers"`
}

func (m mfOutbox) header() map[string]string {
	return (&forum.OutboxMail{HeadersJSON: m.Headers}).Header()
}

func mfMails(t testing.TB, a *app, to string) []mfOutbox {
	t.Helper()
	var ms []mfOutbox
	if err := a.db.Select(&ms, `SELECT id, kind, to_addr, subject, body, headers FROM outbox WHERE to_addr = ? ORDER BY id`, to); err != nil {
		t.Fatal(err)
	}
	return ms
}

func mfPrefs(t testing.TB, a *app, m *forum.Member) forum.MailPrefs {
	t.Helper()
	p, err := a.store.MailPrefs(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mfRawKeys fails if a page shows a raw catalog key of this area.
var mfRawKeyRE = regexp.MustCompile(`(?:^|[^/\w.@-])((?:mailprefs|feeds|unsubscribe|mail)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*)`)

func mfNoRawKeys(t testing.TB, r *testResponse) {
	t.Helper()
	for _, m := range mfRawKeyRE.FindAllStringSubmatch(r.Body, -1) {
		t.Errorf("%s: raw key %q on the page", r.req, m[1])
	}
}

func TestMailSettingsPage(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	anna, _ := a.store.MemberByUsername(context.Background(), "anna")
	c := clientFor(t, a, "anna")

	r := c.get("/settings/mail").wantStatus(http.StatusOK)
	r.contains("<h1>Mejl och flöden</h1>", "Svar på dina inlägg", "Direkt", "Daglig sammanfattning", "Veckosammanfattning", "Aldrig",
		`name="reply" value="instant" checked`, `name="posted" value="daily" checked`, `name="thanks" value="weekly" checked`,
		"Byt nyckel", testBaseURL+"/feeds/latest.atom?token=", "anna@example.se")
	mfNoRawKeys(t, r)

	// Saving works as a plain form post.
	r = c.postForm("/settings/mail", url.Values{"reply": {"daily"}, "posted": {"weekly"}, "thanks": {"never"}}).wantStatus(http.StatusSeeOther)
	if r.location() != "/settings/mail" {
		t.Errorf("saved to %q", r.location())
	}
	c.get("/settings/mail").contains("Dina mejlinställningar är sparade.", `name="reply" value="daily" checked`,
		`name="posted" value="weekly" checked`, `name="thanks" value="never" checked`, `name="mention" value="instant" checked`)
	p := mfPrefs(t, a, anna)
	if p["reply"] != "daily" || p["posted"] != "weekly" || p["thanks"] != "never" || p["mention"] != "instant" {
		t.Errorf("stored prefs %v", p)
	}

	// A bad choice shows the form again with the error and changes nothing.
	r = c.postForm("/settings/mail", url.Values{"reply": {"hourly"}, "mention": {"never"}}).wantStatus(http.StatusBadRequest)
	r.contains("Välj ett av alternativen.", `href="#f-reply"`, `class="field has-error" id="f-reply"`)
	if mfPrefs(t, a, anna)["mention"] != "instant" {
		t.Errorf("a failed save changed something")
	}
	// Without the CSRF token it is refused.
	c.postForm("/settings/mail", url.Values{"reply": {"never"}, "csrf_token": {"wrong"}}).wantStatus(http.StatusForbidden)

	// In English, with no raw keys.
	c.Lang = "en"
	if err := a.store.SetLang(context.Background(), anna.ID, "en"); err != nil {
		t.Fatal(err)
	}
	r = c.get("/settings/mail").wantStatus(http.StatusOK).contains("<h1>E-mail and feeds</h1>", "At once", "Change key")
	mfNoRawKeys(t, r)

	// Visitors sign in first; applicants are not members.
	newTestClient(t, a).get("/settings/mail").wantStatus(http.StatusSeeOther)
	mustCreateMember(t, a, "pia", forum.RoleMember, forum.StatusPending)
	pc := clientFor(t, a, "pia")
	pc.get("/settings/mail").wantStatus(http.StatusSeeOther)
	pc.api("GET", "/api/v1/me", nil).wantStatus(http.StatusForbidden)
}

func TestMeAPI(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	c := clientFor(t, a, "anna")
	newTestClient(t, a).api("GET", "/api/v1/me", nil).wantStatus(http.StatusUnauthorized)

	me := c.api("GET", "/api/v1/me", nil).wantStatus(http.StatusOK).json()
	for _, k := range []string{"username", "email", "display_name", "role", "status", "lang", "feed_token", "profile", "mail_prefs", "auto_follow"} {
		if _, ok := me[k]; !ok {
			t.Errorf("/api/v1/me lacks %q: %v", k, me)
		}
	}
	if me["username"] != "anna" || me["email"] != "anna@example.se" || me["role"] != "member" || me["status"] != "approved" || me["auto_follow"] != true {
		t.Errorf("/api/v1/me = %v", me)
	}
	tok, _ := me["feed_token"].(string)
	if len(tok) < 40 {
		t.Errorf("feed_token %q", tok)
	}
	profile, _ := me["profile"].(map[string]any)
	for _, k := range []string{"role_title", "workplace", "sector"} {
		if _, ok := profile[k]; !ok {
			t.Errorf("profile lacks %q: %v", k, profile)
		}
	}
	prefs, _ := me["mail_prefs"].(map[string]any)
	if len(prefs) != len(forum.MailKinds) || prefs["reply"] != "instant" || prefs["posted"] != "daily" || prefs["thanks"] != "weekly" {
		t.Errorf("mail_prefs %v", prefs)
	}
	// The token is made once and shown again.
	if again := c.api("GET", "/api/v1/me", nil).json()["feed_token"]; again != tok {
		t.Errorf("feed_token changed between reads")
	}

	// Mail preferences, in both body shapes.
	r := c.api("PUT", "/api/v1/me/mail-prefs", map[string]any{"reply": "never"}).wantStatus(http.StatusOK).json()
	if got := r["mail_prefs"].(map[string]any); got["reply"] != "never" || got["mention"] != "instant" {
		t.Errorf("PUT bare: %v", got)
	}
	c.api("PUT", "/api/v1/me/mail-prefs", map[string]any{"mail_prefs": map[string]string{"thanks": "daily"}}).wantStatus(http.StatusOK)
	got := c.api("GET", "/api/v1/me/mail-prefs", nil).wantStatus(http.StatusOK).json()["mail_prefs"].(map[string]any)
	if got["reply"] != "never" || got["thanks"] != "daily" {
		t.Errorf("GET after PUT: %v", got)
	}
	c.api("PUT", "/api/v1/me/mail-prefs", map[string]any{"reply": "hourly"}).wantStatus(http.StatusBadRequest)
	c.api("PUT", "/api/v1/me/mail-prefs", map[string]any{"likes": "never"}).wantStatus(http.StatusBadRequest)
	c.api("PUT", "/api/v1/me/mail-prefs", map[string]any{"reply": 1}).wantStatus(http.StatusBadRequest)
	c.api("PUT", "/api/v1/me/mail-prefs", "[1,2]").wantStatus(http.StatusBadRequest)
	c.NoCSRF = true
	c.api("PUT", "/api/v1/me/mail-prefs", map[string]any{"reply": "instant"}).wantStatus(http.StatusForbidden)
	c.NoCSRF = false

	// A bearer token reads and regenerates the same way.
	anna, _ := a.store.MemberByUsername(context.Background(), "anna")
	bearer, err := a.store.CreateAPIToken(context.Background(), anna.ID, "script")
	if err != nil {
		t.Fatal(err)
	}
	bc := newTestClient(t, a)
	bc.Bearer = bearer
	if bc.api("GET", "/api/v1/me", nil).wantStatus(http.StatusOK).json()["feed_token"] != tok {
		t.Errorf("bearer sees another feed token")
	}
	fresh := bc.api("POST", "/api/v1/me/feed-token", nil).wantStatus(http.StatusOK).json()
	if ft, _ := fresh["feed_token"].(string); ft == tok || len(ft) < 40 {
		t.Errorf("regenerated token %v", fresh)
	}
	if c.api("GET", "/api/v1/me", nil).json()["feed_token"] != fresh["feed_token"] {
		t.Errorf("/api/v1/me does not show the new token")
	}
}

// Atom, as much of it as the tests read.
type mfAtom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Author    string `xml:"author>name"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content struct {
			Type string `xml:"type,attr"`
			Body string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

func mfParseAtom(t testing.TB, r *testResponse) *mfAtom {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", r.req, ct)
	}
	var f mfAtom
	dec := xml.NewDecoder(strings.NewReader(r.Body))
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: not Atom: %v\n%s", r.req, err, r.Body)
	}
	if !strings.HasPrefix(f.ID, "tag:kliv.test,") {
		t.Errorf("feed id %q", f.ID)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
		t.Errorf("feed updated %q", f.Updated)
	}
	rels := map[string]string{}
	for _, l := range f.Links {
		rels[l.Rel] = l.Href
	}
	if !strings.HasPrefix(rels["self"], testBaseURL+"/feeds/") || !strings.HasPrefix(rels["alternate"], testBaseURL+"/") {
		t.Errorf("feed links %v", rels)
	}
	seen := map[string]bool{}
	for _, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "tag:kliv.test,") || seen[e.ID] {
			t.Errorf("entry id %q", e.ID)
		}
		seen[e.ID] = true
		for _, ts := range []string{e.Updated, e.Published} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("entry time %q", ts)
			}
		}
		if e.Author == "" || e.Title == "" || e.Content.Type != "html" || !strings.HasPrefix(e.Link.Href, testBaseURL+"/") {
			t.Errorf("entry %+v", e)
		}
	}
	return &f
}

func TestFeeds(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	anna, _ := a.store.MemberByUsername(context.Background(), "anna")
	bea, _ := a.store.MemberByUsername(context.Background(), "bea")
	tp, first := mfTopic(t, a, anna, "Heltid som norm & <schema>", "Hur gör ni med **delade turer**?")
	if _, err := a.store.CreatePost(context.Background(), bea, tp.ID, forum.NewPost{Body: "Vi har _slutat_ med dem.", ReplyTo: first.ID}); err != nil {
		t.Fatal(err)
	}
	mfTopic(t, a, bea, "Andra ämnet", "Text")
	c := clientFor(t, a, "anna")
	tok := c.api("GET", "/api/v1/me", nil).json()["feed_token"].(string)
	feeds := newTestClient(t, a) // a feed reader: no session

	r := feeds.get("/feeds/latest.atom?token=" + url.QueryEscape(tok)).wantStatus(http.StatusOK)
	f := mfParseAtom(t, r)
	if f.Lang != "sv" || f.Title != "Kliv – senaste ämnena" || len(f.Entries) != 2 {
		t.Fatalf("latest feed: lang %q title %q, %d entries", f.Lang, f.Title, len(f.Entries))
	}
	if e := f.Entries[1]; e.Title != "Heltid som norm & <schema>" || e.Author != "Test anna" ||
		e.Content.Body != "<p>Hur gör ni med <strong>delade turer</strong>?</p>\n" || e.Link.Href != testBaseURL+"/t/"+strconv.FormatInt(tp.ID, 10) {
		t.Errorf("latest entry %+v", e)
	}
	if f.Entries[0].Title != "Andra ämnet" {
		t.Errorf("newest first: %q", f.Entries[0].Title)
	}

	// The category and topic feeds.
	cf := mfParseAtom(t, feeds.get("/feeds/categories/"+strconv.FormatInt(tp.CategoryID, 10)+".atom?token="+tok).wantStatus(http.StatusOK))
	if len(cf.Entries) != 2 || !strings.Contains(cf.Title, tp.CategoryName) {
		t.Errorf("category feed %q, %d entries", cf.Title, len(cf.Entries))
	}
	tr := feeds.get("/feeds/topics/" + strconv.FormatInt(tp.ID, 10) + ".atom?token=" + tok).wantStatus(http.StatusOK)
	tf := mfParseAtom(t, tr)
	if len(tf.Entries) != 2 || tf.Entries[0].Title != "Test bea svarar i ”Heltid som norm & <schema>”" ||
		!strings.Contains(tf.Entries[0].Content.Body, "<em>slutat</em>") || !strings.HasPrefix(tf.Entries[0].Link.Href, testBaseURL+"/p/") {
		t.Errorf("topic feed %+v", tf.Entries)
	}

	// A reader polling with the ETag gets 304 until something changes.
	etag := tr.Header.Get("ETag")
	if etag == "" || tr.Header.Get("Last-Modified") == "" {
		t.Errorf("no validators: %v", tr.Header)
	}
	feeds.Header.Set("If-None-Match", etag)
	feeds.get("/feeds/topics/" + strconv.FormatInt(tp.ID, 10) + ".atom?token=" + tok).wantStatus(http.StatusNotModified)
	if _, err := a.store.CreatePost(context.Background(), bea, tp.ID, forum.NewPost{Body: "Ett till svar"}); err != nil {
		t.Fatal(err)
	}
	feeds.get("/feeds/topics/" + strconv.FormatInt(tp.ID, 10) + ".atom?token=" + tok).wantStatus(http.StatusOK)
	feeds.Header.Del("If-None-Match")

	// Wrong, missing and malformed: 404, like a feed that is not there.
	for _, p := range []string{
		"/feeds/latest.atom",
		"/feeds/latest.atom?token=",
		"/feeds/latest.atom?token=" + tok + "x",
		"/feeds/latest.atom?token=" + strings.Repeat("A", 43),
		"/feeds/categories/999.atom?token=" + tok,
		"/feeds/categories/1.rss?token=" + tok,
		"/feeds/topics/abc.atom?token=" + tok,
		"/feeds/topics/999.atom?token=" + tok,
	} {
		feeds.get(p).wantStatus(http.StatusNotFound)
	}

	// Regenerating on the settings page revokes the old token.
	c.get("/settings/mail")
	c.postForm("/settings/feed-token", nil).wantStatus(http.StatusSeeOther)
	feeds.get("/feeds/latest.atom?token=" + tok).wantStatus(http.StatusNotFound)
	fresh := c.api("GET", "/api/v1/me", nil).json()["feed_token"].(string)
	if fresh == tok {
		t.Fatal("token not replaced")
	}
	c.get("/settings/mail").contains("De gamla flödesadresserna fungerar inte längre.", "token="+fresh).lacks(tok)
	feeds.get("/feeds/latest.atom?token=" + fresh).wantStatus(http.StatusOK)

	// …and so does the API.
	newer := c.api("POST", "/api/v1/me/feed-token", nil).wantStatus(http.StatusOK).json()["feed_token"].(string)
	feeds.get("/feeds/latest.atom?token=" + fresh).wantStatus(http.StatusNotFound)
	feeds.get("/feeds/latest.atom?token=" + newer).wantStatus(http.StatusOK)

	// A member who is no longer approved has no feed.
	if _, err := a.db.Exec(`UPDATE members SET status = 'deleted' WHERE id = ?`, anna.ID); err != nil {
		t.Fatal(err)
	}
	feeds.get("/feeds/latest.atom?token=" + newer).wantStatus(http.StatusNotFound)
}

// unsubscribeLink returns the List-Unsubscribe URL of a mail, checking the
// RFC 8058 header beside it.
func unsubscribeLink(t testing.TB, m mfOutbox) string {
	t.Helper()
	h := m.header()
	if h["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("mail %s: List-Unsubscribe-Post %q", m.Kind, h["List-Unsubscribe-Post"])
	}
	lu := h["List-Unsubscribe"]
	if !strings.HasPrefix(lu, "<"+testBaseURL+"/unsubscribe?t=") || !strings.HasSuffix(lu, ">") {
		t.Fatalf("mail %s: List-Unsubscribe %q", m.Kind, lu)
	}
	if !strings.Contains(m.Body, strings.Trim(lu, "<>")) {
		t.Errorf("mail %s: body lacks the unsubscribe link", m.Kind)
	}
	return strings.Trim(lu, "<>")
}

func TestInstantMailAndUnsubscribe(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	anna, _ := a.store.MemberByUsername(context.Background(), "anna")
	if err := a.store.SetLang(context.Background(), anna.ID, "en"); err != nil {
		t.Fatal(err)
	}
	tp, first := mfTopic(t, a, anna, "Sjukfrånvaro", "Hur följer ni upp?")
	bc := clientFor(t, a, "bea")
	r := bc.api("POST", "/api/v1/topics/"+strconv.FormatInt(tp.ID, 10)+"/posts",
		map[string]any{"body": "Vi ringer *dag ett*.", "reply_to": first.ID}).wantStatus(http.StatusCreated)
	postID := int64(r.json()["id"].(float64))

	ms := mfMails(t, a, "anna@example.se")
	if len(ms) != 1 {
		t.Fatalf("%d mails to anna, want 1", len(ms))
	}
	m := ms[0]
	if m.Subject != "Test bea replied to your post in “Sjukfrånvaro”" || !strings.Contains(m.Body, "Hello Test anna,") ||
		!strings.Contains(m.Body, testBaseURL+"/p/"+strconv.FormatInt(postID, 10)) || !strings.Contains(m.Body, "> Vi ringer dag ett.") {
		t.Errorf("reply mail:\n%s\n%s", m.Subject, m.Body)
	}
	link := unsubscribeLink(t, m)
	u, _ := url.Parse(link)

	// GET shows a confirmation in her language and changes nothing (mail
	// scanners fetch links).
	visitor := newTestClient(t, a)
	page := visitor.get(u.RequestURI()).wantStatus(http.StatusOK)
	page.contains(`<html lang="en">`, "Do you want to stop e-mails about replies to your posts to a•••@example.se?", "Yes, stop sending", "Stop all notification e-mails").
		lacks("anna@example.se")
	mfNoRawKeys(t, page)
	if mfPrefs(t, a, anna)["reply"] != "instant" {
		t.Fatal("GET unsubscribed")
	}
	visitor.get(u.RequestURI())
	// The button posts the token in the form; no CSRF token is needed.
	done := visitor.postForm("/unsubscribe", url.Values{"t": {u.Query().Get("t")}, "csrf_token": {""}}).wantStatus(http.StatusOK)
	done.contains("Done. You will get no more e-mails about replies to your posts.")
	mfNoRawKeys(t, done)
	if p := mfPrefs(t, a, anna); p["reply"] != "never" || p["mention"] != "instant" {
		t.Errorf("after unsubscribing: %v", p)
	}
	// A second reply is not mailed.
	bc.api("POST", "/api/v1/topics/"+strconv.FormatInt(tp.ID, 10)+"/posts",
		map[string]any{"body": "Och sedan dag tre.", "reply_to": first.ID}).wantStatus(http.StatusCreated)
	if n := len(mfMails(t, a, "anna@example.se")); n != 1 {
		t.Errorf("%d mails after unsubscribing, want still 1", n)
	}

	// "Stop all" from the same page.
	visitor.postForm("/unsubscribe", url.Values{"t": {u.Query().Get("t")}, "scope": {"all"}}).wantStatus(http.StatusOK).
		contains("Done. You will get no more notification e-mails from Kliv.")
	for k, mode := range mfPrefs(t, a, anna) {
		if mode != "never" {
			t.Errorf("after stop all: %s = %s", k, mode)
		}
	}
}

func TestOneClickUnsubscribe(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	anna, _ := a.store.MemberByUsername(context.Background(), "anna")
	h := a.routes()
	ctx := context.Background()

	// RFC 8058: the mail program POSTs List-Unsubscribe=One-Click to the
	// URL from the header, with no cookies and no CSRF token.
	send := func(link, contentType string, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, link, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	tok, err := a.store.UnsubscribeToken(ctx, a.db, anna.ID, "mention")
	if err != nil {
		t.Fatal(err)
	}
	w := send("/unsubscribe?t="+url.QueryEscape(tok), "application/x-www-form-urlencoded", []byte("List-Unsubscribe=One-Click"))
	if w.Code != http.StatusOK {
		t.Fatalf("one-click: %d %s", w.Code, w.Body)
	}
	if p := mfPrefs(t, a, anna); p["mention"] != "never" || p["reply"] != "instant" {
		t.Errorf("after one-click: %v", p)
	}
	// The same as multipart/form-data, which RFC 8058 allows too; a
	// one-click never widens to "all".
	tok, _ = a.store.UnsubscribeToken(ctx, a.db, anna.ID, forum.ScopeDigest)
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("List-Unsubscribe", "One-Click")
	mw.WriteField("scope", "all")
	mw.Close()
	if w := send("/unsubscribe?t="+url.QueryEscape(tok), mw.FormDataContentType(), mp.Bytes()); w.Code != http.StatusOK {
		t.Fatalf("multipart one-click: %d", w.Code)
	}
	p := mfPrefs(t, a, anna)
	if p["posted"] != "never" || p["new_topic"] != "never" || p["thanks"] != "never" || p["reply"] != "instant" {
		t.Errorf("after digest one-click: %v", p)
	}

	// Tampered or made-up tokens: 404 for GET and POST, nothing changes.
	good, _ := a.store.UnsubscribeToken(ctx, a.db, anna.ID, "reply")
	for _, bad := range []string{"", "1.reply.AAAAAAAAAAAAAAAAAAAAAA", good + "A", strings.Replace(good, "reply", "answer", 1),
		"2" + good, strings.Repeat("x", 300)} {
		c := newTestClient(t, a)
		c.get("/unsubscribe?t=" + url.QueryEscape(bad)).wantStatus(http.StatusNotFound)
		if w := send("/unsubscribe?t="+url.QueryEscape(bad), "application/x-www-form-urlencoded", []byte("List-Unsubscribe=One-Click")); w.Code != http.StatusNotFound {
			t.Errorf("one-click with %q: %d", bad, w.Code)
		}
	}
	if mfPrefs(t, a, anna)["reply"] != "instant" {
		t.Error("a bad token changed the prefs")
	}
	// Swedish by default.
	newTestClient(t, a).get("/unsubscribe?t="+url.QueryEscape(good)).wantStatus(http.StatusOK).
		contains(`<html lang="sv">`, "Vill du sluta få mejl om svar på dina inlägg", "Ja, sluta skicka")
}

// recordingSender is a mail.Sender that keeps what it is given.
type recordingSender struct {
	mu   sync.Mutex
	sent []forum.OutboxMail
}

func (s *recordingSender) Send(ctx context.Context, m *forum.OutboxMail) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, *m)
	return nil
}

func TestNotificationMailReachesSender(t *testing.T) {
	a := newTestApp(t)
	clock := useTestClock(a)
	// Tuesday 10:00 in Stockholm.
	clock.now = time.Date(2025, time.March, 4, 9, 0, 0, 0, time.UTC)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	mustCreateMember(t, a, "bea", forum.RoleMember, forum.StatusApproved)
	anna, _ := a.store.MemberByUsername(context.Background(), "anna")
	bea, _ := a.store.MemberByUsername(context.Background(), "bea")
	tp, first := mfTopic(t, a, anna, "Tillitsbaserad styrning", "Erfarenheter?")
	ctx := context.Background()
	if _, err := a.store.CreatePost(ctx, bea, tp.ID, forum.NewPost{Body: "Ja, många.", ReplyTo: first.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.CreatePost(ctx, bea, tp.ID, forum.NewPost{Body: "Och en sak till."}); err != nil {
		t.Fatal(err)
	}
	rec := &recordingSender{}
	w := &mail.Worker{DB: a.db, Sender: rec, Now: clock.Now}
	if n, err := w.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("SendDue = %d, %v; want the reply mail", n, err)
	}
	if got := rec.sent[0]; got.To != "anna@example.se" || got.Kind != "notification.reply" ||
		!strings.HasPrefix(got.Header()["List-Unsubscribe"], "<"+testBaseURL+"/unsubscribe?t=") {
		t.Errorf("sent %+v", got)
	}

	// The chore makes the daily digest the next morning, once.
	clock.Add(22 * time.Hour) // Wednesday 08:00 in Stockholm
	a.chores(ctx)
	a.chores(ctx)
	if n, err := w.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("SendDue after the chore = %d, %v; want one digest", n, err)
	}
	d := rec.sent[1]
	if d.Kind != "digest" || !strings.Contains(d.Body, "Test bea skrev ett nytt inlägg i ”Tillitsbaserad styrning”") ||
		d.Header()["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("digest %+v", d)
	}
	if d.Subject != "Kliv: 1 ny avisering" {
		t.Errorf("digest subject %q", d.Subject)
	}
}
