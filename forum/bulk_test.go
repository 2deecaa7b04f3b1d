package forum

import (
	"context"
	"strings"
	"testing"
	"time"

	"kliv/i18n"

	"kliv/forum/dbtest"
)

// Tests of the bulk writer and of CheckCounters, on a real migrated
// SQLite file.

func bkStore(t *testing.T) *Store {
	t.Helper()
	s, _ := newTestStore(t)
	s.BaseURL = "https://kliv.test"
	s.I18n = i18n.MustLoad()
	now := time.Date(2025, time.March, 4, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { now = now.Add(time.Second); return now }
	return s
}

func bkMember(t *testing.T, s *Store, name string) *Member {
	t.Helper()
	m, err := s.CreateMember(context.Background(), s.DB, NewMember{Username: name, Email: name + "@example.se",
		DisplayName: "Test " + name, Password: "correct horse battery", Status: StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func bkCheck(t *testing.T, s *Store) {
	t.Helper()
	problems, err := s.CheckCounters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("counters disagree with the rows:\n%s", strings.Join(problems, "\n"))
	}
}

// CheckCounters must agree with what the normal store methods leave, or
// it would prove nothing about a bulk load.
func TestCheckCountersAgreeWithStore(t *testing.T) {
	ctx := context.Background()
	s := bkStore(t)
	anna, berit, cilla := bkMember(t, s, "anna"), bkMember(t, s, "berit"), bkMember(t, s, "cilla")
	cats, err := s.Categories(ctx, false)
	if err != nil || len(cats) < 2 {
		t.Fatalf("categories: %v %v", cats, err)
	}
	q, first, err := s.CreateTopic(ctx, anna, NewTopic{CategoryID: cats[0].ID, Kind: KindQuestion, Title: "Hur gör ni?", Body: "Fråga **här**."})
	if err != nil {
		t.Fatal(err)
	}
	r1, err := s.CreatePost(ctx, berit, q.ID, NewPost{Body: "Svar ett", ReplyTo: first.ID})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := s.CreatePost(ctx, cilla, q.ID, NewPost{Body: "Svar två", ReplyTo: r1.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePost(ctx, anna, q.ID, NewPost{Body: "Tack båda", ReplyTo: r1.ID}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateTopic(ctx, berit, NewTopic{CategoryID: cats[1].ID, Kind: KindLink, Title: "Läsvärt",
		Body: "Se länken.", URL: "https://www.skolverket.se/publikationer"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Member{anna, cilla} {
		if err := s.Thank(ctx, m, r1.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Thank(ctx, berit, first.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Unthank(ctx, cilla, r1.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkAnswer(ctx, anna, q.ID, r1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditPost(ctx, cilla, r2.ID, "Svar två, rättat", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePost(ctx, cilla, r2.ID); err != nil {
		t.Fatal(err)
	}
	bkCheck(t, s)

	// And it notices a counter that is off.
	if _, err := s.DB.Exec(`UPDATE posts SET reply_count = reply_count + 1 WHERE id = ?`, first.ID); err != nil {
		t.Fatal(err)
	}
	problems, err := s.CheckCounters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "posts.reply_count") {
		t.Fatalf("problems = %q, want one about posts.reply_count", problems)
	}
}

// A bulk load writes rows with their counters in batches; the normal
// methods then carry on from where it left off.
func TestBulkLoadThenStoreCarriesOn(t *testing.T) {
	ctx := context.Background()
	s := bkStore(t)
	existing := bkMember(t, s, "existing")
	cats, err := s.Categories(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.NewBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.Batch = 3 // several transactions
	mID, tID, pID, err := b.MaxIDs(ctx)
	if err != nil || mID != existing.ID || tID != 0 || pID != 0 {
		t.Fatalf("MaxIDs = %d %d %d %v", mID, tID, pID, err)
	}
	at := time.Date(2024, time.May, 2, 8, 0, 0, 0, time.UTC)
	hash := HashPassword(s.Hash, "kliv-demo-lösen")
	for i, name := range []string{"dora", "eva"} {
		if err := b.Member(ctx, &BulkMember{ID: mID + 1 + int64(i), Username: name, Email: name + "@x.example", DisplayName: name,
			PasswordHash: hash, Role: RoleMember, Status: StatusApproved, RoleTitle: "Rektor", Workplace: "Skolan", Sector: "municipality",
			CreatedAt: at, ApprovedAt: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	dora, eva := mID+1, mID+2
	md := func(src string) string {
		h, err := s.MD.Render(src)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if err := b.Topic(ctx, &BulkTopic{ID: 1, CategoryID: cats[0].ID, AuthorID: dora, Kind: KindDiscussion, Title: "Bulk",
		FirstPostID: 1, PostCount: 3, ThanksCount: 1, CreatedAt: at.Add(2 * time.Hour), LastPostAt: at.Add(4 * time.Hour),
		LastPostID: 3, LastPosterID: dora}); err != nil {
		t.Fatal(err)
	}
	posts := []BulkPost{
		{ID: 1, TopicID: 1, Seq: 1, AuthorID: dora, Body: "Hej **alla**", BodyHTML: md("Hej **alla**"), ThanksCount: 1, ReplyCount: 2,
			CreatedAt: at.Add(2 * time.Hour)},
		{ID: 2, TopicID: 1, Seq: 2, AuthorID: eva, ReplyTo: 1, Body: "Hej", BodyHTML: md("Hej"), CreatedAt: at.Add(3 * time.Hour)},
		{ID: 3, TopicID: 1, Seq: 3, AuthorID: dora, ReplyTo: 1, Body: "Tack", BodyHTML: md("Tack"), CreatedAt: at.Add(4 * time.Hour),
			Version: 2, EditedAt: at.Add(5 * time.Hour)},
	}
	if err := b.Posts(ctx, posts); err != nil {
		t.Fatal(err)
	}
	if err := b.Revision(ctx, &BulkRevision{PostID: 3, Version: 1, Body: "Tck", BodyHTML: md("Tck"), EditedBy: dora,
		CreatedAt: at.Add(5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := b.Reaction(ctx, &BulkReaction{PostID: 1, MemberID: eva, CreatedAt: at.Add(3 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddCategoryCounts(ctx, cats[0].ID, 1, 3); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// What is not flushed when the load is closed is rolled back.
	if err := b.Topic(ctx, &BulkTopic{ID: 2, CategoryID: cats[0].ID, AuthorID: dora, Kind: KindDiscussion, Title: "Lost",
		CreatedAt: at, LastPostAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB.Get(&n, `SELECT COUNT(*) FROM topics`); err != nil || n != 1 {
		t.Fatalf("topics = %d, %v; want the flushed one only", n, err)
	}
	if b.Rows != 10 {
		t.Errorf("Rows = %d, want 10", b.Rows)
	}
	bkCheck(t, s)

	// The store carries on: the next reply is seq 4, thanks and answers work.
	me, err := s.Member(ctx, eva)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreatePost(ctx, me, 1, NewPost{Body: "Fyra", ReplyTo: 2})
	if err != nil {
		t.Fatal(err)
	}
	if p.Seq != 4 || p.ID != 4 {
		t.Errorf("new post seq %d id %d, want 4 and 4", p.Seq, p.ID)
	}
	if err := s.Thank(ctx, existing, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Thank(ctx, me, 1); err == nil {
		t.Error("thanking twice was allowed")
	}
	if _, err := s.Authenticate(ctx, "dora", "kliv-demo-lösen"); err != nil {
		t.Errorf("bulk member cannot sign in: %v", err)
	}
	ts, _, err := s.Topics(ctx, me, TopicFilter{CategoryID: cats[0].ID})
	if err != nil || len(ts) != 1 || ts[0].PostCount != 4 || ts[0].LastPostID == nil || *ts[0].LastPostID != p.ID {
		t.Fatalf("topics after a reply: %+v %v", ts, err)
	}
	bkCheck(t, s)
}

// A bulk load gives its connection back with the settings it had.
func TestBulkRestoresConnection(t *testing.T) {
	dbtest.SkipOnPG(t, "PRAGMAs of the bulk connection")
	ctx := context.Background()
	s := bkStore(t)
	s.DB.SetMaxOpenConns(1) // the bulk connection is the only one
	pragmas := func() (out [3]int) {
		for i, p := range []string{"synchronous", "cache_size", "temp_store"} {
			if err := s.DB.Get(&out[i], "PRAGMA "+p); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	before := pragmas()
	b, err := s.NewBulk(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if after := pragmas(); after != before {
		t.Errorf("synchronous, cache_size, temp_store were %v before a bulk load and %v after", before, after)
	}
}
