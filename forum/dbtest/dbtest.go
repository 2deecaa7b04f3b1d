// Package dbtest gives tests a fresh database: a SQLite file in the
// test's temporary folder, or, when KLIV_TEST_POSTGRES names a
// PostgreSQL server (postgres://user@host:port/postgres), a fresh
// PostgreSQL database of its own, cloned from a migrated template and
// dropped when the test ends.
//
// The template is named after a key of the schema (a hash of the
// migrations), made once by the first test process that needs it and
// kept, so later packages and runs clone it at once.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the admin connection
)

// EnvVar names the PostgreSQL server the tests run against.
const EnvVar = "KLIV_TEST_POSTGRES"

// Postgres is the server address from KLIV_TEST_POSTGRES, "" when the
// tests run on SQLite.
func Postgres() string { return os.Getenv(EnvVar) }

// PG reports whether the tests run on PostgreSQL.
func PG() bool { return Postgres() != "" }

// SkipOnPG skips a test that only makes sense on SQLite (a WAL file,
// bytes in the database file, PRAGMA), naming why, and only when the
// suite runs on PostgreSQL.
func SkipOnPG(t testing.TB, why string) {
	t.Helper()
	if PG() {
		t.Skip("SQLite only: " + why)
	}
}

// OnlyPG skips a test that needs PostgreSQL when the suite runs on SQLite.
func OnlyPG(t testing.TB) {
	t.Helper()
	if !PG() {
		t.Skip("needs PostgreSQL: set " + EnvVar + "=postgres://user@host:port/postgres")
	}
}

// Schema is how to build the template: Key changes whenever the
// migrations do; Migrate applies them to the database at dsn.
type Schema struct {
	Key     string
	Migrate func(ctx context.Context, dsn string) error
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
	seq       atomic.Int64
	tplMu     sync.Mutex
	tplDone   = map[string]bool{}
)

func adminDB() (*sql.DB, error) {
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", Postgres())
		if adminErr == nil {
			admin.SetMaxOpenConns(4)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			adminErr = admin.PingContext(ctx)
		}
	})
	return admin, adminErr
}

// URLFor is the address of database name on the test server.
func URLFor(name string) string {
	u, err := url.Parse(Postgres())
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Empty is the address of a fresh, empty database: file in t.TempDir()
// on SQLite, a new PostgreSQL database otherwise.
func Empty(t testing.TB, file string) string {
	t.Helper()
	if !PG() {
		return filepath.Join(t.TempDir(), file)
	}
	return create(t, "")
}

// Migrated is the address of a fresh database with s's migrations
// applied on PostgreSQL (cloned from the template); on SQLite it is a new
// file in t.TempDir() that the caller migrates as before.
func Migrated(t testing.TB, file string, s Schema) string {
	t.Helper()
	if !PG() {
		return filepath.Join(t.TempDir(), file)
	}
	tpl, err := template(s)
	if err != nil {
		t.Fatalf("dbtest: template: %v", err)
	}
	return create(t, tpl)
}

// NewName is a fresh database name, for tests that create databases
// themselves.
func NewName() string {
	return fmt.Sprintf("kliv_t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, seq.Add(1))
}

func create(t testing.TB, tpl string) string {
	t.Helper()
	db, err := adminDB()
	if err != nil {
		t.Fatalf("dbtest: %s: %v", EnvVar, err)
	}
	name := NewName()
	q := "CREATE DATABASE " + name
	if tpl != "" {
		q += " TEMPLATE " + tpl
	}
	ctx := context.Background()
	for i := 0; ; i++ {
		_, err = db.ExecContext(ctx, q)
		// Two clones of one template at the same moment may collide.
		if err == nil || i == 20 || !strings.Contains(err.Error(), "being accessed by other users") {
			break
		}
		time.Sleep(time.Duration(50*(i+1)) * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("dbtest: %s: %v", q, err)
	}
	t.Cleanup(func() { Drop(name) })
	return URLFor(name)
}

// Drop removes database name, closing any connection still open to it.
func Drop(name string) {
	if db, err := adminDB(); err == nil {
		_, _ = db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
}

// template makes (once per key, across processes) the migrated template
// database and returns its name.
func template(s Schema) (string, error) {
	name := "kliv_tpl_" + s.Key
	tplMu.Lock()
	defer tplMu.Unlock()
	if tplDone[name] {
		return name, nil
	}
	db, err := adminDB()
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// One process builds it; the others wait here, then find it.
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7365)"); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock(7365)")
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		return "", err
	}
	if n == 0 {
		tmp := name + "_new"
		if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+tmp+" WITH (FORCE)"); err != nil {
			return "", err
		}
		if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+tmp); err != nil {
			return "", err
		}
		if err := s.Migrate(ctx, URLFor(tmp)); err != nil {
			return "", fmt.Errorf("migrate %s: %w", tmp, err)
		}
		if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+tmp+" RENAME TO "+name); err != nil {
			return "", err
		}
	}
	tplDone[name] = true
	return name, nil
}
