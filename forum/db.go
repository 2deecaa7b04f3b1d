package forum

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the database handle the stores share.
type DB = sqlx.DB

// Open opens (creating if needed) the SQLite database at path with its
// pragmas in the DSN, so every pooled connection gets them, and checks that
// it can be reached. A postgres:// or postgresql:// URL opens PostgreSQL
// instead (openPG). Migrations are not applied here; call Migrate.
func Open(ctx context.Context, path string) (*sqlx.DB, error) {
	if IsPostgresURL(path) {
		return openPG(ctx, path)
	}
	if path == "" {
		return nil, errors.New("empty database path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("database folder %s does not exist", dir)
		}
	}
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	// 2 MB of page cache a connection: the file's pages are in the
	// system's cache anyway, and 8 MB × 8 connections was a third of the
	// server's memory (docs/performance.md, "Memory").
	q.Set("_cache_size", "-2000")
	q.Set("_loc", "UTC")
	q.Set("_secure_delete", "on") // deleted text is zeroed, not left in free pages (account deletion)
	// Each pooled connection keeps its prepared statements: a page runs
	// the same dozen queries on every view, and preparing them anew cost
	// a tenth of the topic page.
	q.Set("_stmt_cache_size", "128")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sqlx.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// A write proves the file is writable now, not at the first sign-up.
	if _, err := db.ExecContext(pctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// Migration is one embedded schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded SQLite migrations in order.
func Migrations() ([]Migration, error) { return readMigrations(migrationFS, "migrations") }

// MigrationsFor lists the migrations of db's engine.
func MigrationsFor(db any) ([]Migration, error) {
	if IsPG(db) {
		return PGMigrations()
	}
	return Migrations()
}

// Migrate applies every embedded migration not yet applied, each with its
// record in one transaction, so a crash between two leaves a consistent
// database and a second run applies nothing twice.
func Migrate(ctx context.Context, db *sqlx.DB) error { return MigrateTo(ctx, db, -1) }

// MigrateTo applies migrations up to and including version (all when
// version < 0). Tests use it to build a database of an earlier version.
func MigrateTo(ctx context.Context, db *sqlx.DB, version int) error {
	ms, err := MigrationsFor(db)
	if err != nil {
		return err
	}
	return migrate(ctx, db, ms, version)
}

// migrate applies ms (sorted by version) up to version; tests give it
// migrations of their own.
func migrate(ctx context.Context, db *sqlx.DB, ms []Migration, version int) error {
	if IsPG(db) {
		return migratePG(ctx, db, ms, version)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := checkSchemaKnown(ctx, db, ms); err != nil {
		return err
	}
	for _, m := range ms {
		if version >= 0 && m.Version > version {
			break
		}
		if strings.HasPrefix(m.SQL, fkOffMarker) {
			if err := migrateTableRebuild(ctx, db, m); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			continue
		}
		err := InTx(ctx, db, func(tx *sqlx.Tx) error {
			var n int
			if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, FormatTime(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// fkOffMarker opens a migration that rebuilds a table (SQLite's
// twelve-step ALTER: create the new table, copy, drop the old, rename).
// Dropping a referenced table with foreign keys on would cascade its
// implicit DELETE into every table that references it, and the pragma
// cannot change inside a transaction, so such a migration runs on one
// dedicated connection with foreign keys off, checks them before it
// commits, and turns them back on.
const fkOffMarker = "-- kliv: foreign_keys off"

func migrateTableRebuild(ctx context.Context, db *sqlx.DB, m Migration) error {
	conn, err := db.Connx(ctx)
	if err != nil {
		return err
	}
	// A connection whose pragma could not be restored must not go back
	// to the pool.
	restored := false
	defer func() {
		if !restored {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return err
	}
	err = func() error {
		tx, err := conn.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		var n int
		if err := tx.GetContext(ctx, &n, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		var bad []struct {
			Table  string        `db:"table"`
			RowID  sql.NullInt64 `db:"rowid"`
			Parent string        `db:"parent"`
			FKID   sql.NullInt64 `db:"fkid"`
		}
		if err := tx.SelectContext(ctx, &bad, "PRAGMA foreign_key_check"); err != nil {
			return err
		}
		if len(bad) > 0 {
			return fmt.Errorf("foreign key check: %d rows of %s point to no %s", len(bad), bad[0].Table, bad[0].Parent)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.Version, m.Name, FormatTime(time.Now())); err != nil {
			return err
		}
		return tx.Commit()
	}()
	if _, perr := conn.ExecContext(ctx, "PRAGMA foreign_keys = ON"); perr == nil {
		restored = true
	}
	return err
}

// InTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise (and on panic).
//
// On PostgreSQL the transaction is SERIALIZABLE, as every SQLite
// transaction is (one writer at a time): the domain's read-then-write
// rules (one digest a slot, an event's last seat) hold there too. A
// transaction that loses a conflict is run again from the start, a few
// times; fn must therefore set what it reports afresh on each run.
func InTx(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) (err error) {
	if IsPG(db) {
		return inTxPG(ctx, db, fn)
	}
	return inTx(ctx, db, nil, fn)
}

// pgTxAttempts is how often a serialization failure is retried.
const pgTxAttempts = 12

func inTxPG(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) error {
	opts := &sql.TxOptions{Isolation: sql.LevelSerializable}
	for attempt := 1; ; attempt++ {
		err := inTx(ctx, db, opts, fn)
		if err == nil || attempt == pgTxAttempts || !isPGRetry(err) {
			return err
		}
		// Back off a little, more each time, with jitter, so the
		// transactions that collided do not collide again.
		d := time.Duration(attempt*attempt) * time.Millisecond * time.Duration(1+rand.IntN(4))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(d):
		}
	}
}

func inTx(ctx context.Context, db *sqlx.DB, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, opts)
	if err != nil {
		return translate(err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			return
		}
		err = translate(tx.Commit())
	}()
	return translate(fn(tx))
}

// translate turns driver errors into domain errors once: a UNIQUE violation
// becomes ErrConflict, a missing row ErrNotFound, and a full disk or a
// lock held too long ErrUnavailable.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if u, ok := unavailable(err); ok {
		return u
	}
	if errors.Is(err, sql.ErrNoRows) {
		if errors.Is(err, ErrNotFound) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if isPGUnique(err) {
		if errors.Is(err, ErrConflict) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrConstraint &&
		(se.ExtendedCode == sqlite3.ErrConstraintUnique || se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey) {
		if errors.Is(err, ErrConflict) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// TimeLayout is how times are stored: RFC 3339 in UTC with fixed
// nanoseconds, so text order is time order.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// FormatTime formats t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime parses a stored time; a malformed value gives the zero time.
func ParseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Backup writes a consistent copy of the live database to out with
// VACUUM INTO, which reads one snapshot while writers go on.
func Backup(ctx context.Context, db *sqlx.DB, out string) error {
	if IsPG(db) {
		return errors.New("backup: this is a PostgreSQL database; back it up with pg_dump")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("backup: %s exists already", out)
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// InsertID runs an INSERT with RETURNING id appended and returns the new
// row's id: LastInsertId is SQLite's, and both engines take RETURNING.
func InsertID(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (int64, error) {
	var id int64
	err := q.QueryRowxContext(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// BackupPG writes a backup of the PostgreSQL database at dsn to out with
// pg_dump (custom format, for pg_restore), which reads one snapshot while
// writers go on. Without pg_dump on PATH it says so.
func BackupPG(ctx context.Context, dsn, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("backup: %s exists already", out)
	}
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return errors.New("backup: pg_dump is not on PATH; back up a PostgreSQL database with pg_dump (pg_dump --format=custom --file=FILE URL)")
	}
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--file="+out, "--dbname="+dsn)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		os.Remove(out)
		return fmt.Errorf("backup: pg_dump: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
