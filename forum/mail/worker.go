package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// Defaults for the Worker's zero fields.
const (
	DefaultInterval    = 2 * time.Second
	DefaultLease       = 2 * time.Minute
	DefaultMaxAttempts = 12
)

const (
	batchSize   = 50
	firstRetry  = 30 * time.Second
	maxRetry    = 6 * time.Hour
	maxErrorLen = 500
	// finishTimeout bounds the bookkeeping after a send. It runs detached
	// from the caller's context: once a message is out, recording that is
	// what keeps a shutdown from sending it twice.
	finishTimeout = 10 * time.Second
)

// Worker sends due outbox mail with retries and backoff. Several workers,
// in one process or in several sharing the database, may run over the same
// outbox: each row is claimed by one conditional UPDATE before it is sent.
// A Worker must not be copied after first use.
type Worker struct {
	// DB holds the outbox table.
	DB *sqlx.DB
	// Sender delivers each claimed message; see NewSender.
	Sender Sender
	// Logger may be nil.
	Logger *slog.Logger
	// Now is the clock, time.Now when nil; tests replace it.
	Now func() time.Time
	// Interval is the poll interval, default 2s.
	Interval time.Duration
	// Lease is how long a claim holds, default 2m. A row still 'sending'
	// after that belongs to a process that died, and is sent again; so it
	// must outlast one send (SMTPSender gives up after a minute).
	Lease time.Duration
	// MaxAttempts is how many sends a message gets, default 12; after that
	// its status is 'failed'.
	MaxAttempts int

	wakeOnce sync.Once
	wakeCh   chan struct{}
}

