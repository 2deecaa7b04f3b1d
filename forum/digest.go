package forum

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // digests keep Swedish time on hosts without a zoneinfo database

	"github.com/jmoiron/sqlx"
)

// Digests.
//
// Once a day, at or after 07:00 Swedish time, each member gets one mail
// listing her notifications of the kinds she gets daily, from before that
// morning's 07:00 and not mailed yet; on the first digest after Monday
// 07:00 it also lists those of her weekly kinds from before then. A kind
// she has since set to instant goes into the next digest too; one set to
// never is dropped.
//
// Each member's digest is made in one transaction that lists, enqueues
// and marks (notifications.mailed_at, members.digest_sent_at) together,
// and starts by checking digest_sent_at against the slot. SQLite
// transactions here take the write lock at BEGIN, so of two runs at once
// (two goroutines, or two processes on one database) the second finds
// the digest made and sends nothing: a member gets at most one digest per
// day, and a notification is listed at most once.

// DigestHour is the local hour digests go out.
const DigestHour = 7

// maxDigestItems caps the lines of one digest; the rest are counted and
// linked.
const maxDigestItems = 50

var stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err) // time/tzdata is embedded
	}
	return loc
}()

// DigestSlots returns the latest daily slot (07:00 Swedish time) and the
// latest weekly slot (Monday 07:00) at or before now.
func DigestSlots(now time.Time) (daily, weekly time.Time) {
	t := now.In(stockholm)
	daily = time.Date(t.Year(), t.Month(), t.Day(), DigestHour, 0, 0, 0, stockholm)
	if t.Before(daily) {
		daily = daily.AddDate(0, 0, -1)
	}
	back := (int(daily.Weekday()) - int(time.Monday) + 7) % 7
	weekly = daily.AddDate(0, 0, -back)
	return daily.UTC(), weekly.UTC()
}

// SendDigests makes the digests due at now and reports how many mails it
// put in the outbox. Running it again in the same slot sends nothing. An
// error for one member does not stop the others; the errors are returned
// together.
func (s *Store) SendDigests(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	daily, weekly := DigestSlots(now)
	var ids []int64
	err := s.DB.SelectContext(ctx, &ids, `SELECT DISTINCT n.member_id FROM notifications n JOIN members m ON m.id = n.member_id
		WHERE n.mailed_at IS NULL AND n.updated_at < ? AND m.status = 'approved'
		AND (m.digest_sent_at IS NULL OR m.digest_sent_at < ?) ORDER BY n.member_id`, daily, daily)
	if err != nil {
		return 0, fmt.Errorf("digests: %w", err)
	}
	sent := 0
	var errs []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		ok, err := s.sendDigest(ctx, id, now, daily, weekly)
		if err != nil {
			errs = append(errs, fmt.Errorf("digest for member %d: %w", id, err))
			continue
		}
		if ok {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// sendDigest makes one member's digest in one transaction, reporting
// whether a mail was enqueued.
func (s *Store) sendDigest(ctx context.Context, memberID int64, now, daily, weekly time.Time) (bool, error) {
	sent := false
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		sent = false // a run again after a conflict starts afresh
		// Claim the member's digest for this slot first: of two runs
		// (two processes on one PostgreSQL database) the second waits
		// on the row, then finds it claimed (or runs again after a
		// serialization failure, and finds it claimed then). On
		// SQLite the immediate transaction already serialises them.
		res, err := tx.ExecContext(ctx, `UPDATE members SET digest_sent_at = ?
			WHERE id = ? AND (digest_sent_at IS NULL OR digest_sent_at < ?)`, now, memberID, daily)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // made by another run in this slot
		}
		r, err := s.mailRecipient(ctx, tx, memberID)
		if err != nil {
			return err
		}
		if r == nil {
			return errNoDigest // undo the claim: nobody to mail
		}
		prefs, err := s.mailPrefs(ctx, tx, memberID)
		if err != nil {
			return err
		}
		items, err := s.mailItems(ctx, tx, "n.member_id = ? AND n.mailed_at IS NULL AND n.updated_at < ?", memberID, daily)
		if err != nil {
			return err
		}
		var list []mailItem
		var done []int64
		for _, it := range items {
			switch mode := prefs.Mode(it.Kind); {
			case it.Kind == NotifyJoinDecision, mode == MailNever, it.gone():
				done = append(done, it.ID)
			case mode == MailWeekly && !it.UpdatedAt.Before(weekly):
				// waits for next Monday's digest
			default:
				list = append(list, it)
				done = append(done, it.ID)
			}
		}
		if len(done) > 0 {
			q, args, err := sqlx.In(`UPDATE notifications SET mailed_at = ? WHERE id IN (?)`, now, done)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
				return err
			}
		}
		if len(list) == 0 {
			return nil
		}
		m, err := s.digestMail(ctx, tx, r, list)
		if err != nil {
			return err
		}
		if err := s.Enqueue(ctx, tx, m); err != nil {
			return err
		}
		sent = true
		return nil
	})
	if errors.Is(err, errNoDigest) {
		return false, nil
	}
	return sent, err
}

// errNoDigest rolls a digest's claim back when the member has no address
// to mail.
var errNoDigest = errors.New("no digest recipient")

// digestMail composes one digest: a line and a link per notification,
// newest last.
func (s *Store) digestMail(ctx context.Context, ext sqlx.ExtContext, r *mailRecipient, items []mailItem) (Mail, error) {
	b, lang := s.bundle(), r.lang()
	unsub, err := s.UnsubscribeURL(ctx, ext, r.ID, ScopeDigest)
	if err != nil {
		return Mail{}, err
	}
	var body strings.Builder
	body.WriteString(b.T(lang, "mail.greeting", r.DisplayName))
	body.WriteString("\n\n")
	body.WriteString(b.T(lang, "mail.digest.intro"))
	body.WriteString("\n\n")
	shown := items
	if len(shown) > maxDigestItems {
		shown = shown[len(shown)-maxDigestItems:]
	}
	for _, it := range shown {
		body.WriteString("* ")
		body.WriteString(it.line(b, lang))
		body.WriteString("\n  ")
		body.WriteString(it.link(s.BaseURL))
		body.WriteString("\n\n")
	}
	if more := len(items) - len(shown); more > 0 {
		body.WriteString(b.T(lang, "mail.digest.more", more, s.BaseURL+"/notifications"))
		body.WriteString("\n\n")
	}
	body.WriteString("-- \n")
	body.WriteString(b.T(lang, "mail.footer.digest", s.BaseURL+"/settings/mail", unsub))
	body.WriteString("\n")
	subjectKey := "mail.digest.subject.other"
	if len(items) == 1 {
		subjectKey = "mail.digest.subject.one"
	}
	return Mail{
		MemberID: r.ID,
		Kind:     "digest",
		To:       r.Email,
		Subject:  b.T(lang, subjectKey, len(items)),
		Body:     body.String(),
		Headers:  unsubscribeHeaders(unsub),
	}, nil
}
