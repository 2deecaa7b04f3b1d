package forum

import (
	"context"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

// ErrSchemaNewer means the database was migrated by a newer Kliv: this
// binary does not know every version in schema_migrations, and must not
// write to a schema it does not understand.
var ErrSchemaNewer = errors.New("database is newer than this kliv")

// ErrInUse means another server holds the database (see LockDB).
var ErrInUse = errors.New("database is in use by another kliv server")

// checkSchemaKnown refuses a database with a migration ms does not have.
func checkSchemaKnown(ctx context.Context, db sqlx.QueryerContext, ms []Migration) error {
	var applied []int
	if err := sqlx.SelectContext(ctx, db, &applied, "SELECT version FROM schema_migrations ORDER BY version"); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	known := map[int]bool{}
	latest := 0
	for _, m := range ms {
		known[m.Version] = true
		latest = max(latest, m.Version)
	}
	for _, v := range applied {
		if !known[v] {
			return fmt.Errorf("%w: it has schema version %04d, this kliv knows up to %04d; run the newer kliv or restore a backup made by this one", ErrSchemaNewer, v, latest)
		}
	}
	return nil
}

// CheckSchema refuses a database migrated by a newer Kliv (ErrSchemaNewer).
func CheckSchema(ctx context.Context, db *sqlx.DB) error {
	ms, err := MigrationsFor(db)
	if err != nil {
		return err
	}
	return checkSchemaKnown(ctx, db, ms)
}

// MinFreeBytes is the free disk space a server needs to start (8 MB);
// tests raise it to play a full disk.
var MinFreeBytes uint64 = 8 << 20

// CheckWritable proves the database at path can take writes before a
// server starts: enough free space on its disk, and a real write (the
// start's time in server_starts) committed. A read-only file or disk, a
// full disk or a lock held by another writer is a one-line error.
func CheckWritable(ctx context.Context, db *sqlx.DB, path string, now string) error {
	if IsPostgresURL(path) {
		path = RedactURL(path)
	} else if free, ok := freeBytes(path); ok && free < MinFreeBytes {
		return fmt.Errorf("the disk of %s is full (%d kB free, %d kB needed): free some space and start again", path, free>>10, MinFreeBytes>>10)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO server_starts (id, started_at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at`, now)
	if err == nil {
		return nil
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrReadonly, sqlite3.ErrPerm, sqlite3.ErrCantOpen:
			return fmt.Errorf("database %s is read-only (%v): kliv needs to write the file and its folder", path, err)
		case sqlite3.ErrFull:
			return fmt.Errorf("the disk of %s is full: free some space and start again", path)
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("database %s is locked by another writer: %v", path, err)
		}
	}
	return fmt.Errorf("database %s cannot be written: %w", path, err)
}
