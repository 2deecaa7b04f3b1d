package forum

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"kliv/forum/dbtest"
)

// TestPGConflictsRetried: many read-then-write transactions on one row
// at once all succeed, and none is lost (SERIALIZABLE, retried on a
// serialization failure) — what SQLite's one writer gives.
func TestPGConflictsRetried(t *testing.T) {
	dbtest.OnlyPG(t)
	ctx := context.Background()
	db := openMigratedDB(t)
	if _, err := db.Exec(`INSERT INTO settings (key, value) VALUES ('n', '0')`); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- InTx(ctx, db, func(tx *sqlx.Tx) error {
				var v string
				if err := tx.GetContext(ctx, &v, `SELECT value FROM settings WHERE key = 'n'`); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `UPDATE settings SET value = CAST(CAST(? AS integer) + 1 AS text) WHERE key = 'n'`, v)
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	var v string
	if err := db.Get(&v, `SELECT value FROM settings WHERE key = 'n'`); err != nil || v != "8" {
		t.Fatalf("counter %q, %v; want 8", v, err)
	}
}

// TestPGMigrateOnceConcurrently: two stores starting at once on a new
// database migrate it once; both then see the whole schema.
func TestPGMigrateOnceConcurrently(t *testing.T) {
	dbtest.OnlyPG(t)
	ctx := context.Background()
	dsn := dbtest.Empty(t, "")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(ctx, dsn)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			errs[i] = Migrate(ctx, db)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	db := openTestURL(t, dsn)
	ms, _ := PGMigrations()
	if got := appliedVersions(t, db); len(got) != len(ms) {
		t.Fatalf("applied %v, want %v", got, versionsOf(ms))
	}
	var n int
	if err := db.Get(&n, `SELECT COUNT(*) FROM categories`); err != nil || n != 10 {
		t.Fatalf("%d categories (%v): the seed rows were inserted more than once or not at all", n, err)
	}
}

// TestPGOpenErrors: each way a PostgreSQL address can be wrong is one
// clear line at start.
func TestPGOpenErrors(t *testing.T) {
	dbtest.OnlyPG(t)
	ctx := context.Background()
	good := dbtest.URLFor("postgres")
	for _, c := range []struct{ dsn, want string }{
		{strings.Replace(good, "/postgres?", "/kliv_no_such_db?", 1), `database "kliv_no_such_db" does not exist`},
		{strings.Replace(good, "://postgres@", "://kliv_no_such_role@", 1), `refused the login of "kliv_no_such_role"`},
		{"postgres://postgres@127.0.0.1:1/postgres?sslmode=disable", "cannot reach PostgreSQL at 127.0.0.1:1"},
		{"postgres://postgres@127.0.0.1:5432/?sslmode=disable", "names no database"},
		{"postgres://postgres:pw@[::1/x", "is not a valid PostgreSQL URL"},
	} {
		db, err := Open(ctx, c.dsn)
		if err == nil {
			db.Close()
			t.Errorf("Open(%s) worked", c.dsn)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), ":pw@") {
			t.Errorf("Open(%s): %q, want one line with %q and no password", c.dsn, err, c.want)
		}
	}
}
