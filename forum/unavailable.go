package forum

import (
	"database/sql/driver"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// ErrUnavailable is a write the database could not take just now: the
// disk is full (SQLITE_FULL) or another writer held the lock past the
// busy timeout (SQLITE_BUSY, SQLITE_LOCKED). Nothing was written; the
// same request may succeed later, so the web layer answers 503 with
// Retry-After and gives the member her text back.
var ErrUnavailable = errors.New("temporarily unavailable")

// UnavailableError is an ErrUnavailable with the driver error that caused
// it (for the log) and the message the member reads.
type UnavailableError struct {
	Cause error
	Msg   Message
}

// Error implements error; it names the cause, for the server log.
func (e *UnavailableError) Error() string {
	return ErrUnavailable.Error() + ": " + e.Cause.Error()
}

// Unwrap lets errors.Is see ErrUnavailable and errors.As the UserError
// (its message) and the driver error.
func (e *UnavailableError) Unwrap() []error {
	return []error{&UserError{Kind: ErrUnavailable, Msg: e.Msg}, e.Cause}
}

// unavailable maps the driver errors that mean "not now" to an
// UnavailableError, and reports whether it did.
func unavailable(err error) (error, bool) {
	if errors.Is(err, ErrUnavailable) {
		return err, true
	}
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return pgUnavailable(err)
	}
	switch se.Code {
	case sqlite3.ErrFull:
		return &UnavailableError{Cause: err, Msg: Msg("rel.error.full")}, true
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return &UnavailableError{Cause: err, Msg: Msg("rel.error.busy")}, true
	}
	return err, false
}

// IsUnavailable reports whether err is ErrUnavailable or a driver error
// that translate would make one: the web layer's net for the writes made
// outside InTx (a follow, a session), which are not translated.
func IsUnavailable(err error) bool {
	_, ok := unavailable(err)
	return ok
}

// isPGUnique reports a PostgreSQL unique violation (SQLSTATE 23505).
func isPGUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// pgUnavailable maps the PostgreSQL errors that mean "not now": a server
// that went away or cannot be reached (connection errors, a shutdown, too
// many connections), a full disk, and a serialization failure or deadlock
// that a retry would get past.
func pgUnavailable(err error) (error, bool) {
	if err == nil {
		return nil, false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "53100": // disk_full
			return &UnavailableError{Cause: err, Msg: Msg("rel.error.full")}, true
		case strings.HasPrefix(pe.Code, "08"), // connection exceptions
			strings.HasPrefix(pe.Code, "53"),                           // insufficient resources
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, starting
			pe.Code == "40001", pe.Code == "40P01", // serialization failure, deadlock
			pe.Code == "55P03": // lock not available
			return &UnavailableError{Cause: err, Msg: Msg("rel.error.busy")}, true
		}
		return err, false
	}
	var lost *errConnLost
	if errors.As(err, &lost) {
		return &UnavailableError{Cause: err, Msg: Msg("rel.error.busy")}, true
	}
	var ce *pgconn.ConnectError
	var oe *net.OpError
	if errors.As(err, &ce) || errors.As(err, &oe) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || isPGConnClosed(err) {
		return &UnavailableError{Cause: err, Msg: Msg("rel.error.busy")}, true
	}
	return err, false
}

// isPGConnClosed recognises the errors pgx gives for a connection the
// server closed under it, which carry no error type of their own.
func isPGConnClosed(err error) bool {
	s := err.Error()
	return strings.Contains(s, "conn closed") || strings.Contains(s, "failed to connect to") ||
		strings.Contains(s, "failed to receive message") || strings.Contains(s, "failed to write startup message")
}

// isPGRetry reports a PostgreSQL serialization failure or deadlock: the
// transaction did nothing and may simply be run again.
func isPGRetry(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// IsBadText reports text PostgreSQL cannot hold: a NUL byte or a byte
// sequence that is not UTF-8 (SQLSTATE 22021, 22P05). SQLite stores such
// text; PostgreSQL refuses it, so a name, a search or a form field with a
// NUL byte is the sender's error (400), never the server's.
func IsBadText(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05")
}
