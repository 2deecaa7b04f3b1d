package forum

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// Tests of unread marks, following, notifications and bookmarks, on a
// real migrated SQLite file per test.

type rdClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *rdClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Add moves the clock on.
func (c *rdClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

type rdEnv struct {
	t     *testing.T
	s     *Store
	clock *rdClock
	ctx   context.Context
	cats  []Category
}

func newRdEnv(t *testing.T) *rdEnv {
	t.Helper()
	ctx := context.Background()
	s, _ := newTestStore(t)
	s.BaseURL = "https://kliv.test"
	clock := &rdClock{now: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)}
	s.Now = clock.Now
	cats, err := s.Categories(ctx, false)
	if err != nil || len(cats) < 2 {
		t.Fatalf("categories: %v", err)
	}
	return &rdEnv{t: t, s: s, clock: clock, ctx: ctx, cats: cats}
}

// member makes an account with that status; the clock moves on a minute
// after, so what follows happens after her approval.
func (e *rdEnv) member(name string, status Status) *Member {
	e.t.Helper()
	m, err := e.s.CreateMember(e.ctx, e.s.DB, NewMember{Username: name, Email: name + "@example.se",
		DisplayName: strings.ToUpper(name[:1]) + name[1:], Password: "correct horse battery", Status: status})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	return m
}

func (e *rdEnv) topic(author *Member, cat int, kind, title, body string) (*Topic, *Post) {
	e.t.Helper()
	t, p, err := e.s.CreateTopic(e.ctx, author, NewTopic{CategoryID: e.cats[cat].ID, Kind: kind, Title: title, Body: body})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	return t, p
}

func (e *rdEnv) reply(author *Member, t *Topic, replyTo int64, body string) *Post {
	e.t.Helper()
	p, err := e.s.CreatePost(e.ctx, author, t.ID, NewPost{Body: body, ReplyTo: replyTo})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Add(time.Minute)
	return p
}

