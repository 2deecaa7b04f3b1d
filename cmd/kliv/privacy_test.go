package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"kliv/forum"
	"kliv/moderation"
)

// privacyWorld is a forum in which dora, the member whose data is
// exported and deleted, has left a trace in every kind of row: each text
// of hers carries a marker that the tests look for.
type privacyWorld struct {
	a            *app
	dora         *forum.Member
	doraC, berit *testClient
	token        string
	// Topics: dora's alone, dora's answered by berit, berit's (dora
	// replied).
	lonelyTopic, answeredTopic, beritTopic int64
	doraReply, beritPost                   int64
	convID                                 int64
}

// Markers of dora's data.
const (
	doraUsername     = "doraxq"
	doraEmail        = "dorotea.unikadress@example.se"
	doraName         = "Dorotea Qwzylberg"
	doraAnswer       = "MotiveringUnikJjk"
	doraLonely       = "EnsamtAmneTextQqv"
	doraLonelyT      = "EnsamRubrikWwq"
	doraFirst        = "ForstaInlaggTextZzp"
	doraReplyText    = "SvarTextPlumbusKk"
	doraOldText      = "GammalVersionTextYyq"
	doraMessage      = "HemligtMeddelandeXxv"
	doraNote         = "BokmarkeAnteckningVvq"
	doraExtra        = "ExtraProfilvardeUuq"
	doraSignup       = "AnmalanAnteckningTtq"
	doraSignupAnswer = "AnmalanSvarSsq"
	beritMessage     = "BeritsMeddelandeRrq"
)

