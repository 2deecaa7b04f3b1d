//go:build unix

package forum

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// LockDB takes the server lock of the database at path: an exclusive
// flock on path+".lock". A second server on the same file, or a restore
// while one runs, gets ErrInUse. The kernel drops the lock when the
// process ends, however it ends, so a crash leaves no stale lock; the
// file itself stays (removing it would race with the next taker).
func LockDB(path string) (unlock func() error, err error) {
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		// No file to lock; Open says what is wrong with the URL.
		return func() error { return nil }, nil
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return nil, fmt.Errorf("database %s is read-only (cannot write %s): kliv needs to write the file and its folder", path, path+".lock")
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s is held; stop the other `kliv serve` first)", ErrInUse, path+".lock")
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f.Close, nil
}

// freeBytes is the space free for an unprivileged writer on the disk of
// path's folder.
func freeBytes(path string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
