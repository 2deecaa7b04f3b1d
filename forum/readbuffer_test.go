package forum

import (
	"testing"
	"time"
)

// The buffer keeps the newest, highest mark per member and topic, and
// takes no more than maxPendingReads entries.
func TestReadBufferBoundedNewestWins(t *testing.T) {
	var b readBuffer
	at := time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)
	if !b.add(1, 10, 5, at) || !b.add(1, 10, 3, at.Add(time.Second)) {
		t.Fatal("add refused")
	}
	if got := b.get(1, 10); got != 5 {
		t.Errorf("mark %d after a lower one, want 5", got)
	}
	b.add(1, 10, 8, at.Add(2*time.Second))
	if m := b.member(1)[10]; m.seq != 8 || !m.at.Equal(at.Add(2*time.Second)) {
		t.Errorf("newest mark %+v, want 8 at +2s", m)
	}
	if b.n != 1 {
		t.Errorf("%d entries for one topic", b.n)
	}
	for i := int64(0); b.n < maxPendingReads; i++ {
		if !b.add(2, 100+i, 1, at) {
			t.Fatalf("refused at %d entries", b.n)
		}
	}
	if b.add(3, 1, 1, at) {
		t.Error("a full buffer took a new entry")
	}
	if !b.add(1, 10, 9, at) {
		t.Error("a full buffer refused to raise a pending mark")
	}
	// A flush in progress still counts, and a failed one goes back.
	marks, _ := b.take()
	if len(marks) != 2 || b.get(1, 10) != 9 || b.n != 0 {
		t.Fatalf("take: %d members, mark %d, n %d", len(marks), b.get(1, 10), b.n)
	}
	b.add(1, 10, 4, at)
	b.done(false)
	if b.get(1, 10) != 9 || b.n != maxPendingReads {
		t.Errorf("after a failed flush: mark %d, n %d", b.get(1, 10), b.n)
	}
	b.take()
	b.done(true)
	if b.get(1, 10) != 0 || b.n != 0 || b.member(1) != nil {
		t.Error("a written flush left marks pending")
	}
}

// MarkRead queues; FlushReads writes them all in one batch, and a full
// buffer is flushed by the view that finds it so.
func TestReadBufferBatchFlush(t *testing.T) {
	e := newRdEnv(t)
	anna, bea := e.member("anna", StatusApproved), e.member("bea", StatusApproved)
	var ts []*Topic
	for i := 0; i < 3; i++ {
		tp, _ := e.topic(anna, 0, KindDiscussion, "Tråd", "Text")
		e.reply(anna, tp, 0, "Svar")
		ts = append(ts, tp)
	}
	for _, tp := range ts {
		if err := e.s.MarkRead(e.ctx, bea, tp.ID, 2); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	count := func() int {
		t.Helper()
		if err := e.s.DB.Get(&n, `SELECT COUNT(*) FROM topic_reads WHERE member_id = ? AND last_read_seq = 2`, bea.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if count() != 0 || e.s.PendingReads() != 3 {
		t.Fatalf("before the flush: %d written, %d pending", n, e.s.PendingReads())
	}
	if u := e.unread(bea, ts...); len(u) != 0 {
		t.Errorf("pending marks not seen: %v", u)
	}
	if w, err := e.s.FlushReads(e.ctx); err != nil || w != 3 {
		t.Fatalf("flush wrote %d (%v)", w, err)
	}
	if count() != 3 || e.s.PendingReads() != 0 {
		t.Errorf("after the flush: %d written, %d pending", n, e.s.PendingReads())
	}
	// Full: the next new mark flushes the buffer first.
	e.s.reads.n = maxPendingReads
	e.s.reads.marks = map[int64]map[int64]pendingMark{bea.ID: {ts[0].ID: {seq: 2, at: e.clock.Now()}}}
	tp, _ := e.topic(anna, 0, KindDiscussion, "Full", "Text")
	if err := e.s.MarkRead(e.ctx, bea, tp.ID, 1); err != nil {
		t.Fatal(err)
	}
	if e.s.PendingReads() != 1 || e.s.reads.get(bea.ID, tp.ID) != 1 {
		t.Errorf("after a full buffer: %d pending", e.s.PendingReads())
	}
}
