package forum

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kliv/i18n"
)

// Tests of mail preferences, instant notification mail, digests,
// unsubscribe tokens and feed tokens, on a real migrated SQLite file.

// mtClock is a fake clock, safe for concurrent use.
type mtClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *mtClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *mtClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// sthlm builds a Swedish wall-clock time.
func sthlm(y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, stockholm)
}

func mtStore(t *testing.T) (*Store, *mtClock) {
	t.Helper()
	s, _ := newTestStore(t)
	s.BaseURL = "https://kliv.test"
	s.I18n = i18n.MustLoad()
	clock := &mtClock{now: sthlm(2025, time.March, 4, 10, 0)} // a Tuesday
	s.Now = clock.Now
	return s, clock
}

func mtMember(t *testing.T, s *Store, name, lang string) *Member {
	t.Helper()
	m, err := s.CreateMember(context.Background(), s.DB, NewMember{Username: name, Email: name + "@example.se",
		DisplayName: "Test " + name, Password: "correct horse battery", Status: StatusApproved, Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mtTopic(t *testing.T, s *Store, author *Member, title string) (*Topic, *Post) {
	t.Helper()
	cats, err := s.Categories(context.Background(), false)
	if err != nil || len(cats) == 0 {
		t.Fatalf("categories: %v", err)
	}
	tp, p, err := s.CreateTopic(context.Background(), author, NewTopic{CategoryID: cats[0].ID, Title: title, Body: "Hur gör ni med **schemat**?"})
	if err != nil {
		t.Fatal(err)
	}
	return tp, p
}

type mtOutbox struct {
	MemberID *int64 `db:"member_id"`
	Kind     string `db:"kind"`
	To       string `db:"to_addr"`
	Subject  string `db:"subject"`
	Body     string `db:"body"`
	Headers  string `db:"headers"`
}

func mtMails(t *testing.T, s *Store) []mtOutbox {
	t.Helper()
	var ms []mtOutbox
	if err := s.DB.Select(&ms, `SELECT member_id, kind, to_addr, subject, body, headers FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestDigestSlots(t *testing.T) {
	cases := []struct {
		now           time.Time
		daily, weekly time.Time
	}{
		// Winter (CET, UTC+1), a Wednesday after 07:00.
		{sthlm(2025, time.January, 15, 7, 30), sthlm(2025, time.January, 15, 7, 0), sthlm(2025, time.January, 13, 7, 0)},
		// Summer (CEST, UTC+2), a Tuesday before 07:00: yesterday's slot, which is Monday's.
		{sthlm(2025, time.July, 1, 6, 59), sthlm(2025, time.June, 30, 7, 0), sthlm(2025, time.June, 30, 7, 0)},
		// Monday exactly 07:00.
		{sthlm(2025, time.March, 3, 7, 0), sthlm(2025, time.March, 3, 7, 0), sthlm(2025, time.March, 3, 7, 0)},
		// The Sunday the clocks go forward.
		{sthlm(2025, time.March, 30, 8, 0), sthlm(2025, time.March, 30, 7, 0), sthlm(2025, time.March, 24, 7, 0)},
	}
	for _, c := range cases {
		d, w := DigestSlots(c.now)
		if !d.Equal(c.daily) || !w.Equal(c.weekly) {
			t.Errorf("DigestSlots(%v) = %v, %v; want %v, %v", c.now, d.In(stockholm), w.In(stockholm), c.daily, c.weekly)
		}
	}
}

func TestMailPrefsDefaultsAndSet(t *testing.T) {
	s, _ := mtStore(t)
	ctx := context.Background()
	a := mtMember(t, s, "anna", "")
	p, err := s.MailPrefs(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"reply": "instant", "mention": "instant", "answer": "instant", "join_decision": "instant",
		"reminder": "instant", "posted": "daily", "new_topic": "daily", "thanks": "weekly", "message": "instant"}
	for k, m := range want {
		if p[k] != m {
			t.Errorf("default %s = %q, want %q", k, p[k], m)
		}
	}
	if len(p) != len(want) {
		t.Errorf("prefs have %d kinds, want %d", len(p), len(want))
	}
	if err := s.SetMailPrefs(ctx, a.ID, map[string]string{"reply": "weekly", "thanks": "weekly"}); err != nil {
		t.Fatal(err)
	}
	if p, _ = s.MailPrefs(ctx, a.ID); p["reply"] != "weekly" || p["posted"] != "daily" {
		t.Errorf("after set: %v", p)
	}
	var rows int
	s.DB.Get(&rows, `SELECT COUNT(*) FROM mail_prefs WHERE member_id = ?`, a.ID)
	if rows != 1 {
		t.Errorf("%d rows stored, want 1 (a default is stored as no row)", rows)
	}
	for _, bad := range []map[string]string{{"reply": "hourly"}, {"likes": "never"}} {
		if err := s.SetMailPrefs(ctx, a.ID, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetMailPrefs(%v) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestInstantMailInMemberLanguage(t *testing.T) {
	s, _ := mtStore(t)
	ctx := context.Background()
	anna := mtMember(t, s, "anna", "en")
	bea := mtMember(t, s, "bea", "")
	mtMember(t, s, "cilla", "")
	tp, first := mtTopic(t, s, anna, "Schema i hemtjänsten")
	// Bea answers Anna's post: a reply notification, instant by default.
	reply, err := s.CreatePost(ctx, bea, tp.ID, NewPost{Body: "Vi har **delade turer**. @cilla vet mer.", ReplyTo: first.ID})
	if err != nil {
		t.Fatal(err)
	}
	ms := mtMails(t, s)
	if len(ms) != 2 {
		t.Fatalf("%d mails, want 2 (reply to anna, mention to cilla): %+v", len(ms), ms)
	}
	en, sv := ms[0], ms[1]
	if en.To != "anna@example.se" || en.Kind != "notification.reply" {
		t.Errorf("first mail to %s kind %s", en.To, en.Kind)
	}
	if en.Subject != "Test bea replied to your post in “Schema i hemtjänsten”" {
		t.Errorf("English subject %q", en.Subject)
	}
	for _, want := range []string{"Hello Test anna,", "> Vi har delade turer.", "https://kliv.test/p/" + itoa(reply.ID),
		"https://kliv.test/settings/mail", "https://kliv.test/unsubscribe?t="} {
		if !strings.Contains(en.Body, want) {
			t.Errorf("English body lacks %q:\n%s", want, en.Body)
		}
	}
	if sv.To != "cilla@example.se" || !strings.Contains(sv.Subject, "nämnde dig") || !strings.Contains(sv.Body, "Hej Test cilla!") {
		t.Errorf("Swedish mention mail: %+v", sv)
	}
	for _, m := range ms {
		h := (&OutboxMail{HeadersJSON: m.Headers}).Header()
		lu := h["List-Unsubscribe"]
		if !strings.HasPrefix(lu, "<https://kliv.test/unsubscribe?t=") || !strings.HasSuffix(lu, ">") {
			t.Errorf("List-Unsubscribe = %q", lu)
		}
		if h["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post = %q", h["List-Unsubscribe-Post"])
		}
		// The link in the header works and is for the notification's kind.
		tok := strings.TrimSuffix(strings.TrimPrefix(lu, "<https://kliv.test/unsubscribe?t="), ">")
		u, err := s.CheckUnsubscribe(ctx, tok)
		if err != nil || u.Member.ID != *m.MemberID || "notification."+u.Scope != m.Kind {
			t.Errorf("token of %s: %+v, %v", m.Kind, u, err)
		}
	}
	var unmailed int
	s.DB.Get(&unmailed, `SELECT COUNT(*) FROM notifications WHERE kind IN ('reply', 'mention') AND mailed_at IS NULL`)
	if unmailed != 0 {
		t.Errorf("%d instant notifications not marked mailed", unmailed)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestNeverModeSendsNothing(t *testing.T) {
	s, clock := mtStore(t)
	ctx := context.Background()
	anna := mtMember(t, s, "anna", "")
	bea := mtMember(t, s, "bea", "")
	if err := s.SetMailPrefs(ctx, anna.ID, map[string]string{"reply": "never", "posted": "never", "thanks": "never"}); err != nil {
		t.Fatal(err)
	}
	tp, first := mtTopic(t, s, anna, "Rekrytering")
	if _, err := s.CreatePost(ctx, bea, tp.ID, NewPost{Body: "Svar", ReplyTo: first.ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.Thank(ctx, bea, first.ID); err != nil {
		t.Fatal(err)
	}
	clock.Set(sthlm(2025, time.March, 10, 8, 0)) // past daily and weekly slots
	if n, err := s.SendDigests(ctx, clock.Now()); err != nil || n != 0 {
		t.Errorf("SendDigests = %d, %v; want nothing", n, err)
	}
	if ms := mtMails(t, s); len(ms) != 0 {
		t.Errorf("mails sent in never mode: %+v", ms)
	}
	// Switching to a digest later does not mail the backlog.
	if err := s.SetMailPrefs(ctx, anna.ID, map[string]string{"reply": "daily"}); err != nil {
		t.Fatal(err)
	}
	clock.Set(sthlm(2025, time.March, 11, 8, 0))
	if n, _ := s.SendDigests(ctx, clock.Now()); n != 0 {
		t.Errorf("backlog mailed after switching never → daily")
	}
}

func TestDigestsDailyAndWeekly(t *testing.T) {
	s, clock := mtStore(t)
	ctx := context.Background()
	anna := mtMember(t, s, "anna", "")
	bea := mtMember(t, s, "bea", "en")
	// Tuesday 10:00: Bea replies in Anna's topic (posted: daily, Anna
	// follows her own topic) and thanks Anna (thanks: weekly).
	tp, first := mtTopic(t, s, anna, "Budget 2026")
	clock.Set(sthlm(2025, time.March, 4, 10, 5))
	if _, err := s.CreatePost(ctx, bea, tp.ID, NewPost{Body: "Vi har samma problem."}); err != nil {
		t.Fatal(err)
	}
	if err := s.Thank(ctx, bea, first.ID); err != nil {
		t.Fatal(err)
	}
	if ms := mtMails(t, s); len(ms) != 0 {
		t.Fatalf("digest kinds mailed at once: %+v", ms)
	}
	run := func(at time.Time) int {
		t.Helper()
		clock.Set(at)
		n, err := s.SendDigests(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run(sthlm(2025, time.March, 4, 12, 0)); n != 0 {
		t.Errorf("digest before the next slot: %d", n)
	}
	if n := run(sthlm(2025, time.March, 5, 6, 59)); n != 0 {
		t.Errorf("digest at 06:59: %d", n)
	}
	if n := run(sthlm(2025, time.March, 5, 7, 0)); n != 1 {
		t.Fatalf("Wednesday 07:00: %d digests, want 1", n)
	}
	if n := run(sthlm(2025, time.March, 5, 7, 1)); n != 0 {
		t.Errorf("second run in the same slot sent %d", n)
	}
	ms := mtMails(t, s)
	if len(ms) != 1 {
		t.Fatalf("%d mails", len(ms))
	}
	d := ms[0]
	if d.Kind != "digest" || d.To != "anna@example.se" || d.Subject != "Kliv: 1 ny avisering" {
		t.Errorf("daily digest: %+v", d)
	}
	if !strings.Contains(d.Body, "Test bea skrev ett nytt inlägg i ”Budget 2026”") || strings.Contains(d.Body, "tackade") {
		t.Errorf("daily digest lists the wrong things:\n%s", d.Body)
	}
	if h := (&OutboxMail{HeadersJSON: d.Headers}).Header(); !strings.HasPrefix(h["List-Unsubscribe"], "<https://kliv.test/unsubscribe?t=") {
		t.Errorf("digest headers: %v", h)
	}
	// Thursday, Friday…: nothing new.
	if n := run(sthlm(2025, time.March, 6, 7, 0)); n != 0 {
		t.Errorf("Thursday: %d", n)
	}
	// Monday 07:00: the weekly thanks.
	if n := run(sthlm(2025, time.March, 10, 7, 0)); n != 1 {
		t.Fatalf("Monday 07:00: %d digests, want 1", n)
	}
	if n := run(sthlm(2025, time.March, 10, 9, 0)); n != 0 {
		t.Errorf("second Monday run sent %d", n)
	}
	ms = mtMails(t, s)
	if len(ms) != 2 || !strings.Contains(ms[1].Body, "Test bea tackade för ditt inlägg i ”Budget 2026”") {
		t.Fatalf("weekly digest: %+v", ms)
	}
	var unmailed int
	s.DB.Get(&unmailed, `SELECT COUNT(*) FROM notifications WHERE mailed_at IS NULL`)
	if unmailed != 0 {
		t.Errorf("%d notifications left unmailed", unmailed)
	}
	// A new "Tack" bumps the grouped notification into the next weekly
	// digest again, with the count.
	cilla := mtMember(t, s, "cilla", "")
	clock.Set(sthlm(2025, time.March, 11, 9, 0))
	if err := s.Thank(ctx, cilla, first.ID); err != nil {
		t.Fatal(err)
	}
	if n := run(sthlm(2025, time.March, 17, 7, 30)); n != 1 {
		t.Fatalf("next Monday: %d", n)
	}
	if ms = mtMails(t, s); !strings.Contains(ms[2].Body, "Test cilla och 1 till tackade") {
		t.Errorf("bumped thanks:\n%s", ms[2].Body)
	}
}

func TestDigestOnceUnderConcurrency(t *testing.T) {
	s, clock := mtStore(t)
	ctx := context.Background()
	anna := mtMember(t, s, "anna", "")
	var others []*Member
	for _, n := range []string{"bea", "cilla", "dora"} {
		others = append(others, mtMember(t, s, n, ""))
	}
	tp, _ := mtTopic(t, s, anna, "Arbetsmiljö")
	for _, o := range others {
		if _, err := s.CreatePost(ctx, o, tp.ID, NewPost{Body: "Inlägg från " + o.Username}); err != nil {
			t.Fatal(err)
		}
	}
	at := sthlm(2025, time.March, 5, 7, 0)
	clock.Set(at)
	var wg sync.WaitGroup
	total := make([]int, 4)
	for i := range total {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.SendDigests(ctx, at)
			if err != nil {
				t.Error(err)
			}
			total[i] = n
		}()
	}
	wg.Wait()
	sum := 0
	for _, n := range total {
		sum += n
	}
	// Anna follows her topic (posted ×3); Bea and Cilla follow it after
	// posting and get the later posts (Cilla: 1, Bea: 2). One digest each.
	var want int
	s.DB.Get(&want, `SELECT COUNT(DISTINCT member_id) FROM notifications`)
	if sum != want || len(mtMails(t, s)) != want || want < 2 {
		t.Errorf("digests: %d reported, %d in the outbox, want %d", sum, len(mtMails(t, s)), want)
	}
}

func TestNoMailToDeletedOrUnapproved(t *testing.T) {
	s, clock := mtStore(t)
	ctx := context.Background()
	anna := mtMember(t, s, "anna", "")
	bea := mtMember(t, s, "bea", "")
	tp, first := mtTopic(t, s, anna, "Ledarskap")
	if _, err := s.CreatePost(ctx, bea, tp.ID, NewPost{Body: "Daglig"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Exec(`UPDATE members SET status = 'deleted' WHERE id = ?`, anna.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePost(ctx, bea, tp.ID, NewPost{Body: "Direkt", ReplyTo: first.ID}); err != nil {
		t.Fatal(err)
	}
	clock.Set(sthlm(2025, time.March, 10, 8, 0))
	if n, err := s.SendDigests(ctx, clock.Now()); err != nil || n != 0 {
		t.Errorf("SendDigests = %d, %v", n, err)
	}
	if ms := mtMails(t, s); len(ms) != 0 {
		t.Errorf("mail to a deleted member: %+v", ms)
	}
}

func TestUnsubscribeTokens(t *testing.T) {
	s, _ := mtStore(t)
	ctx := context.Background()
	anna := mtMember(t, s, "anna", "")
	tok, err := s.UnsubscribeToken(ctx, s.DB, anna.ID, "reply")
	if err != nil {
		t.Fatal(err)
	}
	// The secret is made once and kept.
	tok2, _ := s.UnsubscribeToken(ctx, s.DB, anna.ID, "reply")
	if tok != tok2 {
		t.Errorf("tokens differ: %q %q", tok, tok2)
	}
	bea := mtMember(t, s, "bea", "")
	beaTok, _ := s.UnsubscribeToken(ctx, s.DB, bea.ID, "reply")
	tampered := []string{"", "x", tok + "x", strings.Replace(tok, "reply", "thanks", 1),
		itoa(bea.ID) + tok[strings.Index(tok, "."):], beaTok[:strings.LastIndex(beaTok, ".")] + tok[strings.LastIndex(tok, "."):],
		strings.Replace(tok, "reply", "hourly", 1)}
	for _, bad := range tampered {
		if _, err := s.CheckUnsubscribe(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("CheckUnsubscribe(%q) = %v, want ErrNotFound", bad, err)
		}
		if _, err := s.Unsubscribe(ctx, bad, false); !errors.Is(err, ErrNotFound) {
			t.Errorf("Unsubscribe(%q) = %v, want ErrNotFound", bad, err)
		}
	}
	if u, err := s.CheckUnsubscribe(ctx, tok); err != nil || u.Member.ID != anna.ID || u.Scope != "reply" {
		t.Fatalf("CheckUnsubscribe = %+v, %v", u, err)
	}
	if p, _ := s.MailPrefs(ctx, anna.ID); p["reply"] != MailInstant {
		t.Fatalf("checking changed the prefs")
	}
	if _, err := s.Unsubscribe(ctx, tok, false); err != nil {
		t.Fatal(err)
	}
	p, _ := s.MailPrefs(ctx, anna.ID)
	if p["reply"] != MailNever || p["mention"] != MailInstant {
		t.Errorf("after unsubscribing reply: %v", p)
	}
	// The digest scope stops every kind that comes in a digest.
	dig, _ := s.UnsubscribeToken(ctx, s.DB, anna.ID, ScopeDigest)
	if _, err := s.Unsubscribe(ctx, dig, false); err != nil {
		t.Fatal(err)
	}
	p, _ = s.MailPrefs(ctx, anna.ID)
	if p["posted"] != MailNever || p["new_topic"] != MailNever || p["thanks"] != MailNever || p["mention"] != MailInstant {
		t.Errorf("after unsubscribing digests: %v", p)
	}
	// "all" from any of her links stops everything.
	if _, err := s.Unsubscribe(ctx, tok, true); err != nil {
		t.Fatal(err)
	}
	p, _ = s.MailPrefs(ctx, anna.ID)
	for k, m := range p {
		if m != MailNever {
			t.Errorf("after all: %s = %s", k, m)
		}
	}
	// A deleted account's link no longer works.
	s.DB.Exec(`UPDATE members SET status = 'deleted' WHERE id = ?`, anna.ID)
	if _, err := s.CheckUnsubscribe(ctx, tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted member's token: %v", err)
	}
}

func TestFeedTokens(t *testing.T) {
	s, _ := mtStore(t)
	ctx := context.Background()
	anna := mtMember(t, s, "anna", "")
	tok, err := s.FeedToken(ctx, anna.ID)
	if err != nil || len(tok) < 40 {
		t.Fatalf("FeedToken = %q, %v", tok, err)
	}
	if again, _ := s.FeedToken(ctx, anna.ID); again != tok {
		t.Errorf("FeedToken changed: %q → %q", tok, again)
	}
	if m, err := s.FeedMember(ctx, tok); err != nil || m.ID != anna.ID {
		t.Errorf("FeedMember = %v, %v", m, err)
	}
	fresh, err := s.RegenerateFeedToken(ctx, anna.ID)
	if err != nil || fresh == tok {
		t.Fatalf("RegenerateFeedToken = %q, %v", fresh, err)
	}
	if _, err := s.FeedMember(ctx, tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoked token: %v", err)
	}
	if _, err := s.FeedMember(ctx, "nonsense-but-long-enough-to-check"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
	s.DB.Exec(`UPDATE members SET status = 'pending' WHERE id = ?`, anna.ID)
	if _, err := s.FeedMember(ctx, fresh); !errors.Is(err, ErrNotFound) {
		t.Errorf("token of a non-member: %v", err)
	}
}
