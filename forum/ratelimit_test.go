package forum

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum/dbtest"
)

// Shared rate limits: two handles on one PostgreSQL database (as two
// processes) count into the same buckets, never more than the burst
// together, and a bucket refills with time.
func TestSharedRateLimitAcrossHandles(t *testing.T) {
	dbtest.OnlyPG(t)
	url := dbtest.Migrated(t, "", testSchema)
	ctx := context.Background()
	open := func() *sqlx.DB {
		db, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	if !IsPG(a) {
		t.Fatalf("IsPG(%q) = false", a.DriverName())
	}
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	const rate, burst = 0.5, 3 // one token every two seconds
	take := func(db *sqlx.DB, key string, at time.Time) (bool, time.Duration) {
		t.Helper()
		ok, wait, err := TakeRateToken(ctx, db, "login", key, rate, burst, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok, wait
	}
	for i, db := range []*sqlx.DB{a, b, a} {
		if ok, _ := take(db, "ip:1", now); !ok {
			t.Fatalf("take %d refused within the burst", i+1)
		}
	}
	ok, wait := take(b, "ip:1", now)
	if ok || wait < 1900*time.Millisecond || wait > 2*time.Second {
		t.Fatalf("fourth take: ok %v, wait %s; want refused, 2s", ok, wait)
	}
	if ok, _ := take(a, "ip:2", now); !ok {
		t.Fatal("another key was refused")
	}
	if ok, _ := take(a, "ip:1", now.Add(time.Second)); ok {
		t.Fatal("allowed after half a token's time")
	}
	if ok, _ := take(b, "ip:1", now.Add(2*time.Second)); !ok {
		t.Fatal("refused after a token's time")
	}

	// Racing takes from both handles: exactly the burst gets through.
	var allowed atomic.Int64
	var wg sync.WaitGroup
	later := now.Add(time.Hour)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(db *sqlx.DB) {
			defer wg.Done()
			ok, _, err := TakeRateToken(ctx, db, "login", "ip:race", rate, burst, later)
			if err != nil {
				t.Error(err)
			}
			if ok {
				allowed.Add(1)
			}
		}([]*sqlx.DB{a, b}[i%2])
	}
	wg.Wait()
	if n := allowed.Load(); n != burst {
		t.Fatalf("%d of 20 racing takes allowed, want %d", n, burst)
	}

	n, err := PruneRateBuckets(ctx, a, now.Add(30*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d (%v), want the 2 buckets untouched since then", n, err)
	}
}
