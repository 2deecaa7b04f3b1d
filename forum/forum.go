// Package forum is Kliv's domain: members, sessions, categories, topics,
// posts, follows, notifications, the mail outbox and the rest. It never
// imports net/http or gin; cmd/kliv turns its errors into responses.
package forum

import (
	"errors"
	"sort"
	"strings"
)

// Sentinel errors. Stores wrap them with %w; cmd/kliv maps them to a status
// once, in errors.go.
var (
	ErrNotFound        = errors.New("not found")
	ErrInvalid         = errors.New("invalid input")
	ErrForbidden       = errors.New("forbidden")
	ErrConflict        = errors.New("conflict")
	ErrUnauthenticated = errors.New("not signed in")
	ErrTooLarge        = errors.New("too large")
	ErrRateLimited     = errors.New("too many requests")
)

// Message is a user-facing message: a catalog key and its arguments. The
// domain never formats user text itself; cmd/kliv translates it in the
// reader's language.
type Message struct {
	Key  string
	Args []any
}

// Msg builds a Message.
func Msg(key string, args ...any) Message { return Message{Key: key, Args: args} }

// ValidationError carries one message per field that failed validation.
// errors.Is(err, ErrInvalid) holds for it.
type ValidationError struct {
	Fields map[string]Message
	// Order keeps the fields in the order they were checked, so the error
	// summary at the top of a form follows the form.
	Order []string
}

// Error implements error with the field names, never translated text.
func (e *ValidationError) Error() string {
	names := append([]string(nil), e.Order...)
	sort.Strings(names)
	return "invalid input: " + strings.Join(names, ", ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Add records a message for a field; the first message for a field wins.
func (e *ValidationError) Add(field, key string, args ...any) {
	if e.Fields == nil {
		e.Fields = map[string]Message{}
	}
	if _, ok := e.Fields[field]; ok {
		return
	}
	e.Fields[field] = Msg(key, args...)
	e.Order = append(e.Order, field)
}

// Has reports whether the field already failed.
func (e *ValidationError) Has(field string) bool { _, ok := e.Fields[field]; return ok }

// Err returns the error when any field failed, otherwise nil.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid builds a ValidationError for one field.
func Invalid(field, key string, args ...any) error {
	v := &ValidationError{}
	v.Add(field, key, args...)
	return v
}

// UserError is an error with a user-facing message and a sentinel kind
// (ErrForbidden, ErrConflict, …), for refusals that are not about one field.
type UserError struct {
	Kind error
	Msg  Message
}

// Error implements error.
func (e *UserError) Error() string { return e.Kind.Error() + ": " + e.Msg.Key }

// Unwrap lets errors.Is see the kind.
func (e *UserError) Unwrap() error { return e.Kind }

// Refuse builds a UserError.
func Refuse(kind error, key string, args ...any) error {
	return &UserError{Kind: kind, Msg: Msg(key, args...)}
}
