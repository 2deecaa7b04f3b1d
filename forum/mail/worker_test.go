package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kliv/forum"
)

func TestSendDueSendsAndRecords(t *testing.T) {
	db, _ := newDB(t)
	clk := newClock()
	id := enqueue(t, db, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	later := enqueue(t, db, clk, forum.Mail{To: "b@example.se", Subject: "Sammandrag", Body: "text", SendAfter: clk.Now().Add(time.Hour)})
	rec := newRecorder()
	w := &Worker{DB: db, Sender: rec, Now: clk.Now}

	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	m := row(t, db, id)
	if m.Status != "sent" || m.Attempts != 1 || m.ClaimedUntil != nil || m.SentAt == nil || !m.SentAt.Equal(clk.Now()) {
		t.Fatalf("after send: status %s attempts %d claimed %v sent_at %v", m.Status, m.Attempts, m.ClaimedUntil, m.SentAt)
	}
	if got := row(t, db, later); got.Status != "queued" || got.Attempts != 0 {
		t.Fatalf("delayed mail touched early: %s/%d", got.Status, got.Attempts)
	}
	if n := sendDue(t, w); n != 0 {
		t.Fatalf("second pass sent %d, want 0", n)
	}
	clk.Advance(time.Hour)
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d once due, want 1", n)
	}
	if rec.count(m.MessageID) != 1 || rec.count(row(t, db, later).MessageID) != 1 {
		t.Fatalf("deliveries: %v", rec.sent)
	}
}

func TestFailureBacksOffThenSends(t *testing.T) {
	db, _ := newDB(t)
	clk := newClock()
	id := enqueue(t, db, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	rec := newRecorder()
	failing := true
	rec.fail = func(*forum.OutboxMail) error {
		if failing {
			return errTemp
		}
		return nil
	}
	w := &Worker{DB: db, Sender: rec, Now: clk.Now}

	// Each failure waits about twice as long as the one before.
	for attempt, wait := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute} {
		start := clk.Now()
		if n := sendDue(t, w); n != 0 {
			t.Fatalf("sent %d while failing", n)
		}
		m := row(t, db, id)
		if m.Status != "queued" || m.Attempts != attempt+1 || m.LastError != errTemp.Error() || m.ClaimedUntil != nil {
			t.Fatalf("attempt %d: status %s attempts %d error %q claimed %v", attempt+1, m.Status, m.Attempts, m.LastError, m.ClaimedUntil)
		}
		if d := m.SendAfter.Sub(start); d > wait || d < wait*9/10 {
			t.Fatalf("attempt %d: retry after %v, want about %v", attempt+1, d, wait)
		}
		if n := sendDue(t, w); n != 0 {
			t.Fatal("sent before the backoff ran out")
		}
		clk.Advance(wait)
	}
	if _, calls := rec.total(); calls != 4 {
		t.Fatalf("%d sends, want 4: a row in backoff was tried", calls)
	}
	failing = false
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d after recovery, want 1", n)
	}
	if m := row(t, db, id); m.Status != "sent" || m.Attempts != 5 {
		t.Fatalf("status %s attempts %d", m.Status, m.Attempts)
	}
}