func (e *rdEnv) unread(m *Member, ts ...*Topic) map[int64]Unread {
	e.t.Helper()
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	u, err := e.s.Unread(e.ctx, m.ID, ids)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// noteRow is a stored notification, for checks.
type noteRow struct {
	ID       int64   `db:"id"`
	MemberID int64   `db:"member_id"`
	Kind     string  `db:"kind"`
	PostID   *int64  `db:"post_id"`
	ActorID  *int64  `db:"actor_id"`
	Data     string  `db:"data"`
	ReadAt   *string `db:"read_at"`
}

func (e *rdEnv) notes(m *Member) []noteRow {
	e.t.Helper()
	var ns []noteRow
	if err := e.s.DB.Select(&ns, `SELECT id, member_id, kind, post_id, actor_id, data, read_at FROM notifications WHERE member_id = ? ORDER BY id`, m.ID); err != nil {
		e.t.Fatal(err)
	}
	return ns
}

// kinds lists the kinds of her notifications, in order.
func (e *rdEnv) kinds(m *Member) string {
	var ks []string
	for _, n := range e.notes(m) {
		ks = append(ks, n.Kind)
	}
	return strings.Join(ks, ",")
}

func TestUnreadRule(t *testing.T) {
	type want struct {
		count, first int
		isNew        bool
	}
	cases := []struct {
		name string
		// run builds the situation and returns the topic to check for
		// the reader bea.
		run  func(e *rdEnv, anna, bea *Member) *Topic
		want want
	}{
		{"older than her approval counts as read", func(e *rdEnv, anna, bea *Member) *Topic {
			e.clock.Add(-time.Hour)
			t, _ := e.topic(anna, 0, "", "Gammalt ämne", "Före hennes tid.")
			e.clock.Add(time.Hour)
			return t
		}, want{}},
		{"a new topic she never opened is new, all posts unread", func(e *rdEnv, anna, bea *Member) *Topic {
			t, p := e.topic(anna, 0, "", "Nytt ämne", "Text.")
			e.reply(anna, t, p.ID, "Ett till.")
			return t
		}, want{count: 2, first: 1, isNew: true}},
		{"an old topic with new activity is new", func(e *rdEnv, anna, bea *Member) *Topic {
			e.clock.Add(-time.Hour)
			t, _ := e.topic(anna, 0, "", "Gammalt ämne", "Före hennes tid.")
			e.clock.Add(time.Hour)
			e.reply(anna, t, 0, "Nu händer det något.")
			return t
		}, want{count: 2, first: 1, isNew: true}},
		{"after reading, the posts after her mark", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			if err := e.s.MarkRead(e.ctx, bea, t.ID, 1); err != nil {
				e.t.Fatal(err)
			}
			e.reply(anna, t, 0, "Två.")
			e.reply(anna, t, 0, "Tre.")
			return t
		}, want{count: 2, first: 2}},
		{"the mark only moves forward", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			e.reply(anna, t, 0, "Två.")
			e.reply(anna, t, 0, "Tre.")
			_ = e.s.MarkRead(e.ctx, bea, t.ID, 2)
			_ = e.s.MarkRead(e.ctx, bea, t.ID, 1)
			return t
		}, want{count: 1, first: 3}},
		{"read to the end is read", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			e.reply(anna, t, 0, "Två.")
			_ = e.s.MarkRead(e.ctx, bea, t.ID, 99)
			return t
		}, want{}},
		{"her own new topic is read", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(bea, 0, "", "Mitt ämne", "Text.")
			return t
		}, want{}},
		{"her own reply after reading everything is read", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			_ = e.s.MarkRead(e.ctx, bea, t.ID, 1)
			e.reply(bea, t, 0, "Mitt svar.")
			return t
		}, want{}},
		{"her reply does not hide a post she has not read", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			_ = e.s.MarkRead(e.ctx, bea, t.ID, 1)
			e.reply(anna, t, 0, "Två.")
			e.reply(bea, t, 0, "Tre, mitt.")
			return t
		}, want{count: 2, first: 2}},
		{"mark all as read", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			if err := e.s.MarkAllRead(e.ctx, bea, 0); err != nil {
				e.t.Fatal(err)
			}
			return t
		}, want{}},
		{"mark all, then a new post in a topic she had opened", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			_ = e.s.MarkRead(e.ctx, bea, t.ID, 1)
			e.reply(anna, t, 0, "Två.")
			e.reply(anna, t, 0, "Tre.")
			e.clock.Add(time.Minute)
			_ = e.s.MarkAllRead(e.ctx, bea, 0)
			e.clock.Add(time.Minute)
			e.reply(anna, t, 0, "Fyra.")
			return t
		}, want{count: 1, first: 4}},
		{"mark all, then a new post in a topic she never opened", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			_ = e.s.MarkAllRead(e.ctx, bea, 0)
			e.clock.Add(time.Minute)
			e.reply(anna, t, 0, "Två.")
			return t
		}, want{count: 2, first: 1, isNew: true}},
		{"mark a category read", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			_ = e.s.MarkAllRead(e.ctx, bea, e.cats[0].ID)
			return t
		}, want{}},
		{"marking another category read leaves this one", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			_ = e.s.MarkRead(e.ctx, bea, t.ID, 0) // nothing
			_ = e.s.MarkAllRead(e.ctx, bea, e.cats[1].ID)
			return t
		}, want{count: 1, first: 1, isNew: true}},
		{"a category mark moves the read marks of its opened topics", func(e *rdEnv, anna, bea *Member) *Topic {
			t, _ := e.topic(anna, 0, "", "Ämne", "Text.")
			_ = e.s.MarkRead(e.ctx, bea, t.ID, 1)
			e.reply(anna, t, 0, "Två.")
			e.clock.Add(time.Minute)
			_ = e.s.MarkAllRead(e.ctx, bea, e.cats[0].ID)
			e.clock.Add(time.Minute)
			e.reply(anna, t, 0, "Tre.")
			return t
		}, want{count: 1, first: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newRdEnv(t)
			anna := e.member("anna", StatusApproved)
			bea := e.member("bea", StatusApproved)
			topic := tc.run(e, anna, bea)
			got := e.unread(bea, topic)[topic.ID]
			if got.Count != tc.want.count || got.FirstUnreadSeq != tc.want.first || got.New != tc.want.isNew {
				t.Fatalf("unread %+v, want %+v", got, tc.want)
			}
			if _, listed := e.unread(bea, topic)[topic.ID]; listed != (tc.want.count > 0) {
				t.Fatalf("listed %v for %+v", listed, got)
			}
		})
	}
}

