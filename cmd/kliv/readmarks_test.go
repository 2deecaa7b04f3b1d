package main

import (
	"context"
	"fmt"
	"kliv/forum/dbtest"
	"net/http"
	"sync"
	"testing"
	"time"

	"kliv/forum"
)

// beaReads counts bea's read marks in the database and returns the
// one for topicID (0: none).
func beaReads(t *testing.T, a *app, topicID int64) (int, int) {
	t.Helper()
	var n, seq int
	if err := a.db.Get(&n, `SELECT COUNT(*) FROM topic_reads r JOIN members m ON m.id = r.member_id WHERE m.username = 'bea'`); err != nil {
		t.Fatal(err)
	}
	if err := a.db.Get(&seq, `SELECT COALESCE(MAX(last_read_seq), 0) FROM topic_reads r JOIN members m ON m.id = r.member_id
		WHERE m.username = 'bea' AND r.topic_id = ?`, topicID); err != nil {
		t.Fatal(err)
	}
	return n, seq
}

// listUnread is the unread count the topic list API shows bea for topicID.
func listUnread(t *testing.T, c *testClient, topicID int64) float64 {
	t.Helper()
	for _, v := range c.api("GET", "/api/v1/topics", nil).wantStatus(http.StatusOK).json()["topics"].([]any) {
		tj := v.(map[string]any)
		if int64(tj["id"].(float64)) == topicID {
			return tj["unread"].(float64)
		}
	}
	t.Fatalf("topic %d not in the list", topicID)
	return 0
}