func TestMaxAttemptsFails(t *testing.T) {
	db, _ := newDB(t)
	clk := newClock()
	id := enqueue(t, db, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	rec := newRecorder()
	rec.fail = func(*forum.OutboxMail) error { return errTemp }
	w := &Worker{DB: db, Sender: rec, Now: clk.Now, MaxAttempts: 3}
	for range 6 {
		sendDue(t, w)
		clk.Advance(7 * time.Hour)
	}
	m := row(t, db, id)
	if m.Status != "failed" || m.Attempts != 3 {
		t.Fatalf("status %s attempts %d, want failed after 3", m.Status, m.Attempts)
	}
	if _, calls := rec.total(); calls != 3 {
		t.Fatalf("%d sends, want 3", calls)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	db, _ := newDB(t)
	clk := newClock()
	id := enqueue(t, db, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	rec := newRecorder()
	rec.fail = func(*forum.OutboxMail) error { return fmt.Errorf("%w: 550 5.1.1 no such user", ErrPermanent) }
	w := &Worker{DB: db, Sender: rec, Now: clk.Now}
	sendDue(t, w)
	if m := row(t, db, id); m.Status != "failed" || m.Attempts != 1 || !strings.Contains(m.LastError, "550") {
		t.Fatalf("status %s attempts %d error %q", m.Status, m.Attempts, m.LastError)
	}
}

func TestLastErrorTruncated(t *testing.T) {
	db, _ := newDB(t)
	clk := newClock()
	id := enqueue(t, db, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	rec := newRecorder()
	rec.fail = func(*forum.OutboxMail) error { return errors.New("fel\r\n" + strings.Repeat("ö", 400)) }
	w := &Worker{DB: db, Sender: rec, Now: clk.Now}
	sendDue(t, w)
	m := row(t, db, id)
	if len(m.LastError) > 500 || len(m.LastError) < 490 || strings.ContainsAny(m.LastError, "\r\n\uFFFD") {
		t.Fatalf("last_error is %d bytes: %q", len(m.LastError), m.LastError)
	}
}

// A process that claimed rows and died before sending leaves them in
// 'sending'; a new worker sends them once the lease has run out, and once
// only.
func TestCrashAfterClaimResentAfterLease(t *testing.T) {
	db, path := newDB(t)
	clk := newClock()
	var ids []int64
	for i := range 3 {
		ids = append(ids, enqueue(t, db, clk, forum.Mail{To: fmt.Sprintf("m%d@example.se", i), Subject: "Hej", Body: "text"}))
	}
	done := enqueue(t, db, clk, forum.Mail{To: "done@example.se", Subject: "Hej", Body: "text"})
	if _, err := db.Exec("UPDATE outbox SET status = 'sent', sent_at = ? WHERE id = ?", clk.Now(), done); err != nil {
		t.Fatal(err)
	}

	// The first process claims two rows, then "crashes".
	dead := &Worker{DB: db, Sender: newRecorder(), Now: clk.Now}
	for _, id := range ids[:2] {
		ok, err := dead.claim(context.Background(), id, clk.Now(), clk.Now().Add(dead.lease()))
		if err != nil || !ok {
			t.Fatalf("claim %d: %v %v", id, ok, err)
		}
	}

	// The restarted process has its own connection pool, as a new process.
	rec := newRecorder()
	w := &Worker{DB: openDB(t, path), Sender: rec, Now: clk.Now}
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d, want only the unclaimed row", n)
	}
	clk.Advance(time.Minute)
	if n := sendDue(t, w); n != 0 {
		t.Fatalf("sent %d while the lease held", n)
	}
	clk.Advance(time.Minute + time.Second)
	if n := sendDue(t, w); n != 2 {
		t.Fatalf("sent %d after the lease, want 2", n)
	}
	clk.Advance(24 * time.Hour)
	if n := sendDue(t, w); n != 0 {
		t.Fatalf("sent %d more later", n)
	}
	for _, id := range ids {
		m := row(t, db, id)
		if m.Status != "sent" || rec.count(m.MessageID) != 1 {
			t.Fatalf("row %d: status %s, sent %d times", id, m.Status, rec.count(m.MessageID))
		}
	}
	if rec.count(row(t, db, done).MessageID) != 0 {
		t.Fatal("a row marked sent was sent again")
	}
	if got := row(t, db, ids[0]).Attempts; got != 2 {
		t.Fatalf("attempts %d, want 2 (the dead claim counts)", got)
	}
}

// A row reclaimed after its process died on the last attempt is failed,
// not sent once more than allowed.
func TestCrashOnLastAttemptFails(t *testing.T) {
	db, _ := newDB(t)
	clk := newClock()
	id := enqueue(t, db, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	if _, err := db.Exec("UPDATE outbox SET attempts = 2, last_error = 'timeout' WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	dead := &Worker{DB: db, Sender: newRecorder(), Now: clk.Now, MaxAttempts: 3}
	if ok, err := dead.claim(context.Background(), id, clk.Now(), clk.Now().Add(dead.lease())); !ok || err != nil {
		t.Fatal(ok, err)
	}
	clk.Advance(3 * time.Minute)
	rec := newRecorder()
	w := &Worker{DB: db, Sender: rec, Now: clk.Now, MaxAttempts: 3}
	sendDue(t, w)
	if m := row(t, db, id); m.Status != "failed" || !strings.Contains(m.LastError, "timeout") {
		t.Fatalf("status %s error %q", m.Status, m.LastError)
	}
	if _, calls := rec.total(); calls != 0 {
		t.Fatal("sent beyond MaxAttempts")
	}
}

// Shutting down in the middle of a send hands the row back at once and
// without counting the attempt; the next process sends it exactly once.
func TestShutdownMidSendReleases(t *testing.T) {
	db, _ := newDB(t)
	clk := newClock()
	first := enqueue(t, db, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	second := enqueue(t, db, clk, forum.Mail{To: "b@example.se", Subject: "Hej", Body: "text"})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dying := newRecorder()
	dying.fail = func(*forum.OutboxMail) error {
		cancel() // SIGTERM arrives while the server is talking
		return context.Canceled
	}
	w := &Worker{DB: db, Sender: dying, Now: clk.Now}
	if _, err := w.SendDue(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("SendDue: %v, want context.Canceled", err)
	}
	for _, id := range []int64{first, second} {
		if m := row(t, db, id); m.Status != "queued" || m.Attempts != 0 || m.ClaimedUntil != nil {
			t.Fatalf("row %d: status %s attempts %d claimed %v", id, m.Status, m.Attempts, m.ClaimedUntil)
		}
	}
	if _, calls := dying.total(); calls != 1 {
		t.Fatalf("%d sends after cancel, want 1", calls)
	}

	rec := newRecorder()
	next := &Worker{DB: db, Sender: rec, Now: clk.Now}
	if n := sendDue(t, next); n != 2 {
		t.Fatalf("sent %d, want 2 without waiting for a lease", n)
	}
	clk.Advance(time.Hour)
	if n := sendDue(t, next); n != 0 {
		t.Fatalf("sent %d again", n)
	}
}

// Two workers on separate connection pools, as two server processes, send
// every message of a shared outbox exactly once, across several batches.
func TestTwoWorkersSendEachOnce(t *testing.T) {
	db, path := newDB(t)
	clk := newClock()
	const total = 2*batchSize + 10
	var msgIDs []string
	for i := range total {
		id := enqueue(t, db, clk, forum.Mail{To: fmt.Sprintf("m%d@example.se", i), Subject: "Hej", Body: "text"})
		msgIDs = append(msgIDs, row(t, db, id).MessageID)
	}
	rec := newRecorder()
	rec.each = func() { time.Sleep(50 * time.Microsecond) } // let the workers interleave
	workers := []*Worker{
		{DB: openDB(t, path), Sender: rec, Now: clk.Now},
		{DB: openDB(t, path), Sender: rec, Now: clk.Now},
	}
	sent := make([]int, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Go(func() {
			n, err := w.SendDue(context.Background())
			if err != nil {
				t.Error(err)
			}
			sent[i] = n
		})
	}
	wg.Wait()
	if sent[0]+sent[1] != total {
		t.Fatalf("workers report %v sent, want %d in all", sent, total)
	}
	for _, id := range msgIDs {
		if n := rec.count(id); n != 1 {
			t.Fatalf("%s sent %d times", id, n)
		}
	}
	var left int
	if err := db.Get(&left, "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'"); err != nil || left != 0 {
		t.Fatalf("%d rows not sent (%v)", left, err)
	}
	t.Logf("split between the workers: %v", sent)
}

func TestRunWakesOnNotify(t *testing.T) {
	db, _ := newDB(t)
	clk := newClock()
	got := make(chan string, 4)
	w := &Worker{DB: db, Now: clk.Now, Interval: time.Hour, Sender: senderFunc(func(_ context.Context, m *forum.OutboxMail) error {
		got <- m.Subject
		return nil
	})}
	enqueue(t, db, clk, forum.Mail{To: "a@example.se", Subject: "först", Body: "text"})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	wait := func(want string) {
		t.Helper()
		select {
		case s := <-got:
			if s != want {
				t.Fatalf("sent %q, want %q", s, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%q not sent", want)
		}
	}
	wait("först") // the pass Run makes on start
	// With an hour between polls, only Notify can send this one soon.
	enqueue(t, db, clk, forum.Mail{To: "a@example.se", Subject: "sedan", Body: "text"})
	w.Notify()
	w.Notify() // a second nudge must not block
	wait("sedan")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestNotifyBeforeRun(t *testing.T) {
	var w Worker
	w.Notify()
	w.Notify()
}

func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{
		1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 4: 4 * time.Minute,
		10: 256 * time.Minute, 11: 6 * time.Hour, 12: 6 * time.Hour, 100: 6 * time.Hour,
	} {
		for range 20 {
			if d := backoff(attempt); d > want || d < want*9/10 {
				t.Fatalf("backoff(%d) = %v, want about %v", attempt, d, want)
			}
		}
	}
}

// senderFunc adapts a function to Sender.
type senderFunc func(ctx context.Context, m *forum.OutboxMail) error

func (f senderFunc) Send(ctx context.Context, m *forum.OutboxMail) error { return f(ctx, m) }
