package forum

import (
	"errors"

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
		return err, false
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
