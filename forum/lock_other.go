//go:build !unix

package forum

// LockDB is a no-op where flock is missing: SQLite's own locking still
// keeps two writers apart.
func LockDB(path string) (unlock func() error, err error) { return func() error { return nil }, nil }

// freeBytes is unknown here.
func freeBytes(path string) (uint64, bool) { return 0, false }
