package forum

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum/markdown"
	"kliv/i18n"
)

// Mail for notifications. deliver decides, inside the transaction that
// made a notification, what its member's mail preference asks for:
//
//   - instant: one mail is put in the outbox now and the notification is
//     marked mailed;
//   - daily or weekly: nothing yet; SendDigests lists it in the next
//     digest (mailed_at stays NULL until then);
//   - never: it is marked mailed at once, so that switching the kind to a
//     digest later does not mail a backlog.
//
// Join decisions are never mailed from here: the moderation package mails
// the decision itself, in the decision's transaction.

// excerptLen is how much of a post an instant mail quotes.
const excerptLen = 600

// fallbackBundle loads the catalogs once for a Store built without I18n
// (tests of other areas); the catalogs are embedded and immutable.
var fallbackBundle = sync.OnceValue(i18n.MustLoad)

func (s *Store) bundle() *i18n.Bundle {
	if s.I18n != nil {
		return s.I18n
	}
	return fallbackBundle()
}

// deliver passes a notification just recorded (or bumped back to unread,
// as a grouped "Tack" is) to mail, inside the same transaction: id is its
// row in notifications. notify calls it last, for every notification.
func (s *Store) deliver(ctx context.Context, tx *sqlx.Tx, n Notification, id int64) error {
	now := s.now()
	markMailed := func() error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET mailed_at = ? WHERE id = ?`, now, id)
		return err
	}
	if n.Kind == NotifyJoinDecision || n.Kind == NotifyModeration {
		return markMailed()
	}
	mode, err := s.mailMode(ctx, tx, n.MemberID, n.Kind)
	if err != nil {
		return err
	}
	switch mode {
	case MailNever:
		return markMailed()
	case MailDaily, MailWeekly:
		// A grouped notification bumped by a new "Tack" belongs in the
		// next digest again even if an earlier digest listed it.
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET mailed_at = NULL WHERE id = ? AND mailed_at IS NOT NULL`, id)
		return err
	}
	r, err := s.mailRecipient(ctx, tx, n.MemberID)
	if err != nil {
		return err
	}
	if r == nil {
		// Not an approved member (any more): no mail, now or in a digest.
		return markMailed()
	}
	items, err := s.mailItems(ctx, tx, "n.id = ?", id)
	if err != nil {
		return err
	}
	if len(items) == 0 || items[0].gone() {
		return markMailed()
	}
	m, err := s.instantMail(ctx, tx, r, &items[0])
	if err != nil {
		return err
	}
	if err := s.Enqueue(ctx, tx, m); err != nil {
		return err
	}
	return markMailed()
}

// mailRecipient is who a notification mail goes to.
type mailRecipient struct {
	ID           int64      `db:"id"`
	Email        string     `db:"email"`
	DisplayName  string     `db:"display_name"`
	Lang         string     `db:"lang"`
	Status       Status     `db:"status"`
	DigestSentAt *time.Time `db:"digest_sent_at"`
}

func (r *mailRecipient) lang() string {
	if i18n.Supported(r.Lang) {
		return r.Lang
	}
	return i18n.Default
}

// mailRecipient returns the member, or nil when she is not an approved
// member: deleted, pending and rejected accounts get no notification mail.
func (s *Store) mailRecipient(ctx context.Context, q sqlx.QueryerContext, memberID int64) (*mailRecipient, error) {
	var rs []mailRecipient
	if err := sqlx.SelectContext(ctx, q, &rs, `SELECT id, email, display_name, lang, status, digest_sent_at
		FROM members WHERE id = ?`, memberID); err != nil {
		return nil, fmt.Errorf("mail recipient: %w", err)
	}
	if len(rs) == 0 || rs[0].Status != StatusApproved || rs[0].Email == "" {
		return nil, nil
	}
	return &rs[0], nil
}