func newPrivacyWorld(t *testing.T) *privacyWorld {
	t.Helper()
	ctx := context.Background()
	a := newTestApp(t)
	w := &privacyWorld{a: a}
	// Columns and tables other parts add later are covered generically:
	// a profile column and a table of sign-ups made here stand for them.
	for _, q := range []string{
		`ALTER TABLE members ADD COLUMN test_motto TEXT NOT NULL DEFAULT 'ingen'`,
		`CREATE TABLE test_signups (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE, note TEXT NOT NULL)`,
		// A table under hers whose key has no ON DELETE action.
		`CREATE TABLE test_signup_answers (signup_id INTEGER NOT NULL REFERENCES test_signups, answer TEXT NOT NULL)`,
	} {
		if _, err := a.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	ada := mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustCreateMember(t, a, "berit", forum.RoleMember, forum.StatusApproved)
	answers := testAnswers()
	answers.Motivation = "Jag vill vara med. " + doraAnswer
	jr, _, err := a.mod.Apply(ctx, moderation.Application{Username: doraUsername, Email: doraEmail, Password: testPassword,
		DisplayName: doraName, Answers: answers, AcceptRules: true})
	if err != nil {
		t.Fatal(err)
	}
	mustApprove(t, a, ada, jr.ID)
	w.dora, _ = a.store.MemberByUsername(ctx, doraUsername)
	if _, err := a.db.Exec(`UPDATE members SET test_motto = ? WHERE id = ?`, doraExtra, w.dora.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Exec(`INSERT INTO test_signups (member_id, note) VALUES (?, ?)`, w.dora.ID, doraSignup); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Exec(`INSERT INTO test_signup_answers (signup_id, answer) VALUES (last_insert_rowid(), ?)`, doraSignupAnswer); err != nil {
		t.Fatal(err)
	}
	w.doraC, w.berit = clientFor(t, a, doraUsername), clientFor(t, a, "berit")
	dora, berit := w.doraC, w.berit
	// Berit wants mail at once about posts in topics she follows, so the
	// outbox holds mail about dora.
	if err := a.store.SetMailPrefs(ctx, mustMember(t, a, "berit").ID, map[string]string{"posted": "instant"}); err != nil {
		t.Fatal(err)
	}

	topic := func(c *testClient, title, body string) (int64, int64) {
		r := c.api("POST", "/api/v1/topics", map[string]any{"category_id": 1, "title": title, "body": body, "kind": "discussion"}).
			wantStatus(http.StatusCreated).json()
		return int64(r["id"].(float64)), int64(r["post_id"].(float64))
	}
	reply := func(c *testClient, topicID int64, body string) int64 {
		r := c.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", topicID), map[string]any{"body": body}).wantStatus(http.StatusCreated).json()
		return int64(r["id"].(float64))
	}
	w.lonelyTopic, _ = topic(dora, doraLonelyT, doraLonely+" ingen svarar.")
	var firstPost int64
	w.answeredTopic, firstPost = topic(dora, "Fråga om schemaläggning", doraOldText+" första versionen.")
	dora.api("PATCH", fmt.Sprintf("/api/v1/posts/%d", firstPost), map[string]any{"body": doraFirst + " hur gör ni?", "version": 1}).wantStatus(http.StatusOK)
	reply(berit, w.answeredTopic, "Vi gör så här, berättar Berit.")
	w.beritTopic, w.beritPost = topic(berit, "Berits ämne", "Berit undrar något.")
	w.doraReply = reply(dora, w.beritTopic, doraReplyText+" svarar Dora.")
	dora.api("POST", fmt.Sprintf("/api/v1/posts/%d/reactions", w.beritPost), map[string]any{}).wantStatus(http.StatusCreated)
	berit.api("POST", fmt.Sprintf("/api/v1/posts/%d/reactions", firstPost), map[string]any{}).wantStatus(http.StatusCreated)
	dora.api("POST", fmt.Sprintf("/api/v1/posts/%d/bookmark", w.beritPost), map[string]any{"note": doraNote}).wantStatus(http.StatusCreated)
	dora.api("POST", fmt.Sprintf("/api/v1/topics/%d/follow", w.beritTopic), nil).wantStatus(http.StatusNoContent)
	w.convID = startConversation(t, dora, []string{"berit"}, doraMessage+" bara till dig.")
	berit.api("POST", fmt.Sprintf("/api/v1/messages/%d", w.convID), map[string]any{"body": beritMessage}).wantStatus(http.StatusCreated)
	dora.api("POST", "/api/v1/me/blocks", map[string]any{"username": "ada"}).wantStatus(http.StatusNoContent)
	newTestClient(t, a).postForm("/password/forgot", url.Values{"email": {doraEmail}}).wantStatus(http.StatusOK)
	if n := countRows(t, a, "password_resets"); n != 1 {
		t.Fatalf("password_resets = %d", n)
	}
	tok, err := a.store.CreateAPIToken(ctx, w.dora.ID, "skript")
	if err != nil {
		t.Fatal(err)
	}
	w.token = tok
	return w
}

func mustMember(t *testing.T, a *app, username string) *forum.Member {
	t.Helper()
	m, err := a.store.MemberByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// openZip opens an archive answer and returns its files by name.
func openZip(t *testing.T, r *testResponse) map[string][]byte {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/zip" {
		t.Fatalf("Content-Type %q", ct)
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = b
	}
	return files
}

func TestExportHoldsAllHerData(t *testing.T) {
	w := newPrivacyWorld(t)
	a := w.a
	r := w.doraC.get("/api/v1/me/export").wantStatus(http.StatusOK)
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, doraUsername) {
		t.Fatalf("Content-Disposition %q", cd)
	}
	files := openZip(t, r)

	// profile.json: every column of her row but the password hash.
	var profile map[string]any
	if err := json.Unmarshal(files["profile.json"], &profile); err != nil {
		t.Fatalf("profile.json: %v", err)
	}
	var cols []string
	if err := a.db.Select(&cols, `SELECT name FROM pragma_table_info('members')`); err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		if _, ok := profile[c]; ok == (c == "password_hash") {
			t.Errorf("profile.json column %s: present %v", c, ok)
		}
	}
	if profile["email"] != doraEmail || profile["display_name"] != doraName || profile["test_motto"] != doraExtra {
		t.Errorf("profile.json = %v", profile)
	}
	for name, b := range files {
		if strings.Contains(string(b), "argon2id") || strings.Contains(string(b), forum.HashToken(w.token)) {
			t.Errorf("%s holds a secret", name)
		}
	}

	// Her join answers, and every other table of hers.
	table := func(name string) []map[string]any {
		t.Helper()
		var rows []map[string]any
		if err := json.Unmarshal(files["tables/"+name+".json"], &rows); err != nil {
			t.Fatalf("tables/%s.json: %v (files %v)", name, err, keys(files))
		}
		return rows
	}
	if jr := table("join_requests"); len(jr) != 1 || !strings.Contains(jr[0]["motivation"].(string), doraAnswer) || jr[0]["workplace"] != "Mölndals stad" {
		t.Errorf("join_requests = %v", jr)
	}
	if bs := table("bookmarks"); len(bs) != 1 || bs[0]["note"] != doraNote {
		t.Errorf("bookmarks = %v", bs)
	}
	if fs := table("topic_follows"); len(fs) == 0 {
		t.Error("no topic_follows")
	}
	if ss := table("sessions"); len(ss) != 1 || ss[0]["token_hash"] != nil || ss[0]["csrf_token"] != nil || ss[0]["last_seen_at"] == nil {
		t.Errorf("sessions = %v", ss)
	}
	if ts := table("api_tokens"); len(ts) != 1 || ts[0]["name"] != "skript" || ts[0]["token_hash"] != nil {
		t.Errorf("api_tokens = %v", ts)
	}
	if rs := table("reactions"); len(rs) != 1 || int64(rs[0]["post_id"].(float64)) != w.beritPost {
		t.Errorf("reactions = %v", rs)
	}
	if ns := table("notifications"); len(ns) == 0 {
		t.Error("no notifications (berit's reply, thanks and message)")
	}
	if bl := table("member_blocks"); len(bl) != 1 {
		t.Errorf("member_blocks = %v", bl)
	}
	if su := table("test_signups"); len(su) != 1 || su[0]["note"] != doraSignup {
		t.Errorf("test_signups = %v", su)
	}

	// Her posts in Markdown, listed in posts.json.
	var posts []map[string]any
	if err := json.Unmarshal(files["posts.json"], &posts); err != nil {
		t.Fatal(err)
	}
	if len(posts) != 3 {
		t.Fatalf("posts.json = %v", posts)
	}
	texts := ""
	for _, p := range posts {
		md, ok := files[p["file"].(string)]
		if !ok || !strings.HasSuffix(p["file"].(string), ".md") {
			t.Fatalf("post file %v missing", p["file"])
		}
		texts += string(md)
	}
	for _, s := range []string{doraLonely, "# " + doraLonelyT, doraFirst + " hur gör ni?", doraReplyText} {
		if !strings.Contains(texts, s) {
			t.Errorf("posts lack %q:\n%s", s, texts)
		}
	}
	if strings.Contains(texts, "Berit undrar") {
		t.Error("the posts hold someone else's post")
	}

	// Messages she sent and received.
	var convs []struct {
		Participants []string
		Messages     []struct {
			From string
			Sent bool `json:"sent_by_me"`
			Body string
		}
	}
	if err := json.Unmarshal(files["messages.json"], &convs); err != nil {
		t.Fatal(err)
	}
	if len(convs) != 1 || len(convs[0].Messages) != 2 || !convs[0].Messages[0].Sent || !strings.Contains(convs[0].Messages[0].Body, doraMessage) ||
		convs[0].Messages[1].From != "berit" || convs[0].Messages[1].Sent || convs[0].Messages[1].Body != beritMessage {
		t.Errorf("messages.json = %s", files["messages.json"])
	}
	if _, ok := files["README.txt"]; !ok {
		t.Error("no README.txt")
	}

	// The button on the privacy settings page gives the same archive;
	// others' data stays out of it.
	w.doraC.get("/settings/privacy").wantStatus(http.StatusOK).contains(`href="/settings/privacy/export"`, "Hämta mina uppgifter")
	files2 := openZip(t, w.doraC.get("/settings/privacy/export").wantStatus(http.StatusOK))
	if string(files2["messages.json"]) != string(files["messages.json"]) {
		t.Error("page and API archives differ")
	}
	bfiles := openZip(t, w.berit.get("/api/v1/me/export").wantStatus(http.StatusOK))
	if strings.Contains(string(bfiles["tables/bookmarks.json"]), doraNote) || strings.Contains(string(bfiles["profile.json"]), doraEmail) {
		t.Error("berit's archive holds dora's data")
	}
	// By bearer token too; anonymous not at all.
	bearer := newTestClient(t, a)
	bearer.Bearer = w.token
	openZip(t, bearer.api("GET", "/api/v1/me/export", nil).wantStatus(http.StatusOK))
	newTestClient(t, a).get("/api/v1/me/export").wantStatus(http.StatusUnauthorized)
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// dbFiles returns the bytes of the database file and its -wal file.
func dbFiles(t *testing.T, a *app) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(a.cfg.DB + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		out["kliv.db"+suffix] = b
	}
	if len(out["kliv.db"]) == 0 {
		t.Fatal("empty database file")
	}
	return out
}

