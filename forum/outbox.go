package forum

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/jmoiron/sqlx"
)

// Mail is one message for the outbox. Subject and Body are already in the
// recipient's language.
type Mail struct {
	MemberID int64
	Kind     string
	To       string
	Subject  string
	Body     string
	// Headers are extra header fields, such as List-Unsubscribe.
	Headers map[string]string
	// SendAfter delays sending (digests); zero means now.
	SendAfter time.Time
}

// OutboxMail is a queued message as stored.
type OutboxMail struct {
	ID           int64      `db:"id"`
	MemberID     *int64     `db:"member_id"`
	Kind         string     `db:"kind"`
	To           string     `db:"to_addr"`
	Subject      string     `db:"subject"`
	Body         string     `db:"body"`
	HeadersJSON  string     `db:"headers"`
	MessageID    string     `db:"message_id"`
	Status       string     `db:"status"`
	Attempts     int        `db:"attempts"`
	LastError    string     `db:"last_error"`
	SendAfter    time.Time  `db:"send_after"`
	ClaimedUntil *time.Time `db:"claimed_until"`
	CreatedAt    time.Time  `db:"created_at"`
	SentAt       *time.Time `db:"sent_at"`
}

// OutboxCols is the column list for OutboxMail.
const OutboxCols = `id, member_id, kind, to_addr, subject, body, headers, message_id, status, attempts, last_error, send_after, claimed_until, created_at, sent_at`

// Header returns the decoded extra headers.
func (m *OutboxMail) Header() map[string]string {
	h := map[string]string{}
	_ = json.Unmarshal([]byte(m.HeadersJSON), &h)
	return h
}

// Enqueue puts a message in the outbox inside ext, so it is sent if and
// only if the transaction that caused it commits.
func (s *Store) Enqueue(ctx context.Context, ext sqlx.ExtContext, m Mail) error {
	if m.To == "" {
		return fmt.Errorf("enqueue %s: no recipient", m.Kind)
	}
	h, err := json.Marshal(m.Headers)
	if err != nil {
		return err
	}
	if m.Headers == nil {
		h = []byte("{}")
	}
	now := s.now()
	after := m.SendAfter
	if after.IsZero() {
		after = now
	}
	host := "kliv.local"
	if u, err := url.Parse(s.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	msgID := fmt.Sprintf("<%s@%s>", NewToken()[:24], host)
	var member any
	if m.MemberID != 0 {
		member = m.MemberID
	}
	_, err = ext.ExecContext(ctx, `INSERT INTO outbox (member_id, kind, to_addr, subject, body, headers, message_id, send_after, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, member, m.Kind, m.To, m.Subject, m.Body, string(h), msgID, after.UTC(), now)
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", m.Kind, translate(err))
	}
	return nil
}