func TestUnreadLinkAndPage(t *testing.T) {
	e := newRdEnv(t)
	anna := e.member("anna", StatusApproved)
	bea := e.member("bea", StatusApproved)
	tp, _ := e.topic(anna, 0, "", "Långt ämne", "Ett.")
	for i := 2; i <= PageSize+5; i++ {
		e.reply(anna, tp, 0, "Svar.")
	}
	if got := (Unread{}).Link(tp.ID); got != tp.Path() {
		t.Fatalf("read link %s", got)
	}
	if got := e.unread(bea, tp)[tp.ID].Link(tp.ID); got != tp.Path() {
		t.Fatalf("new topic link %s, want the first page", got)
	}
	_ = e.s.MarkRead(e.ctx, bea, tp.ID, PageSize+1)
	u := e.unread(bea, tp)[tp.ID]
	if u.Count != 4 || u.FirstUnreadSeq != PageSize+2 {
		t.Fatalf("unread %+v", u)
	}
	if got, want := u.Link(tp.ID), "/t/"+rdItoa(tp.ID)+"?page=2#s"+rdItoa(int64(PageSize+2)); got != want {
		t.Fatalf("link %s, want %s", got, want)
	}
	// Many topics, one query: unknown ids are simply absent.
	if got := e.unread(bea, tp, &Topic{ID: 999}); len(got) != 1 {
		t.Fatalf("unread of a page: %v", got)
	}
}

func rdItoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestNotificationsPerKind(t *testing.T) {
	e := newRdEnv(t)
	anna := e.member("anna", StatusApproved)
	bea := e.member("bea", StatusApproved)
	carl := e.member("carl", StatusApproved)
	dora := e.member("dora", StatusApproved)
	erik := e.member("erik", StatusApproved)
	pia := e.member("pia", StatusPending)

	// erik follows the first category, dora mutes it (no effect on
	// topics she follows herself); pia is no member, so her follow says
	// nothing.
	if err := e.s.SetCategoryFollow(e.ctx, erik, e.cats[0].ID, FollowWatching); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.DB.Exec(`INSERT INTO category_follows (member_id, category_id, level, created_at) VALUES (?, ?, 'watching', ?)`,
		pia.ID, e.cats[0].ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}

	// A new topic: erik (category) gets new_topic, nobody else, not anna.
	tp, first := e.topic(anna, 0, KindQuestion, "Schema i hemtjänsten", "Hur gör ni?")
	if got := e.kinds(erik); got != "new_topic" {
		t.Fatalf("erik: %q", got)
	}
	for _, m := range []*Member{anna, bea, carl, dora, pia} {
		if got := e.kinds(m); got != "" {
			t.Fatalf("%s got %q for a new topic", m.Username, got)
		}
	}

	// carl follows the topic; dora follows and then mutes it.
	_ = e.s.SetTopicFollow(e.ctx, carl, tp.ID, FollowWatching)
	_ = e.s.SetTopicFollow(e.ctx, dora, tp.ID, FollowMuted)
	if _, err := e.s.DB.Exec(`INSERT INTO topic_follows (member_id, topic_id, level, created_at) VALUES (?, ?, 'watching', ?)`,
		pia.ID, tp.ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}

	// bea replies to anna's post, mentioning carl, dora (muted), pia (not
	// approved), nobody and, inside code, erik.
	p2 := e.reply(bea, tp, first.ID, "Vi har provat @carl:s modell, fråga @dora och @pia och @nobody. `@erik`\n\n    @erik")
	cases := []struct {
		m    *Member
		want string
	}{
		{anna, "reply"},     // reply beats posted (she follows her own topic)
		{bea, ""},           // the author
		{carl, "mention"},   // mention beats posted
		{dora, ""},          // muted the topic
		{erik, "new_topic"}, // code is no mention; not following the topic
		{pia, ""},           // not approved
	}
	for _, c := range cases {
		if got := e.kinds(c.m); got != c.want {
			t.Errorf("%s: %q, want %q", c.m.Username, got, c.want)
		}
	}
	// One notification per member and post.
	var n int
	_ = e.s.DB.Get(&n, `SELECT COUNT(*) FROM notifications WHERE post_id = ?`, p2.ID)
	if n != 2 {
		t.Fatalf("%d notifications for the reply, want 2 (anna, carl)", n)
	}

	// bea follows automatically: carl's next reply tells her (posted), and
	// anna (auto-followed her topic).
	e.reply(carl, tp, 0, "Ett svar utan adress.")
	if got := e.kinds(bea); got != "posted" {
		t.Fatalf("bea after carl's reply: %q", got)
	}
	if got := e.kinds(anna); got != "reply,posted" {
		t.Fatalf("anna: %q", got)
	}

	// The answer: anna marks bea's reply.
	if err := e.s.MarkAnswer(e.ctx, anna, tp.ID, p2.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.kinds(bea); got != "posted,answer" {
		t.Fatalf("bea after the answer: %q", got)
	}
	// Marking it again (after clearing) tells her once.
	_ = e.s.MarkAnswer(e.ctx, anna, tp.ID, 0)
	_ = e.s.MarkAnswer(e.ctx, anna, tp.ID, p2.ID)
	if got := e.kinds(bea); got != "posted,answer" {
		t.Fatalf("bea after the answer twice: %q", got)
	}

	// An edit that adds a mention tells the newly mentioned, once.
	p4 := e.reply(anna, tp, 0, "Tack för tipsen.")
	if _, err := e.s.EditPost(e.ctx, anna, p4.ID, "Tack för tipsen, @erik!", 1); err != nil {
		t.Fatal(err)
	}
	if got := e.kinds(erik); got != "new_topic,mention" {
		t.Fatalf("erik after the edit: %q", got)
	}
	if _, err := e.s.EditPost(e.ctx, anna, p4.ID, "Tack för tipsen, @erik och @bea!", 2); err != nil {
		t.Fatal(err)
	}
	if got := e.kinds(erik); got != "new_topic,mention" {
		t.Fatalf("erik after a second edit: %q", got)
	}
	// bea was told of p4 as posted; the mention upgrades that one row.
	ns := e.notes(bea)
	if last := ns[len(ns)-1]; last.Kind != "mention" || *last.PostID != p4.ID || len(ns) != 3 {
		t.Fatalf("bea after the mention by edit: %+v", ns)
	}

	// A deleted post takes its notifications with it.
	if err := e.s.DeletePost(e.ctx, anna, p4.ID); err != nil {
		t.Fatal(err)
	}
	_ = e.s.DB.Get(&n, `SELECT COUNT(*) FROM notifications WHERE post_id = ?`, p4.ID)
	if n != 0 {
		t.Fatalf("%d notifications left for a deleted post", n)
	}
}

func TestThanksGrouped(t *testing.T) {
	e := newRdEnv(t)
	anna := e.member("anna", StatusApproved)
	bea := e.member("bea", StatusApproved)
	carl := e.member("carl", StatusApproved)
	dora := e.member("dora", StatusApproved)
	erik := e.member("erik", StatusApproved)
	_, p := e.topic(anna, 0, KindTip, "Ett tips", "Prova att ...")

	for _, m := range []*Member{bea, carl} {
		if err := e.s.Thank(e.ctx, m, p.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Minute)
	}
	ns := e.notes(anna)
	if len(ns) != 1 || ns[0].Kind != "thanks" || *ns[0].ActorID != carl.ID {
		t.Fatalf("after two thanks: %+v", ns)
	}
	// She reads it; a new thanks makes it unread and newest again.
	list, _, err := e.s.Notifications(e.ctx, anna, "", 10)
	if err != nil || len(list) != 1 {
		t.Fatal(err, list)
	}
	if _, err := e.s.OpenNotification(e.ctx, anna, list[0].ID); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Member{dora, erik} {
		if err := e.s.Thank(e.ctx, m, p.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Minute)
	}
	list, _, err = e.s.Notifications(e.ctx, anna, "", 10)
	if err != nil || len(list) != 1 {
		t.Fatal(err, list)
	}
	n := list[0]
	if n.Read() || n.Count() != 4 || n.Actor() != "Erik" || !n.UpdatedAt.After(n.CreatedAt) {
		t.Fatalf("grouped: read %v count %d actor %q", n.Read(), n.Count(), n.Actor())
	}
	var others []string
	for _, a := range n.Actors {
		others = append(others, a.Username)
	}
	if strings.Join(others, ",") != "dora,carl,bea" {
		t.Fatalf("other thankers %v", others)
	}
	if c, _ := e.s.UnreadNotifications(e.ctx, anna.ID); c != 1 {
		t.Fatalf("unread %d", c)
	}
	// Thanking one's own post is refused and tells nobody.
	if err := e.s.Thank(e.ctx, anna, p.ID); err == nil {
		t.Fatal("thanked her own post")
	}
}

func TestJoinDecisionAndReminder(t *testing.T) {
	e := newRdEnv(t)
	anna := e.member("anna", StatusApproved)
	rejected := e.member("rut", StatusRejected)
	pending := e.member("pelle", StatusPending)
	err := InTx(e.ctx, e.s.DB, func(tx *sqlx.Tx) error {
		for _, m := range []*Member{anna, rejected, pending} {
			if err := e.s.NotifyJoinDecision(e.ctx, tx, m.ID, 7, map[bool]string{true: "approved", false: "rejected"}[m == anna]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.kinds(anna) != "join_decision" || e.kinds(rejected) != "join_decision" || e.kinds(pending) != "" {
		t.Fatalf("join decisions: %q %q %q", e.kinds(anna), e.kinds(rejected), e.kinds(pending))
	}

	bea := e.member("bea", StatusApproved)
	tp, p := e.topic(anna, 0, "", "Ämne", "Spara mig.")
	past := e.clock.Now().Add(-time.Minute)
	if _, _, err := e.s.SaveBookmark(e.ctx, bea, p.ID, BookmarkInput{RemindAt: &past}); err == nil {
		t.Fatal("a reminder in the past was accepted")
	}
	at := e.clock.Now().Add(2 * time.Hour)
	b, created, err := e.s.SaveBookmark(e.ctx, bea, p.ID, BookmarkInput{Note: "Läs inför mötet", RemindAt: &at})
	if err != nil || !created || b.Note != "Läs inför mötet" || b.TopicID != tp.ID {
		t.Fatalf("save: %+v %v %v", b, created, err)
	}
	if _, created, _ := e.s.SaveBookmark(e.ctx, bea, p.ID, BookmarkInput{Note: "Läs inför mötet", RemindAt: &at}); created {
		t.Fatal("saving again made a second bookmark")
	}
	if n, err := e.s.SendDueReminders(e.ctx); err != nil || n != 0 {
		t.Fatalf("early reminders: %d %v", n, err)
	}
	e.clock.Add(3 * time.Hour)
	if n, err := e.s.SendDueReminders(e.ctx); err != nil || n != 1 {
		t.Fatalf("due reminders: %d %v", n, err)
	}
	if n, _ := e.s.SendDueReminders(e.ctx); n != 0 {
		t.Fatalf("a reminder was sent twice")
	}
	ns := e.notes(bea)
	if len(ns) != 1 || ns[0].Kind != "reminder" || *ns[0].PostID != p.ID || !strings.Contains(ns[0].Data, "Läs inför mötet") {
		t.Fatalf("reminder: %+v", ns)
	}
	bs, _, err := e.s.Bookmarks(e.ctx, bea, "", 10)
	if err != nil || len(bs) != 1 || bs[0].Pending() || bs[0].RemindedAt == nil {
		t.Fatalf("bookmarks after the reminder: %+v %v", bs, err)
	}
}

func TestAutoFollowAndMutedCategory(t *testing.T) {
	e := newRdEnv(t)
	anna := e.member("anna", StatusApproved)
	bea := e.member("bea", StatusApproved)
	carl := e.member("carl", StatusApproved)
	tp, _ := e.topic(anna, 0, "", "Ämne", "Text.")
	if err := e.s.SetAutoFollow(e.ctx, bea, false); err != nil {
		t.Fatal(err)
	}
	_ = e.s.SetCategoryFollow(e.ctx, carl, e.cats[0].ID, FollowMuted)
	e.reply(bea, tp, 0, "Utan bevakning.")
	e.reply(carl, tp, 0, "I en tystad kategori.")
	for _, m := range []*Member{anna, bea, carl} {
		lv, err := e.s.TopicFollow(e.ctx, m.ID, tp.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"anna": FollowWatching}[m.Username]
		if lv != want {
			t.Errorf("%s follows at %q, want %q", m.Username, lv, want)
		}
	}
	// A topic she chose to follow in a muted category still tells her.
	_ = e.s.SetTopicFollow(e.ctx, carl, tp.ID, FollowWatching)
	e.reply(anna, tp, 0, "Hej.")
	if got := e.kinds(carl); got != "posted" {
		t.Fatalf("carl: %q", got)
	}
	fs, next, err := e.s.FollowedTopics(e.ctx, carl, "", 10)
	if err != nil || len(fs) != 1 || next != "" {
		t.Fatalf("followed: %v %q %v", fs, next, err)
	}
	// Bad level, unknown topic.
	if err := e.s.SetTopicFollow(e.ctx, carl, tp.ID, "loud"); err == nil {
		t.Fatal("a bad level was accepted")
	}
	if err := e.s.SetTopicFollow(e.ctx, carl, 9999, FollowWatching); err == nil {
		t.Fatal("followed a topic that does not exist")
	}
}

func TestFollowedTopicsPaged(t *testing.T) {
	e := newRdEnv(t)
	anna := e.member("anna", StatusApproved)
	var want []int64
	for i := 0; i < 7; i++ {
		tp, _ := e.topic(anna, i%2, "", "Ämne", "Text.")
		want = append(want, tp.ID)
	}
	sort.Slice(want, func(i, j int) bool { return want[i] > want[j] })
	var got []int64
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		ts, next, err := e.s.FollowedTopics(e.ctx, anna, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range ts {
			got = append(got, tp.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(got) != len(want) {
		t.Fatalf("paged %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("paged %v, want %v", got, want)
		}
	}
}
