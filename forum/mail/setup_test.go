package mail

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"

	"kliv/forum/dbtest"
)

// fakeClock is a settable clock shared by the store and the workers.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newDB opens a fresh, migrated database file and returns it with its path,
// so a test can open a second handle as a second process would.
func newDB(t *testing.T) (*sqlx.DB, string) {
	t.Helper()
	path := dbtest.Migrated(t, "t.db", dbtest.Schema{Key: forum.SchemaKey(), Migrate: forum.MigrateURL})
	return openDB(t, path), path
}

func openDB(t *testing.T, path string) *sqlx.DB {
	t.Helper()
	ctx := context.Background()
	db, err := forum.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := forum.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// enqueue adds m through the real Store and returns the new row's id.
func enqueue(t *testing.T, db *sqlx.DB, clk *fakeClock, m forum.Mail) int64 {
	t.Helper()
	ctx := context.Background()
	st := &forum.Store{DB: db, Now: clk.Now, BaseURL: "http://x"}
	if m.Kind == "" {
		m.Kind = "test"
	}
	if err := st.Enqueue(ctx, db, m); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := db.GetContext(ctx, &id, "SELECT MAX(id) FROM outbox"); err != nil {
		t.Fatal(err)
	}
	return id
}

func row(t *testing.T, db *sqlx.DB, id int64) forum.OutboxMail {
	t.Helper()
	var m forum.OutboxMail
	if err := db.Get(&m, "SELECT "+forum.OutboxCols+" FROM outbox WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	return m
}

// sendDue runs one pass and fails the test on an error.
func sendDue(t *testing.T, w *Worker) int {
	t.Helper()
	n, err := w.SendDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// recorder is a fake transport that counts deliveries per Message-ID and
// can be told to fail.
type recorder struct {
	mu    sync.Mutex
	sent  map[string]int
	calls int
	fail  func(m *forum.OutboxMail) error // nil: succeed
	each  func()                          // called on every Send, outside the lock
}

func newRecorder() *recorder { return &recorder{sent: map[string]int{}} }

func (r *recorder) Send(ctx context.Context, m *forum.OutboxMail) error {
	if r.each != nil {
		r.each()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail != nil {
		if err := r.fail(m); err != nil {
			return err
		}
	}
	r.sent[m.MessageID]++
	return nil
}

func (r *recorder) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent[id]
}

func (r *recorder) total() (sent, calls int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.sent {
		sent += n
	}
	return sent, r.calls
}

var errTemp = errors.New("421 4.3.2 service not available")