// wantGone fails for each s found, byte for byte (as typed, and folded to
// lower case as the search index keeps words), in the database files.
func wantGone(t *testing.T, a *app, ss ...string) {
	t.Helper()
	files := dbFiles(t, a)
	for _, s := range ss {
		for name, b := range files {
			for _, form := range []string{s, strings.ToLower(s)} {
				if bytes.Contains(b, []byte(form)) {
					t.Errorf("%s still holds %q", name, form)
				}
			}
		}
	}
}

// wantThere is the control: the search really looks at the files.
func wantThere(t *testing.T, a *app, s string) {
	t.Helper()
	files := dbFiles(t, a)
	if !bytes.Contains(append(files["kliv.db"], files["kliv.db-wal"]...), []byte(s)) {
		t.Fatalf("%q is not in the database files, so the search proves nothing", s)
	}
}

func TestDeleteAccountRemovingPostsLeavesNoTrace(t *testing.T) {
	w := newPrivacyWorld(t)
	a := w.a
	all := []string{doraEmail, doraUsername, doraName, doraAnswer, doraLonely, doraLonelyT, doraFirst, doraReplyText,
		doraOldText, doraMessage, doraNote, doraExtra, doraSignup, doraSignupAnswer}
	for _, s := range all {
		wantThere(t, a, s)
	}
	before := countRows(t, a, "members")

	// Bad input changes nothing.
	for _, tc := range []struct {
		body any
		code int
		want string
	}{
		{map[string]any{"password": "fel lösenord", "posts": "remove"}, http.StatusBadRequest, "lösenordet stämmer inte"},
		{map[string]any{"password": testPassword, "posts": "all"}, http.StatusBadRequest, "Välj om dina inlägg"},
		{map[string]any{"password": testPassword}, http.StatusBadRequest, "Välj om dina inlägg"},
		{map[string]any{"posts": "keep"}, http.StatusBadRequest, "Fyll i"},
		{map[string]any{"password": 5, "posts": "keep"}, http.StatusBadRequest, ""},
		{"not json", http.StatusBadRequest, ""},
	} {
		r := w.doraC.api("DELETE", "/api/v1/me", tc.body).wantStatus(tc.code)
		if !strings.Contains(r.json()["error"].(string), tc.want) {
			t.Errorf("%v: error %v", tc.body, r.json())
		}
	}
	// The form: the confirmation box, and the password.
	w.doraC.postForm("/settings/privacy/delete", url.Values{"password": {testPassword}, "posts": {"remove"}}).
		wantStatus(http.StatusBadRequest).contains("Kryssa i rutan", `href="#f-confirm"`)
	w.doraC.postForm("/settings/privacy/delete", url.Values{"password": {"fel"}, "posts": {"remove"}, "confirm": {"1"}}).
		wantStatus(http.StatusBadRequest).contains("lösenordet stämmer inte", `value="remove" checked`)
	if m := mustMember(t, a, doraUsername); m.Status != forum.StatusApproved {
		t.Fatalf("refused deletion changed her: %v", m.Status)
	}

	// Deleted, with her posts removed, through the form.
	r := w.doraC.postForm("/settings/privacy/delete", url.Values{"password": {testPassword}, "posts": {"remove"}, "confirm": {"1"}}).
		wantStatus(http.StatusSeeOther)
	if r.location() != "/" {
		t.Fatalf("redirect to %q", r.location())
	}
	w.doraC.get("/").wantStatus(http.StatusOK).contains("Ditt konto är raderat")
	w.doraC.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	bearer := newTestClient(t, a)
	bearer.Bearer = w.token
	bearer.api("GET", "/api/v1/categories", nil).wantStatus(http.StatusUnauthorized)
	newTestClient(t, a).api("POST", "/api/v1/session", map[string]string{"login": doraUsername, "password": testPassword}).wantStatus(http.StatusUnauthorized)
	newTestClient(t, a).api("POST", "/api/v1/session", map[string]string{"login": doraEmail, "password": testPassword}).wantStatus(http.StatusUnauthorized)

	// Her name reaches nothing.
	w.berit.get("/u/" + doraUsername).wantStatus(http.StatusNotFound)
	w.berit.get("/u/" + forum.DeletedUsername(w.dora.ID)).wantStatus(http.StatusNotFound)
	w.berit.api("GET", "/api/v1/members/"+doraUsername, nil).wantStatus(http.StatusNotFound)
	w.berit.get("/messages/new?to=" + doraUsername).wantStatus(http.StatusOK)
	w.berit.api("POST", "/api/v1/messages", map[string]any{"to": []string{doraUsername}, "body": "hej"}).wantStatus(http.StatusBadRequest)

	// The forum stays whole: her lonely topic is gone, the answered one
	// keeps berit's reply under a deletion marker, counters agree.
	w.berit.get(fmt.Sprintf("/t/%d", w.lonelyTopic)).wantStatus(http.StatusNotFound)
	w.berit.get(fmt.Sprintf("/t/%d", w.answeredTopic)).wantStatus(http.StatusOK).contains("Vi gör så här").lacks(doraFirst)
	w.berit.get(fmt.Sprintf("/t/%d", w.beritTopic)).wantStatus(http.StatusOK).contains("Berit undrar").lacks(doraReplyText)
	if problems, err := a.store.CheckCounters(context.Background()); err != nil || len(problems) > 0 {
		t.Fatalf("counters: %v %v", problems, err)
	}
	var thanks int
	if err := a.db.Get(&thanks, `SELECT thanks_count FROM posts WHERE id = ?`, w.beritPost); err != nil || thanks != 0 {
		t.Fatalf("berit's post keeps dora's thanks: %d %v", thanks, err)
	}
	if res := w.berit.api("GET", "/api/v1/search?q="+doraReplyText, nil).wantStatus(http.StatusOK).json()["results"].([]any); len(res) != 0 {
		t.Fatalf("search finds her removed post: %v", res)
	}
	// Berit keeps her side of the conversation; dora's message is gone.
	w.berit.get(fmt.Sprintf("/messages/%d", w.convID)).wantStatus(http.StatusOK).contains(beritMessage, "Tidigare medlem").lacks(doraMessage)
	w.berit.api("POST", fmt.Sprintf("/api/v1/messages/%d", w.convID), map[string]any{"body": "Hallå?"}).wantStatus(http.StatusConflict)
	if cs := w.berit.api("GET", "/api/v1/messages", nil).json()["conversations"].([]any); len(cs) != 1 || cs[0].(map[string]any)["message_count"].(float64) != 1 {
		t.Fatalf("berit's inbox after the deletion: %v", cs)
	}

	// One row stays, anonymised; nothing else of hers.
	if n := countRows(t, a, "members"); n != before {
		t.Fatalf("members %d → %d", before, n)
	}
	var row struct {
		Username, Email, DisplayName, Status, Motto string
	}
	if err := a.db.Get(&row, `SELECT username, email, display_name AS displayname, status, test_motto AS motto FROM members WHERE id = ?`, w.dora.ID); err != nil {
		t.Fatal(err)
	}
	if row.Status != "deleted" || row.Username != forum.DeletedUsername(w.dora.ID) || row.DisplayName != "" || row.Motto != "ingen" {
		t.Fatalf("anonymised row = %+v", row)
	}
	var tables []string
	if err := a.db.Select(&tables, `SELECT DISTINCT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table' AND f."table" = 'members' AND f."from" = 'member_id'`); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("only %v", tables)
	}
	for _, tb := range tables {
		var n int
		if err := a.db.Get(&n, `SELECT COUNT(*) FROM "`+tb+`" WHERE member_id = ?`, w.dora.ID); err != nil || n > 0 {
			t.Errorf("%s keeps %d rows of hers (%v)", tb, n, err)
		}
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM member_blocks WHERE blocked_id = ?`,
		`SELECT COUNT(*) FROM messages WHERE author_id = ?`,
		`SELECT COUNT(*) FROM post_revisions r JOIN posts p ON p.id = r.post_id WHERE p.author_id = ?`,
		`SELECT COUNT(*) FROM posts WHERE author_id = ? AND (body <> '' OR deleted_at IS NULL)`,
	} {
		var n int
		if err := a.db.Get(&n, q, w.dora.ID); err != nil || n > 0 {
			t.Errorf("%s: %d (%v)", q, n, err)
		}
	}

	// And byte for byte, not a trace in the files.
	wantGone(t, a, all...)
	wantThere(t, a, beritMessage)

	// A mention of her old name notifies no one and links to nothing.
	r = w.berit.api("POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.beritTopic), map[string]any{"body": "Saknar @" + doraUsername + "."}).
		wantStatus(http.StatusCreated)
	var mentioned int
	if err := a.db.Get(&mentioned, `SELECT COUNT(*) FROM notifications WHERE member_id = ?`, w.dora.ID); err != nil || mentioned != 0 {
		t.Fatalf("notifications of the deleted account: %d %v", mentioned, err)
	}
	w.berit.get(fmt.Sprintf("/t/%d", w.beritTopic)).wantStatus(http.StatusOK).contains("Saknar")
	w.berit.get("/u/" + doraUsername).wantStatus(http.StatusNotFound)
	if err := a.store.DeleteAccount(context.Background(), mustMember(t, a, "ada"), "fel", forum.KeepPosts); err == nil {
		t.Fatal("a wrong password deleted an account")
	}
}

func TestDeleteAccountKeepingPosts(t *testing.T) {
	w := newPrivacyWorld(t)
	a := w.a
	w.doraC.api("DELETE", "/api/v1/me", map[string]any{"password": testPassword, "posts": "keep"}).wantStatus(http.StatusNoContent)
	w.doraC.get("/settings").wantStatus(http.StatusSeeOther)

	// Her posts stay, signed "Tidigare medlem", with their history.
	w.berit.get(fmt.Sprintf("/t/%d", w.beritTopic)).wantStatus(http.StatusOK).contains(doraReplyText, "Tidigare medlem").lacks(doraName)
	w.berit.get(fmt.Sprintf("/t/%d", w.lonelyTopic)).wantStatus(http.StatusOK).contains(doraLonely)
	var revs int
	if err := a.db.Get(&revs, `SELECT COUNT(*) FROM post_revisions r JOIN posts p ON p.id = r.post_id WHERE p.author_id = ?`, w.dora.ID); err != nil || revs != 1 {
		t.Fatalf("revisions of kept posts: %d %v", revs, err)
	}
	if problems, err := a.store.CheckCounters(context.Background()); err != nil || len(problems) > 0 {
		t.Fatalf("counters: %v %v", problems, err)
	}
	// The kept text is there (the control); what identifies her, her
	// messages and her other rows are not.
	wantThere(t, a, doraReplyText)
	wantGone(t, a, doraEmail, doraUsername, doraName, doraAnswer, doraMessage, doraNote, doraExtra, doraSignup)
}

func TestDeleteAccountRules(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustApply(t, a, "pia", "")
	// The only admin cannot leave the forum without one.
	ada := clientFor(t, a, "ada")
	r := ada.api("DELETE", "/api/v1/me", map[string]any{"password": testPassword, "posts": "keep"}).wantStatus(http.StatusConflict)
	if !strings.Contains(r.json()["error"].(string), "enda administratören") {
		t.Fatalf("last admin: %v", r.json())
	}
	// A cookie request needs its CSRF token.
	pia := clientFor(t, a, "pia")
	pia.NoCSRF = true
	pia.api("DELETE", "/api/v1/me", map[string]any{"password": testPassword, "posts": "keep"}).wantStatus(http.StatusForbidden)
	// An applicant may take her data and leave.
	pia.NoCSRF = false
	files := openZip(t, pia.get("/api/v1/me/export").wantStatus(http.StatusOK))
	if !strings.Contains(string(files["tables/join_requests.json"]), "Mölndals stad") {
		t.Fatalf("applicant's join answers: %s", files["tables/join_requests.json"])
	}
	pia.api("DELETE", "/api/v1/me", map[string]any{"password": testPassword, "posts": "keep"}).wantStatus(http.StatusNoContent)
	newTestClient(t, a).api("DELETE", "/api/v1/me", map[string]any{"password": testPassword, "posts": "keep"}).wantStatus(http.StatusUnauthorized)
	// Her e-mail and username are free again.
	mustApply(t, a, "pia", "")
}

func TestSessionsListedAndRevokedAtOnce(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	phone, laptop := clientFor(t, a, "anna"), clientFor(t, a, "anna")
	tok, err := a.store.CreateAPIToken(context.Background(), mustMember(t, a, "anna").ID, "skript")
	if err != nil {
		t.Fatal(err)
	}
	bearer := newTestClient(t, a)
	bearer.Bearer = tok

	list := laptop.api("GET", "/api/v1/me/sessions", nil).wantStatus(http.StatusOK).json()
	ss := list["sessions"].([]any)
	if len(ss) != 2 {
		t.Fatalf("sessions = %v", ss)
	}
	var current, other float64
	for _, s := range ss {
		s := s.(map[string]any)
		if s["current"] == true {
			current = s["id"].(float64)
		} else {
			other = s["id"].(float64)
		}
		if s["created_at"] == nil || s["last_seen_at"] == nil {
			t.Fatalf("session = %v", s)
		}
	}
	if current == 0 || other == 0 {
		t.Fatalf("current not marked: %v", ss)
	}
	toks := bearer.api("GET", "/api/v1/me/sessions", nil).wantStatus(http.StatusOK).json()["tokens"].([]any)
	if len(toks) != 1 || toks[0].(map[string]any)["current"] != true {
		t.Fatalf("tokens = %v", toks)
	}
	laptop.get("/settings/privacy").wantStatus(http.StatusOK).contains("(den här)", "skript", fmt.Sprintf("/settings/sessions/%d/revoke", int64(other)))

	// The laptop ends the phone's session: the phone's next request is
	// signed out, at once.
	laptop.postForm(fmt.Sprintf("/settings/sessions/%d/revoke", int64(other)), nil).wantStatus(http.StatusSeeOther)
	phone.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
	if loc := phone.get("/messages").wantStatus(http.StatusSeeOther).location(); !strings.HasPrefix(loc, "/login") {
		t.Fatalf("phone led to %q", loc)
	}
	laptop.api("GET", "/api/v1/session", nil).wantStatus(http.StatusOK)
	// Someone else's session, or a gone one, is not found.
	mustCreateMember(t, a, "berit", forum.RoleMember, forum.StatusApproved)
	berit := clientFor(t, a, "berit")
	berit.api("DELETE", fmt.Sprintf("/api/v1/me/sessions/%d", int64(current)), nil).wantStatus(http.StatusNotFound)
	laptop.api("DELETE", fmt.Sprintf("/api/v1/me/sessions/%d", int64(other)), nil).wantStatus(http.StatusNotFound)
	laptop.api("DELETE", "/api/v1/me/sessions/abc", nil).wantStatus(http.StatusNotFound)

	// The token is revoked from the page: its next request is 401.
	bearer.api("GET", "/api/v1/categories", nil).wantStatus(http.StatusOK)
	tokID := int64(toks[0].(map[string]any)["id"].(float64))
	laptop.postForm(fmt.Sprintf("/settings/tokens/%d/revoke", tokID), nil).wantStatus(http.StatusSeeOther)
	bearer.api("GET", "/api/v1/categories", nil).wantStatus(http.StatusUnauthorized)

	// Ending her own current session signs her out.
	laptop.api("DELETE", fmt.Sprintf("/api/v1/me/sessions/%d", int64(current)), nil).wantStatus(http.StatusNoContent)
	laptop.api("GET", "/api/v1/session", nil).wantStatus(http.StatusUnauthorized)
}

func TestPrivacyPageForAnyone(t *testing.T) {
	a := newTestApp(t)
	visitor := newTestClient(t, a)
	visitor.get("/").wantStatus(http.StatusOK).contains(`href="/privacy"`)
	visitor.get("/privacy").wantStatus(http.StatusOK).contains("Integritet", "Vad som sparas", "Hur länge", "Hämta eller radera", "30 dagar")
	visitor.Lang = "en"
	visitor.get("/privacy").wantStatus(http.StatusOK).contains("What is stored", "How long", "Download or delete")
	visitor.get("/settings/privacy").wantStatus(http.StatusSeeOther)
}

func TestSentMailKeptThirtyDays(t *testing.T) {
	a := newTestApp(t)
	clock := useTestClock(a)
	ctx := context.Background()
	for _, to := range []string{"gammal@example.se", "ny@example.se", "vantar@example.se"} {
		if err := a.store.Enqueue(ctx, a.db, forum.Mail{Kind: "test", To: to, Subject: "s", Body: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	now := clock.Now()
	if _, err := a.db.Exec(`UPDATE outbox SET status = 'sent', sent_at = ? WHERE to_addr = 'gammal@example.se'`, now.Add(-forum.SentMailRetention-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.Exec(`UPDATE outbox SET status = 'sent', sent_at = ? WHERE to_addr = 'ny@example.se'`, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := a.store.PurgeSentMail(ctx); err != nil {
		t.Fatal(err)
	}
	var left []string
	if err := a.db.Select(&left, `SELECT to_addr FROM outbox ORDER BY to_addr`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(left, ",") != "ny@example.se,vantar@example.se" {
		t.Fatalf("left %v", left)
	}
}
