package forum

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum/dbtest"
)

func TestIsWrite(t *testing.T) {
	for q, want := range map[string]bool{
		"INSERT INTO posts (x) VALUES (1)":              true,
		"  update topics SET x = 1":                     true,
		"\n\tDELETE FROM sessions":                      true,
		"REPLACE INTO settings VALUES (1, 2)":           true,
		"CREATE TABLE IF NOT EXISTS x (id)":             true,
		"ALTER TABLE x ADD COLUMN y":                    true,
		"DROP TABLE x":                                  true,
		"WITH t AS (SELECT 1) INSERT INTO x VALUES (1)": true,
		"SELECT 1":                  false,
		"PRAGMA foreign_keys = OFF": false,
		"VACUUM INTO '/tmp/x.db'":   false,
		"":                          false,
	} {
		if got := isWrite(q); got != want {
			t.Errorf("isWrite(%q) = %v, want %v", q, got, want)
		}
	}
}

// Many writers at once all get through, one after another, with no
// "database is locked": the process queues them before SQLite does.
func TestWritersQueueInsteadOfFailing(t *testing.T) {
	dbtest.SkipOnPG(t, "the write queue is SQLite's; TestPGConflictsRetried is PostgreSQL's counterpart")
	ctx := context.Background()
	db := openTestDB(t)
	if err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE w (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const writers, each = 16, 40
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				err := InTx(ctx, db, func(tx *sqlx.Tx) error {
					if _, err := tx.Exec(`INSERT INTO w (n) VALUES (?)`, i*each+j); err != nil {
						return err
					}
					// Hold the turn a moment, as a real reply does.
					time.Sleep(100 * time.Microsecond)
					_, err := tx.Exec(`UPDATE w SET n = n + 1 WHERE id = (SELECT MAX(id) FROM w)`)
					return err
				})
				if err == nil && j%4 == 0 {
					_, err = db.Exec(`UPDATE w SET n = n WHERE id = 1`) // a write outside a transaction
				}
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a writer failed: %v", err)
		}
	}
	var n int
	if err := db.Get(&n, `SELECT COUNT(*) FROM w`); err != nil || n != writers*each {
		t.Fatalf("%d rows (%v), want %d", n, err, writers*each)
	}
	// Reads do not wait for a writer's turn.
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	done := make(chan error, 1)
	go func() {
		var m int
		done <- db.Get(&m, `SELECT COUNT(*) FROM w`)
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a read waited for an open write transaction")
	}
	// A second writer waits in the queue, not in SQLite's busy handler:
	// her context ends her wait.
	wctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	err = InTx(wctx, db, func(tx *sqlx.Tx) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a writer behind an open transaction got %v, want to wait for her turn until her context ends", err)
	}
}