// A view's read mark shows at once, before it is written; the flush
// writes it and a fresh store on the same file sees it.
func TestReadMarkWrittenBehind(t *testing.T) {
	a, _, bea := forumApp(t)
	ctx := context.Background()
	anna := member(t, a, "anna")
	tp := mustTopic(t, a, anna, forum.NewTopic{Title: "Skrivs efteråt"})
	p := mustReply(t, a, anna, tp.ID, "Hej @bea, ett svar", 0)
	if got := listUnread(t, bea, tp.ID); got != 2 {
		t.Fatalf("before the view: unread %v, want 2", got)
	}
	beaM := member(t, a, "bea")
	before, err := a.store.UnreadNotifications(ctx, beaM.ID)
	if err != nil {
		t.Fatal(err)
	}
	bea.get(fmt.Sprintf("/t/%d", tp.ID)).wantStatus(http.StatusOK)
	if n, _ := beaReads(t, a, tp.ID); n != 0 {
		t.Fatalf("the view wrote %d read marks at once", n)
	}
	if a.store.PendingReads() != 1 {
		t.Fatalf("pending marks %d, want 1", a.store.PendingReads())
	}
	if got := listUnread(t, bea, tp.ID); got != 0 {
		t.Errorf("after the view, before a flush: unread %v, want 0", got)
	}
	bea.get("/").wantStatus(http.StatusOK)
	// The mention she has now seen is read at once too.
	if after, err := a.store.UnreadNotifications(ctx, beaM.ID); err != nil || after != before-1 || before == 0 {
		t.Errorf("unread notifications %d → %d (%v), want one fewer", before, after, err)
	}
	ns := bea.api("GET", "/api/v1/notifications", nil).wantStatus(http.StatusOK).json()
	if ns["unread"].(float64) != float64(before-1) {
		t.Errorf("notifications API unread %v, want %d", ns["unread"], before-1)
	}
	if n, err := a.store.FlushReads(ctx); err != nil || n != 1 {
		t.Fatalf("flush: %d, %v", n, err)
	}
	if n, seq := beaReads(t, a, tp.ID); n != 1 || seq != p.Seq {
		t.Fatalf("after the flush: %d marks, seq %d, want 1 at %d", n, seq, p.Seq)
	}
	var unreadNotes int
	if err := a.db.Get(&unreadNotes, `SELECT COUNT(*) FROM notifications WHERE member_id = ? AND read_at IS NULL`, beaM.ID); err != nil || unreadNotes != before-1 {
		t.Errorf("after the flush: %d unread notifications in the table (%v), want %d", unreadNotes, err, before-1)
	}
	db, err := forum.Open(ctx, a.cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fresh := forum.NewStore(db, testBaseURL)
	u, err := fresh.TopicUnread(ctx, beaM.ID, tp.ID)
	if err != nil || u.Count != 0 {
		t.Errorf("a fresh store: unread %+v (%v), want read", u, err)
	}
	// Her own reply right after reading the last page stays read.
	tp2 := mustTopic(t, a, anna, forum.NewTopic{Title: "Eget svar"})
	mustReply(t, a, anna, tp2.ID, "Ett svar", 0)
	bea.get(fmt.Sprintf("/t/%d", tp2.ID)).wantStatus(http.StatusOK)
	mustReply(t, a, beaM, tp2.ID, "Mitt svar", 0)
	if _, err := a.store.FlushReads(ctx); err != nil {
		t.Fatal(err)
	}
	if got := listUnread(t, bea, tp2.ID); got != 0 {
		t.Errorf("her own reply after reading: unread %v, want 0", got)
	}
}

// Closing the app (the server's graceful stop) writes what is pending.
func TestReadMarksFlushedOnClose(t *testing.T) {
	a, _, bea := forumApp(t)
	ctx := context.Background()
	tp := mustTopic(t, a, member(t, a, "anna"), forum.NewTopic{Title: "Stängs"})
	bea.get(fmt.Sprintf("/t/%d", tp.ID)).wantStatus(http.StatusOK)
	if err := a.close(); err != nil {
		t.Fatal(err)
	}
	db, err := forum.Open(ctx, a.cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seq int
	if err := db.Get(&seq, `SELECT last_read_seq FROM topic_reads r JOIN members m ON m.id = r.member_id
		WHERE m.username = 'bea' AND r.topic_id = ?`, tp.ID); err != nil || seq != 1 {
		t.Fatalf("after close: seq %d (%v), want 1", seq, err)
	}
}

// Concurrent views and flushes never move a mark backwards.
func TestReadMarksMonotonicUnderConcurrency(t *testing.T) {
	a, _, bea := forumApp(t)
	ctx := context.Background()
	anna, beaM := member(t, a, "anna"), member(t, a, "bea")
	tp := mustTopic(t, a, anna, forum.NewTopic{Title: "Samtidigt"})
	for i := 0; i < 2*forum.PageSize; i++ {
		mustReply(t, a, anna, tp.ID, fmt.Sprintf("Svar %d", i), 0)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				seq := 1 + (g*7+i*13)%(2*forum.PageSize)
				if err := a.store.MarkRead(ctx, beaM, tp.ID, seq); err != nil {
					t.Error(err)
				}
				if i%5 == 0 {
					if _, err := a.store.FlushReads(ctx); err != nil {
						t.Error(err)
					}
				}
			}
		}(g)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		bea.get(fmt.Sprintf("/t/%d?page=3", tp.ID)).wantStatus(http.StatusOK)
	}()
	wg.Wait()
	last := 2*forum.PageSize + 1
	if got := listUnread(t, bea, tp.ID); got != 0 {
		t.Errorf("pending: unread %v, want 0", got)
	}
	if _, err := a.store.FlushReads(ctx); err != nil {
		t.Fatal(err)
	}
	if _, seq := beaReads(t, a, tp.ID); seq != last {
		t.Errorf("mark %d, want %d (the highest)", seq, last)
	}
	if err := a.store.MarkRead(ctx, beaM, tp.ID, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.FlushReads(ctx); err != nil {
		t.Fatal(err)
	}
	if _, seq := beaReads(t, a, tp.ID); seq != last {
		t.Errorf("an earlier page moved the mark back to %d", seq)
	}
}

// In the steady state a signed-in page view writes nothing: a first view
// of a topic, the front page, a list, a session past its minute.
func TestSteadyPageViewsDoNotWrite(t *testing.T) {
	dbtest.SkipOnPG(t, "counts writes with PRAGMA data_version; the write-behind buffer it checks is the same code on PostgreSQL")
	a, _, bea := forumApp(t)
	ctx := context.Background()
	clock := useTestClock(a)
	anna := member(t, a, "anna")
	tp1 := mustTopic(t, a, anna, forum.NewTopic{Title: "Första"})
	tp2 := mustTopic(t, a, anna, forum.NewTopic{Title: "Andra"})
	mustReply(t, a, anna, tp2.ID, "Ett svar", 0)
	bea.get(fmt.Sprintf("/t/%d", tp1.ID)).wantStatus(http.StatusOK)
	if _, err := a.store.FlushReads(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := a.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	version := func() int64 {
		t.Helper()
		var v int64
		if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	clock.Add(2 * time.Minute) // her session wants extending
	bea.get(fmt.Sprintf("/t/%d", tp2.ID)).wantStatus(http.StatusOK)
	bea.get("/").wantStatus(http.StatusOK)
	bea.api("GET", "/api/v1/topics", nil).wantStatus(http.StatusOK)
	bea.get(fmt.Sprintf("/t/%d", tp2.ID)).wantStatus(http.StatusOK)
	if v := version(); v != v0 {
		t.Errorf("page views wrote to the database (data_version %d → %d)", v0, v)
	}
	if _, err := a.store.FlushReads(ctx); err != nil {
		t.Fatal(err)
	}
	if v := version(); v == v0 {
		t.Error("the flush wrote nothing")
	}
	if _, seq := beaReads(t, a, tp2.ID); seq != 2 {
		t.Errorf("flushed mark %d, want 2", seq)
	}
	var seen time.Time
	if err := a.db.Get(&seen, `SELECT s.last_seen_at FROM sessions s JOIN members m ON m.id = s.member_id WHERE m.username = 'bea' ORDER BY s.last_seen_at DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if clock.Now().Sub(seen) > time.Minute {
		t.Errorf("the session extension was not written: last seen %v, now %v", seen, clock.Now())
	}
}
