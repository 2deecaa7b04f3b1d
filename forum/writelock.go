package forum

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

// SQLite lets one writer in at a time. When several connections of the
// pool want to write at once, all but one wait in SQLite's busy handler,
// which sleeps in growing steps (up to 100 ms) and gives up after the busy
// timeout: under a burst of replies that meant stalls of seconds and,
// past the timeout, a member's reply refused with "database is locked".
// So this process queues its writers itself, before SQLite sees them: a
// write transaction (and a write statement outside one) first takes the
// database file's write turn, a one-place queue that hands the turn on
// in order, at once. Reads never wait for it (WAL keeps them apart).

// driverName is the SQLite driver with the write queue.
const driverName = "sqlite3-kliv"

// writeWait is how long a writer waits for its turn before she is told
// the database is busy.
const writeWait = 10 * time.Second

func init() {
	sql.Register(driverName, &queuedDriver{})
	sqlx.BindDriver(driverName, sqlx.QUESTION)
}

// writeTurns holds one write turn per database file in this process.
var writeTurns sync.Map // path → chan struct{}

func writeTurn(dsn string) chan struct{} {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if t, ok := writeTurns.Load(path); ok {
		return t.(chan struct{})
	}
	t, _ := writeTurns.LoadOrStore(path, make(chan struct{}, 1))
	return t.(chan struct{})
}

type queuedDriver struct{ sqlite3.SQLiteDriver }

func (d *queuedDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.SQLiteDriver.Open(dsn)
	if err != nil {
		return nil, err
	}
	sc := c.(*sqlite3.SQLiteConn)
	// A commit that passes the WAL's checkpoint threshold checkpoints
	// there and then, with the write turn held: seconds on a big
	// database. The server checkpoints in the background instead
	// (Checkpoint); the threshold stays, higher, for commands.
	// After a burst the WAL file is cut back to 64 MB.
	for _, pragma := range []string{"PRAGMA wal_autocheckpoint = 10000", "PRAGMA journal_size_limit = 67108864"} {
		if _, err := sc.Exec(pragma, nil); err != nil {
			sc.Close()
			return nil, err
		}
	}
	return &queuedConn{SQLiteConn: sc, turn: writeTurn(dsn)}, nil
}

// queuedConn is a connection that takes the write turn for its write
// transactions and its write statements outside a transaction.
type queuedConn struct {
	*sqlite3.SQLiteConn
	turn chan struct{}
	inTx bool
}

func (c *queuedConn) take(ctx context.Context) error {
	select {
	case c.turn <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(writeWait)
	defer t.Stop()
	select {
	case c.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return sqlite3.Error{Code: sqlite3.ErrBusy}
	}
}

func (c *queuedConn) give() { <-c.turn }

// BeginTx takes the write turn: Kliv's transactions begin IMMEDIATE (see
// the DSN), that is, as writers.
func (c *queuedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly {
		return c.SQLiteConn.BeginTx(ctx, opts)
	}
	if err := c.take(ctx); err != nil {
		return nil, err
	}
	tx, err := c.SQLiteConn.BeginTx(ctx, opts)
	if err != nil {
		c.give()
		return nil, err
	}
	c.inTx = true
	return &queuedTx{Tx: tx, c: c}, nil
}

func (c *queuedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// ExecContext takes the write turn for a write statement outside a
// transaction.
func (c *queuedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if c.inTx || !isWrite(q) {
		return c.SQLiteConn.ExecContext(ctx, q, args)
	}
	if err := c.take(ctx); err != nil {
		return nil, err
	}
	defer c.give()
	return c.SQLiteConn.ExecContext(ctx, q, args)
}

// isWrite reports whether a statement writes rows or schema; VACUUM INTO
// (a backup), PRAGMAs and queries read.
func isWrite(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n(")
	if len(q) < 6 {
		return false
	}
	switch strings.ToUpper(q[:6]) {
	case "INSERT", "UPDATE", "DELETE", "REPLAC", "CREATE", "ALTER ", "DROP T", "DROP I", "DROP V":
		return true
	}
	return strings.HasPrefix(strings.ToUpper(q[:4]), "WITH")
}

type queuedTx struct {
	driver.Tx
	c    *queuedConn
	done bool
}

func (t *queuedTx) end(err error) error {
	if !t.done {
		t.done = true
		t.c.inTx = false
		t.c.give()
	}
	return err
}

func (t *queuedTx) Commit() error   { return t.end(t.Tx.Commit()) }
func (t *queuedTx) Rollback() error { return t.end(t.Tx.Rollback()) }

// Checkpoint copies what the WAL holds back into the database file
// without waiting for, or holding up, readers or writers (a passive
// checkpoint); the server runs it every second, so no commit has to.
func Checkpoint(ctx context.Context, db *sqlx.DB) error {
	if IsPG(db) {
		return nil // no WAL file to fold back; PostgreSQL checkpoints itself
	}
	_, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	return err
}
