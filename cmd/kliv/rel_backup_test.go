package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// kliv runs a command in this process and returns its standard output.
func kliv(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb strings.Builder
	err := run(context.Background(), args, func(string) string { return "" }, nil, &out, &errb)
	return out.String(), err
}

// snapshot copies what was acknowledged so far.
func (k *acks) snapshot() (topics, posts, joins []int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for id := range k.topics {
		topics = append(topics, id)
	}
	for id := range k.posts {
		posts = append(posts, id)
	}
	for id := range k.joins {
		joins = append(joins, id)
	}
	return
}

// TestBackupUnderLoad takes a backup while 8 writers go on through the
// real server: the copy is whole and holds every write acknowledged
// before the backup began.
func TestBackupUnderLoad(t *testing.T) {
	db, ada := prepareDB(t)
	srv := startServer(t, db)
	k := newAcks()
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k.writer(ctx, srv.URL, ada, ada, "ada", w, 1)
		}()
	}
	time.Sleep(700 * time.Millisecond)
	topics, posts, joins := k.snapshot()
	out := filepath.Join(t.TempDir(), "backup.db")
	msg, err := kliv(t, "backup", "--db", db, "--out", out)
	if err != nil {
		t.Fatalf("backup under load: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	stop()
	wg.Wait()
	if !strings.Contains(msg, "backup written to "+out) {
		t.Errorf("backup says %q", msg)
	}
	if len(topics) == 0 || len(posts) == 0 || len(joins) == 0 {
		t.Fatalf("too little written before the backup: %d topics, %d posts, %d join requests", len(topics), len(posts), len(joins))
	}
	d := rawDB(t, out)
	var ok string
	if err := d.Get(&ok, "PRAGMA integrity_check"); err != nil || ok != "ok" {
		t.Fatalf("backup integrity_check: %q %v", ok, err)
	}
	for _, c := range []struct {
		table string
		ids   []int64
	}{{"topics", topics}, {"posts", posts}, {"join_requests", joins}} {
		for _, id := range c.ids {
			var n int
			if err := d.Get(&n, "SELECT COUNT(*) FROM "+c.table+" WHERE id = ?", id); err != nil || n != 1 {
				t.Errorf("%s %d acknowledged before the backup is not in it (%v)", c.table, id, err)
			}
		}
	}
	// A second backup to the same file is refused, the first kept.
	if _, err := kliv(t, "backup", "--db", db, "--out", out); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("backup over an existing file: %v", err)
	}
	for _, b := range k.bad {
		t.Errorf("under plain load: %s", b)
	}
	srv.signal(syscall.SIGTERM)
	srv.wait(20 * time.Second)
}

func TestRestore(t *testing.T) {
	db, ada := prepareDB(t)
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")

	srv := startServer(t, db)
	k := newAcks()
	ctx, stop := context.WithCancel(context.Background())
	wctx, wstop := context.WithTimeout(ctx, 300*time.Millisecond)
	k.writer(wctx, srv.URL, ada, ada, "ada", 0, 1)
	wstop()
	if _, err := kliv(t, "backup", "--db", db, "--out", backup); err != nil {
		t.Fatal(err)
	}
	topics, _, _ := k.snapshot()
	// Written after the backup: gone after the restore.
	code, later, err := apiCall(ctx, httpClient, srv.URL, ada, "POST", "/api/v1/topics", map[string]any{"category_id": 1, "title": "Efter säkerhetskopian", "body": "Ny text"})
	if err != nil || code != 201 {
		t.Fatalf("topic after the backup: %d %v", code, err)
	}
	stop()

	// Refused while the server runs, and the database is untouched.
	if _, err := kliv(t, "restore", "--db", db, "--from", backup); err == nil || !strings.Contains(err.Error(), "in use by another kliv server") {
		t.Fatalf("restore under a running server: %v", err)
	}
	srv.signal(syscall.SIGTERM)
	if code := srv.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit %d: %s", code, srv.Stderr.String())
	}

	// Bad backups are refused before anything is replaced.
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, []byte(strings.Repeat("inte en databas ", 512)), 0o644)
	empty := filepath.Join(dir, "empty.db")
	if d := rawDB(t, empty); d.Close() != nil {
		t.Fatal("empty database")
	}
	newer := filepath.Join(dir, "newer.db")
	if err := copyFile(backup, newer); err != nil {
		t.Fatal(err)
	}
	if d := rawDB(t, newer); true {
		if _, err := d.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'x')"); err != nil {
			t.Fatal(err)
		}
		d.Close()
	}
	for file, want := range map[string]string{
		garbage: "not a readable database", empty: "not a Kliv database", newer: "newer than this kliv",
		filepath.Join(dir, "missing.db"): "no such file",
	} {
		if _, err := kliv(t, "restore", "--db", db, "--from", file); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("restore from %s: %v, want %q", filepath.Base(file), err, want)
		}
	}
	if _, err := kliv(t, "restore", "--db", db); err == nil || !strings.Contains(err.Error(), "--from FILE is required") {
		t.Errorf("restore without --from: %v", err)
	}
	if d := rawDB(t, db); true {
		var n int
		d.Get(&n, "SELECT COUNT(*) FROM topics WHERE id = ?", int64(later["id"].(float64)))
		d.Close()
		if n != 1 {
			t.Fatal("a refused restore changed the database")
		}
	}

	// A stale log beside the database must not be replayed into the
	// restored file.
	// (A real one: a write of the old database caught in its log.)
	if d := rawDB(t, db); true {
		if _, err := d.Exec("UPDATE topics SET title = 'Gammal logg' WHERE id = ?", int64(later["id"].(float64))); err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{"-wal", "-shm"} {
			if err := copyFile(db+ext, filepath.Join(dir, "stale"+ext)); err != nil {
				t.Fatal(err)
			}
		}
		d.Close()
		for _, ext := range []string{"-wal", "-shm"} {
			if err := copyFile(filepath.Join(dir, "stale"+ext), db+ext); err != nil {
				t.Fatal(err)
			}
		}
	}
	msg, err := kliv(t, "restore", "--db", db, "--from", backup)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !strings.Contains(msg, "restored "+db+" from "+backup) {
		t.Errorf("restore says %q", msg)
	}
	for _, f := range []string{db + "-wal", db + "-shm", db + ".restoring"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s is left after the restore", f)
		}
	}
	if _, err := os.Stat(backup); err != nil {
		t.Errorf("the backup is gone: %v", err)
	}

	// The server starts on the restored database: what the backup held
	// is there, what came after is not.
	srv = startServer(t, db)
	d := rawDB(t, db)
	var ok string
	if err := d.Get(&ok, "PRAGMA integrity_check"); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	for _, id := range topics {
		var n int
		if err := d.Get(&n, "SELECT COUNT(*) FROM topics WHERE id = ?", id); err != nil || n != 1 {
			t.Errorf("topic %d of the backup missing after the restore", id)
		}
	}
	var n int
	d.Get(&n, "SELECT COUNT(*) FROM topics WHERE title IN ('Efter säkerhetskopian', 'Gammal logg')")
	if n != 0 {
		t.Error("the topic written after the backup survived the restore")
	}
	code, _, err = apiCall(context.Background(), httpClient, srv.URL, ada, "GET", "/api/v1/topics", nil)
	if err != nil || code != 200 {
		t.Errorf("the restored server answers %d %v", code, err)
	}
}

var httpClient = &http.Client{Timeout: 20 * time.Second}