// Run sends due mail every Interval, and at once after Notify, until ctx is
// done; then it returns nil. Errors of a pass are logged, not returned, so
// that a busy or briefly broken database does not stop mail for good.
func (w *Worker) Run(ctx context.Context) error {
	if w.DB == nil || w.Sender == nil {
		return errors.New("mail worker: DB and Sender are required")
	}
	t := time.NewTicker(w.interval())
	defer t.Stop()
	for {
		// The first pass runs at once: mail may have waited while the
		// server was down.
		if _, err := w.SendDue(ctx); err != nil && ctx.Err() == nil {
			w.logger().ErrorContext(ctx, "mail: outbox pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.wake():
		}
	}
}

// Notify nudges Run to make a pass now, after something was enqueued. It
// never blocks: nudges that come while one is pending merge into it.
func (w *Worker) Notify() {
	select {
	case w.wake() <- struct{}{}:
	default:
	}
}

func (w *Worker) wake() chan struct{} {
	w.wakeOnce.Do(func() { w.wakeCh = make(chan struct{}, 1) })
	return w.wakeCh
}

// SendDue makes one pass over the outbox: it sends every due message
// (queued with send_after passed, or stuck in 'sending' past its lease),
// oldest first, in batches of 50, and reports how many were sent. A failed
// send is not an error here; it is recorded on the row for a retry. The
// error is for the database, or ctx ending the pass.
func (w *Worker) SendDue(ctx context.Context) (sent int, err error) {
	if w.DB == nil || w.Sender == nil {
		return 0, errors.New("mail worker: DB and Sender are required")
	}
	// Rows handled in this pass. They leave the due set when handled, so
	// this only guards against looping on a row that somehow stays due.
	seen := map[int64]bool{}
	for {
		ids, err := w.dueIDs(ctx, w.now())
		if err != nil {
			return sent, err
		}
		fresh := 0
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			fresh++
			if err := ctx.Err(); err != nil {
				return sent, err
			}
			ok, err := w.sendOne(ctx, id)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(ids) < batchSize || fresh == 0 {
			return sent, nil
		}
	}
}

// dueIDs lists the next batch of due rows, oldest first.
func (w *Worker) dueIDs(ctx context.Context, now time.Time) ([]int64, error) {
	var ids []int64
	err := w.DB.SelectContext(ctx, &ids, w.DB.Rebind(`SELECT id FROM outbox
		WHERE (status = 'queued' AND send_after <= ?) OR (status = 'sending' AND claimed_until < ?)
		ORDER BY send_after, id LIMIT ?`), now.UTC(), now.UTC(), batchSize)
	if err != nil {
		return nil, fmt.Errorf("mail: due outbox rows: %w", err)
	}
	return ids, nil
}

// claim takes row id for this worker until until. Only the worker whose
// UPDATE changes the row may send it: of two that race, the second finds
// the row 'sending' with a live lease and changes nothing. send_after is
// checked again because the row may have failed and been rescheduled since
// it was listed.
func (w *Worker) claim(ctx context.Context, id int64, now, until time.Time) (bool, error) {
	res, err := w.DB.ExecContext(ctx, w.DB.Rebind(`UPDATE outbox
		SET status = 'sending', claimed_until = ?, attempts = attempts + 1
		WHERE id = ? AND ((status = 'queued' AND send_after <= ?) OR (status = 'sending' AND claimed_until < ?))`),
		until.UTC(), id, now.UTC(), now.UTC())
	if err != nil {
		return false, fmt.Errorf("mail: claim outbox row %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mail: claim outbox row %d: %w", id, err)
	}
	return n == 1, nil
}

// sendOne claims, sends and records one row, reporting whether it was sent.
func (w *Worker) sendOne(ctx context.Context, id int64) (bool, error) {
	now := w.now()
	until := now.Add(w.lease())
	ok, err := w.claim(ctx, id, now, until)
	if err != nil || !ok {
		return false, err
	}
	var m forum.OutboxMail
	if err := w.DB.GetContext(ctx, &m, w.DB.Rebind(`SELECT `+forum.OutboxCols+` FROM outbox WHERE id = ?`), id); err != nil {
		// The claim stays; its lease running out hands the row back.
		return false, fmt.Errorf("mail: read outbox row %d: %w", id, err)
	}

	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	log := w.logger().With("id", m.ID, "kind", m.Kind, "attempt", m.Attempts)
	if m.Attempts > w.maxAttempts() {
		// Reclaimed from a process that died during its last attempt.
		msg := fmt.Sprintf("gave up after %d attempts, the last cut off: %s", m.Attempts-1, m.LastError)
		return false, w.fail(fctx, log, &m, until, "failed", errorText(errors.New(msg)), now)
	}

	sendErr := w.Sender.Send(ctx, &m)
	done := w.now()
	switch {
	case sendErr == nil:
		return true, w.markSent(fctx, log, m.ID, done)
	case ctx.Err() != nil:
		// Shutting down: the send was cut off, not refused. Hand the row
		// back as it was, so the next process sends it without waiting for
		// the lease or counting an attempt.
		if err := w.release(fctx, m.ID, until); err != nil {
			return false, err
		}
		return false, ctx.Err()
	case errors.Is(sendErr, ErrPermanent) || m.Attempts >= w.maxAttempts():
		return false, w.fail(fctx, log, &m, until, "failed", errorText(sendErr), done)
	default:
		return false, w.fail(fctx, log, &m, until, "queued", errorText(sendErr), done.Add(backoff(m.Attempts)))
	}
}

// markSent records a delivery. It does not check the claim: the message is
// out whatever happened to the lease meanwhile, and saying otherwise would
// send it again.
func (w *Worker) markSent(ctx context.Context, log *slog.Logger, id int64, now time.Time) error {
	res, err := w.DB.ExecContext(ctx, w.DB.Rebind(`UPDATE outbox SET status = 'sent', sent_at = ?, claimed_until = NULL
		WHERE id = ? AND status <> 'sent'`), now.UTC(), id)
	if err != nil {
		return fmt.Errorf("mail: mark outbox row %d sent: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		log.WarnContext(ctx, "mail: sent a message another worker had sent already; the lease may be too short")
		return nil
	}
	log.InfoContext(ctx, "mail sent")
	return nil
}

// fail records a failed attempt: status 'queued' to retry at next, or
// 'failed' for good. The claim must still be ours (claimed_until as we set
// it); if another worker took the row over after our lease ran out, its
// record wins.
func (w *Worker) fail(ctx context.Context, log *slog.Logger, m *forum.OutboxMail, until time.Time, status, msg string, next time.Time) error {
	_, err := w.DB.ExecContext(ctx, w.DB.Rebind(`UPDATE outbox
		SET status = ?, last_error = ?, send_after = ?, claimed_until = NULL
		WHERE id = ? AND status = 'sending' AND claimed_until = ?`),
		status, msg, next.UTC(), m.ID, until.UTC())
	if err != nil {
		return fmt.Errorf("mail: record failure of outbox row %d: %w", m.ID, err)
	}
	if status == "failed" {
		log.ErrorContext(ctx, "mail failed for good", "err", msg)
	} else {
		log.WarnContext(ctx, "mail not sent; will retry", "err", msg, "retry_at", next.UTC())
	}
	return nil
}

// release hands a claimed row back unsent, undoing the claim's attempt.
func (w *Worker) release(ctx context.Context, id int64, until time.Time) error {
	_, err := w.DB.ExecContext(ctx, w.DB.Rebind(`UPDATE outbox
		SET status = 'queued', attempts = attempts - 1, claimed_until = NULL
		WHERE id = ? AND status = 'sending' AND claimed_until = ?`), id, until.UTC())
	if err != nil {
		return fmt.Errorf("mail: release outbox row %d: %w", id, err)
	}
	return nil
}

// backoff is the wait after the given failed attempt (1 for the first):
// 30s, 1m, 2m, 4m … up to 6h, less up to a tenth at random so that mail
// that failed together in an outage does not all return in the same second.
func backoff(attempt int) time.Duration {
	d := maxRetry
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 20 { // beyond that the shift would overflow; the cap holds anyway
		d = min(firstRetry<<(attempt-1), maxRetry)
	}
	return d - rand.N(d/10)
}

// errorText is err fit for last_error: one line of valid UTF-8, at most 500
// bytes. Senders keep secrets out of their errors; this keeps the column
// readable.
func errorText(err error) string {
	s := strings.ToValidUTF8(err.Error(), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now().UTC()
	}
	return w.Now().UTC()
}

func (w *Worker) interval() time.Duration {
	if w.Interval <= 0 {
		return DefaultInterval
	}
	return w.Interval
}

func (w *Worker) lease() time.Duration {
	if w.Lease <= 0 {
		return DefaultLease
	}
	return w.Lease
}

func (w *Worker) maxAttempts() int {
	if w.MaxAttempts <= 0 {
		return DefaultMaxAttempts
	}
	return w.MaxAttempts
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return discard()
	}
	return w.Logger
}