// mailItem is a notification with what its mail says.
type mailItem struct {
	ID          int64     `db:"id"`
	Kind        string    `db:"kind"`
	TopicID     *int64    `db:"topic_id"`
	PostID      *int64    `db:"post_id"`
	Title       *string   `db:"topic_title"`
	ActorName   *string   `db:"actor_name"`
	PostBody    *string   `db:"post_body"`
	PostDeleted bool      `db:"post_deleted"`
	DataJSON    string    `db:"data"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// gone reports whether what the notification points at was deleted, so
// there is nothing left to mail about.
func (it *mailItem) gone() bool {
	return (it.PostID != nil && (it.PostBody == nil || it.PostDeleted)) || (it.PostID == nil && it.TopicID != nil && it.Title == nil)
}

// link is the absolute address the item leads to.
func (it *mailItem) link(base string) string {
	switch {
	case it.Kind == NotifyMessage:
		return base + "/messages/" + strconv.Itoa(dataInt(decodeData(it.DataJSON)["conversation_id"]))
	case it.PostID != nil:
		return base + "/p/" + strconv.FormatInt(*it.PostID, 10)
	case it.TopicID != nil:
		return base + "/t/" + strconv.FormatInt(*it.TopicID, 10)
	}
	return base + "/notifications"
}

// line is the one-sentence description of the item in lang.
func (it *mailItem) line(b *i18n.Bundle, lang string) string {
	actor := b.T(lang, "mail.someone")
	if it.ActorName != nil && *it.ActorName != "" {
		actor = *it.ActorName
	}
	title := ""
	if it.Title != nil {
		title = *it.Title
	}
	data := decodeData(it.DataJSON)
	switch it.Kind {
	case NotifyThanks:
		if c := dataInt(data["count"]); c > 1 {
			return b.T(lang, "mail.line.thanks_many", actor, c-1, title)
		}
	case NotifyReminder:
		if note, _ := data["note"].(string); strings.TrimSpace(note) != "" {
			return b.T(lang, "mail.line.reminder_note", title, Excerpt(note, 200))
		}
		return b.T(lang, "mail.line.reminder", title)
	case NotifyJoinDecision:
		return b.T(lang, "mail.line.join_decision")
	case NotifyMessage:
		// Never the message itself: a private message stays on the site.
		return b.T(lang, "mail.line.message", actor)
	case NotifyEvent:
		return eventNoticeLine(b, lang, title, data)
	}
	return b.T(lang, "mail.line."+it.Kind, actor, title)
}

const mailItemCols = `n.id, n.kind, n.topic_id, n.post_id, t.title AS topic_title, a.display_name AS actor_name,
	CASE WHEN p.hidden_at IS NULL THEN p.body_html ELSE '' END AS post_body, COALESCE(p.deleted_at IS NOT NULL, FALSE) AS post_deleted, n.data, n.updated_at`

const mailItemFrom = ` FROM notifications n LEFT JOIN topics t ON t.id = n.topic_id
	LEFT JOIN posts p ON p.id = n.post_id LEFT JOIN members a ON a.id = n.actor_id`

func (s *Store) mailItems(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) ([]mailItem, error) {
	var its []mailItem
	if err := sqlx.SelectContext(ctx, q, &its, `SELECT `+mailItemCols+mailItemFrom+` WHERE `+where+` ORDER BY n.updated_at, n.id`, args...); err != nil {
		return nil, fmt.Errorf("mail items: %w", err)
	}
	return its, nil
}

// unsubscribeHeaders are the RFC 2369 and RFC 8058 header fields that let
// a mail program offer one-click unsubscribing.
func unsubscribeHeaders(link string) map[string]string {
	return map[string]string{
		"List-Unsubscribe":      "<" + link + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	}
}

// instantMail composes the mail of one notification.
func (s *Store) instantMail(ctx context.Context, ext sqlx.ExtContext, r *mailRecipient, it *mailItem) (Mail, error) {
	b, lang := s.bundle(), r.lang()
	unsub, err := s.UnsubscribeURL(ctx, ext, r.ID, it.Kind)
	if err != nil {
		return Mail{}, err
	}
	line := it.line(b, lang)
	var body strings.Builder
	body.WriteString(b.T(lang, "mail.greeting", r.DisplayName))
	body.WriteString("\n\n")
	body.WriteString(line)
	body.WriteString("\n\n")
	if it.Kind == NotifyEvent && it.TopicID != nil {
		body.WriteString(s.eventMailDetails(ctx, ext, b, lang, *it.TopicID, decodeData(it.DataJSON)))
		body.WriteString("\n\n")
	}
	if it.PostBody != nil && it.Kind != NotifyThanks && it.Kind != NotifyAnswer {
		if ex := Excerpt(markdown.PlainText(*it.PostBody), excerptLen); ex != "" {
			body.WriteString(quote(ex))
			body.WriteString("\n\n")
		}
	}
	body.WriteString(b.T(lang, "mail.instant.link", it.link(s.BaseURL)))
	body.WriteString("\n\n-- \n")
	body.WriteString(b.T(lang, "mail.footer.kind", b.T(lang, "mail.kind."+it.Kind), s.BaseURL+"/settings/mail", unsub))
	body.WriteString("\n")
	return Mail{
		MemberID: r.ID,
		Kind:     "notification." + it.Kind,
		To:       r.Email,
		Subject:  line,
		Body:     body.String(),
		Headers:  unsubscribeHeaders(unsub),
	}, nil
}

// quote prefixes every line of text with "> ".
func quote(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}
