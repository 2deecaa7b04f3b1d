package forum

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Restore replaces the database at path with the backup from (a file
// made by Backup). It refuses while a server holds the database (see
// LockDB) and holds the lock itself throughout, so none starts midway.
// The backup is copied beside the database first and checked there
// (PRAGMA integrity_check, a Kliv schema no newer than this binary's);
// then the old database's -wal and -shm go, so SQLite cannot replay the
// old log into the new file, and the copy is renamed over the database
// in one step. The database is either the old one or the backup, never a
// mix. It reports the backup's schema version.
func Restore(ctx context.Context, from, path string) (version int, err error) {
	if IsPostgresURL(path) {
		return 0, errors.New("restore: kliv restores SQLite files only; restore a PostgreSQL database with pg_restore (from a pg_dump backup)")
	}
	st, err := os.Stat(from)
	if err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	if !st.Mode().IsRegular() {
		return 0, fmt.Errorf("restore: %s is not a file", from)
	}
	if abs(from) == abs(path) {
		return 0, fmt.Errorf("restore: %s is the database itself", from)
	}
	unlock, err := LockDB(path)
	if err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	defer unlock()

	tmp := path + ".restoring"
	cleanup := func() {
		for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"} {
			_ = os.Remove(f)
		}
	}
	cleanup()
	defer cleanup()
	if err := copyFileSync(from, tmp); err != nil {
		return 0, fmt.Errorf("restore: copy %s: %w", from, err)
	}
	if version, err = checkBackup(ctx, tmp); err != nil {
		return 0, fmt.Errorf("restore: %s: %w", from, err)
	}
	for _, f := range []string{path + "-wal", path + "-shm", path + "-journal"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, fmt.Errorf("restore: remove %s: %w", f, err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return version, nil
}

// checkBackup opens the copy of a backup and checks that it is a whole
// Kliv database this binary can run, then closes it with its log
// written back into the file.
func checkBackup(ctx context.Context, file string) (int, error) {
	db, err := Open(ctx, file)
	if err != nil {
		return 0, fmt.Errorf("not a readable database: %w", err)
	}
	defer db.Close()
	var ok string
	if err := db.GetContext(ctx, &ok, "PRAGMA integrity_check"); err != nil {
		return 0, fmt.Errorf("integrity check: %w", err)
	}
	if ok != "ok" {
		return 0, fmt.Errorf("integrity check failed: %s", ok)
	}
	var version int
	if err := db.GetContext(ctx, &version, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"); err != nil {
		return 0, err
	}
	if version == 0 {
		return 0, errors.New("not a Kliv database (no schema version)")
	}
	if err := CheckSchema(ctx, db); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return 0, err
	}
	return version, nil
}

// copyFileSync copies src to a new file dst and syncs it to disk.
func copyFileSync(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
