// Package mail sends the forum's mail outbox: a Worker that claims due rows
// and hands them to a Sender, and the transports (SMTP, or the log when no
// SMTP server is configured).
//
// Delivery is at least once: a message is marked sent only after the SMTP
// server accepted it, so a crash between the two sends it again after the
// claim's lease runs out, under the same Message-ID.
package mail

import (
	"context"
	"errors"
	"log/slog"

	"kliv/forum"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m *forum.OutboxMail) error
}

// ErrPermanent marks a delivery error that retrying cannot cure, such as a
// recipient address the server rejects as unknown. A Sender wraps it; the
// Worker then fails the message at once instead of backing off.
var ErrPermanent = errors.New("permanent delivery failure")

// NewSender returns an SMTP sender for a KLIV_SMTP URL, or a LogSender when
// url is "". See SMTPSender for the URL forms. logger may be nil.
func NewSender(rawURL string, logger *slog.Logger) (Sender, error) {
	if rawURL == "" {
		return &LogSender{Logger: logger}, nil
	}
	s, err := newSMTPSender(rawURL, logger)
	if err != nil {
		// Returned bare, a nil *SMTPSender would be a non-nil Sender.
		return nil, err
	}
	return s, nil
}

// LogSender writes each message to the log (To, Subject, Body, headers)
// instead of sending; used when no SMTP is configured, so that a developer
// can follow the links in sign-up and password-reset mail.
type LogSender struct {
	// Logger receives the messages; nil means slog.Default, since a
	// LogSender that logged nowhere would lose the mail outright.
	Logger *slog.Logger
}

// Send logs m and reports success.
func (s *LogSender) Send(ctx context.Context, m *forum.OutboxMail) error {
	s.logger().InfoContext(ctx, "mail not sent: no SMTP configured",
		"id", m.ID, "kind", m.Kind, "message_id", m.MessageID,
		"to", m.To, "subject", m.Subject, "headers", m.Header(), "body", m.Body)
	return nil
}

func (s *LogSender) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// discard is the logger of a Worker or SMTPSender given none: their
// messages are operational detail, not worth printing to an unready default.
func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
