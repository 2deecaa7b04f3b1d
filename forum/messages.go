package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum/markdown"
)

// Private messages ("Meddelanden"): a conversation between two or more
// members, which only its participants can read. A member can block
// another, who then cannot message her: not in a new conversation, and
// not in one they already share.

// NotifyMessage: a new private message in one of her conversations. One
// notification per conversation, bumped to unread by each new message.
const NotifyMessage = "message"

// MaxMessageLen is the longest message in characters.
const MaxMessageLen = 20000

// MaxRecipients is how many others one conversation may be started with.
const MaxRecipients = 10

// ConversationPageSize is how many messages a conversation page shows.
const ConversationPageSize = 50

// Conversation is one conversation as her inbox and its page show it.
type Conversation struct {
	ID            int64     `db:"id"`
	CreatedAt     time.Time `db:"created_at"`
	LastMessageAt time.Time `db:"last_message_at"`
	MessageCount  int       `db:"message_count"`
	Unread        int       `db:"unread"`
	LastReadID    int64     `db:"last_read_id"`
	LastExcerpt   string    `db:"last_excerpt"`
	// Others are the other participants, by display name.
	Others []Participant `db:"-"`
}

// Path is the conversation's page.
func (c *Conversation) Path() string { return "/messages/" + strconv.FormatInt(c.ID, 10) }

// Names are the other participants' display names, joined.
func (c *Conversation) Names(former string) string {
	names := make([]string, 0, len(c.Others))
	for _, p := range c.Others {
		names = append(names, p.Name(former))
	}
	if len(names) == 0 {
		return former
	}
	return strings.Join(names, ", ")
}

// Participant is a member of a conversation.
type Participant struct {
	ConversationID int64  `db:"conversation_id"`
	MemberID       int64  `db:"member_id"`
	Username       string `db:"username"`
	DisplayName    string `db:"display_name"`
	Status         Status `db:"status"`
}

// Gone reports whether her account is deleted.
func (p *Participant) Gone() bool { return p.Status == StatusDeleted }

// Name is her display name, or former for a deleted account.
func (p *Participant) Name(former string) string {
	if p.Gone() || p.DisplayName == "" {
		return former
	}
	return p.DisplayName
}

// PrivateMessage is one private message.
type PrivateMessage struct {
	ID             int64     `db:"id"`
	ConversationID int64     `db:"conversation_id"`
	AuthorID       *int64    `db:"author_id"`
	AuthorUsername *string   `db:"author_username"`
	AuthorName     *string   `db:"author_name"`
	AuthorStatus   *string   `db:"author_status"`
	Body           string    `db:"body"`
	BodyHTML       string    `db:"body_html"`
	CreatedAt      time.Time `db:"created_at"`
	// Unread is set for messages of others she had not seen before
	// opening the page.
	Unread bool `db:"-"`
}

// Author is the author's display name, or "" for a deleted account.
func (m *PrivateMessage) Author() string {
	if m.AuthorName == nil || (m.AuthorStatus != nil && Status(*m.AuthorStatus) == StatusDeleted) {
		return ""
	}
	return *m.AuthorName
}

// Username is the author's username, or "" for a deleted account.
func (m *PrivateMessage) Username() string {
	if m.Author() == "" || m.AuthorUsername == nil {
		return ""
	}
	return *m.AuthorUsername
}

// ByMember reports whether m wrote it.
func (m *PrivateMessage) ByMember(id int64) bool { return m.AuthorID != nil && *m.AuthorID == id }

// Initials are the avatar letters of the author.
func (m *PrivateMessage) Initials() string { return Initials(m.Author()) }

// Anchor is the message's fragment id.
func (m *PrivateMessage) Anchor() string { return "m" + strconv.FormatInt(m.ID, 10) }

// ParseRecipients splits a "to" field of usernames separated by commas or
// spaces (an @ before a name is allowed), dropping repeats.
func ParseRecipients(to string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range strings.FieldsFunc(to, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\t' || r == '\r' }) {
		f = strings.TrimPrefix(f, "@")
		if f == "" || seen[strings.ToLower(f)] {
			continue
		}
		seen[strings.ToLower(f)] = true
		out = append(out, f)
	}
	return out
}

// NewConversation is what starting a conversation takes.
type NewConversation struct {
	To   []string
	Body string
}

// checkMessage validates and renders a message body.
func (s *Store) checkMessage(v *ValidationError, body string) (string, string, error) {
	body = CheckText(v, "body", body, 1, MaxMessageLen, true)
	if v.Has("body") {
		return body, "", nil
	}
	html, err := s.MD.Render(body)
	if errors.Is(err, markdown.ErrBusy) {
		return body, "", err
	}
	if err != nil {
		v.Add("body", "error.markdown.complex")
		return body, "", nil
	}
	return body, html, nil
}

// blockedBy reports whether any of ids has blocked sender.
func blockedBy(ctx context.Context, q sqlx.QueryerContext, sender int64, ids []int64) (bool, error) {
	if len(ids) == 0 {
		return false, nil
	}
	query, args, err := sqlx.In(`SELECT COUNT(*) FROM member_blocks WHERE blocked_id = ? AND member_id IN (?)`, sender, ids)
	if err != nil {
		return false, err
	}
	var n int
	if err := sqlx.GetContext(ctx, q, &n, sqlx.Rebind(sqlx.QUESTION, query), args...); err != nil {
		return false, err
	}
	return n > 0, nil
}

// StartConversation starts a conversation of actor with the members
// named in n.To and its first message. Unknown names, herself, applicants
// and deleted accounts are field errors on "to"; a recipient who blocked
// her is a refusal that names nobody.
func (s *Store) StartConversation(ctx context.Context, actor *Member, n NewConversation) (int64, error) {
	if !actor.IsMember() {
		return 0, Refuse(ErrForbidden, "error.not_member")
	}
	v := &ValidationError{}
	var ids []int64
	switch {
	case len(n.To) == 0:
		v.Add("to", "privacy.error.to.empty")
	case len(n.To) > MaxRecipients:
		v.Add("to", "privacy.error.to.many", MaxRecipients)
	default:
		for _, name := range n.To {
			if len(name) > 30 {
				v.Add("to", "privacy.error.to.unknown", Excerpt(name, 30))
				break
			}
			var r struct {
				ID     int64  `db:"id"`
				Status Status `db:"status"`
			}
			err := s.DB.GetContext(ctx, &r, `SELECT id, status FROM members WHERE username = ?`, name)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && r.Status != StatusApproved) {
				v.Add("to", "privacy.error.to.unknown", name)
				break
			}
			if err != nil {
				return 0, err
			}
			if r.ID == actor.ID {
				v.Add("to", "privacy.error.to.self")
				break
			}
			ids = append(ids, r.ID)
		}
	}
	body, html, err := s.checkMessage(v, n.Body)
	if err != nil {
		return 0, err
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	var cid int64
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		blocked, err := blockedBy(ctx, tx, actor.ID, ids)
		if err != nil {
			return err
		}
		if blocked {
			return Refuse(ErrForbidden, "privacy.error.blocked")
		}
		now := s.now()
		newID, err := InsertID(ctx, tx, `INSERT INTO conversations (created_by, created_at, last_message_at) VALUES (?, ?, ?)`, actor.ID, now, now)
		if err != nil {
			return err
		}
		cid = newID
		for _, id := range append([]int64{actor.ID}, ids...) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO conversation_members (conversation_id, member_id, joined_at) VALUES (?, ?, ?)`,
				cid, id, now); err != nil {
				return err
			}
		}
		return s.addMessage(ctx, tx, actor, cid, body, html, now)
	})
	return cid, err
}

// Reply adds a message of actor to a conversation she takes part in.
// Anyone else gets ErrNotFound; a participant who blocked her, or whom
// she blocked, makes it a refusal.
func (s *Store) Reply(ctx context.Context, actor *Member, conversationID int64, body string) (int64, error) {
	if !actor.IsMember() {
		return 0, Refuse(ErrForbidden, "error.not_member")
	}
	if err := s.checkParticipant(ctx, s.DB, actor.ID, conversationID); err != nil {
		return 0, err
	}
	v := &ValidationError{}
	body, html, err := s.checkMessage(v, body)
	if err != nil {
		return 0, err
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	var mid int64
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var others []int64
		if err := tx.SelectContext(ctx, &others, `SELECT cm.member_id FROM conversation_members cm JOIN members m ON m.id = cm.member_id
			WHERE cm.conversation_id = ? AND cm.member_id <> ? AND m.status <> 'deleted'`, conversationID, actor.ID); err != nil {
			return err
		}
		if len(others) == 0 {
			return Refuse(ErrConflict, "privacy.error.alone")
		}
		blocked, err := blockedBy(ctx, tx, actor.ID, others)
		if err != nil {
			return err
		}
		if blocked {
			return Refuse(ErrForbidden, "privacy.error.blocked")
		}
		if err := s.addMessage(ctx, tx, actor, conversationID, body, html, s.now()); err != nil {
			return err
		}
		return tx.GetContext(ctx, &mid, `SELECT MAX(id) FROM messages WHERE conversation_id = ?`, conversationID)
	})
	return mid, err
}

// addMessage inserts a message, marks it read for its author and tells
// the other participants.
func (s *Store) addMessage(ctx context.Context, tx *sqlx.Tx, actor *Member, cid int64, body, html string, now time.Time) error {
	mid, err := InsertID(ctx, tx, `INSERT INTO messages (conversation_id, author_id, body, body_html, created_at) VALUES (?, ?, ?, ?, ?)`,
		cid, actor.ID, body, html, now)
	if err != nil {
		return fmt.Errorf("add message: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE conversations SET last_message_at = ?, message_count = message_count + 1 WHERE id = ?`, now, cid); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE conversation_members SET last_read_id = ? WHERE conversation_id = ? AND member_id = ?`, mid, cid, actor.ID); err != nil {
		return err
	}
	var others []int64
	if err := tx.SelectContext(ctx, &others, `SELECT member_id FROM conversation_members WHERE conversation_id = ? AND member_id <> ? ORDER BY member_id`,
		cid, actor.ID); err != nil {
		return err
	}
	for _, id := range others {
		if err := s.notify(ctx, tx, Notification{MemberID: id, Kind: NotifyMessage, ActorID: actor.ID,
			Data: map[string]any{"conversation_id": cid}}); err != nil {
			return err
		}
	}
	return nil
}

// notifyMessage keeps one message notification per conversation and
// member: a new message makes it unread and newest again, and is mailed
// by her preference for "message".
func (s *Store) notifyMessage(ctx context.Context, tx *sqlx.Tx, n Notification) error {
	cid := dataInt(n.Data["conversation_id"])
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM notifications WHERE member_id = ? AND kind = 'message'
		AND `+DialectOf(tx).JSONInt("data", "conversation_id")+` = ?`, n.MemberID, cid)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id, err = s.insertNotification(ctx, tx, n, s.now())
		if err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET actor_id = ?, read_at = NULL, updated_at = ? WHERE id = ?`,
			nullID(n.ActorID), s.now(), id); err != nil {
			return err
		}
	}
	return s.deliver(ctx, tx, n, id)
}

// checkParticipant is ErrNotFound unless the member takes part in the
// conversation: to anyone else it does not exist.
func (s *Store) checkParticipant(ctx context.Context, q sqlx.QueryerContext, memberID, cid int64) error {
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT COUNT(*) FROM conversation_members WHERE conversation_id = ? AND member_id = ?`, cid, memberID); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("conversation: %w", ErrNotFound)
	}
	return nil
}

const conversationCols = `c.id, c.created_at, c.last_message_at, c.message_count, cm.last_read_id,
	(SELECT COUNT(*) FROM messages x WHERE x.conversation_id = c.id AND x.id > cm.last_read_id
		AND (x.author_id IS NULL OR x.author_id <> cm.member_id)) AS unread,
	COALESCE((SELECT x.body_html FROM messages x WHERE x.conversation_id = c.id ORDER BY x.id DESC LIMIT 1), '') AS last_excerpt`

// Conversations lists her conversations, latest message first, limit at
// a time; cursor continues where the last page ended.
func (s *Store) Conversations(ctx context.Context, m *Member, cursor string, limit int) ([]Conversation, string, error) {
	if !m.IsMember() {
		return nil, "", Refuse(ErrForbidden, "error.not_member")
	}
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	q := `SELECT ` + conversationCols + ` FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id WHERE cm.member_id = ?`
	args := []any{m.ID}
	if cursor != "" {
		at, id, err := parseCursor(cursor)
		if err != nil {
			return nil, "", Invalid("page", "error.page.invalid")
		}
		q += ` AND (c.last_message_at, c.id) < (?, ?)`
		args = append(args, at, id)
	}
	q += ` ORDER BY c.last_message_at DESC, c.id DESC LIMIT ?`
	args = append(args, limit+1)
	var cs []Conversation
	if err := s.DB.SelectContext(ctx, &cs, q, args...); err != nil {
		return nil, "", fmt.Errorf("conversations: %w", err)
	}
	next := ""
	if len(cs) > limit {
		cs = cs[:limit]
		last := cs[len(cs)-1]
		next = makeCursor(last.LastMessageAt, last.ID)
	}
	for i := range cs {
		cs[i].LastExcerpt = Excerpt(markdown.PlainText(cs[i].LastExcerpt), 140)
	}
	if err := s.fillParticipants(ctx, m.ID, cs); err != nil {
		return nil, "", err
	}
	return cs, next, nil
}

func (s *Store) fillParticipants(ctx context.Context, self int64, cs []Conversation) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]int64, len(cs))
	at := map[int64]int{}
	for i, c := range cs {
		ids[i] = c.ID
		at[c.ID] = i
	}
	q, args, err := sqlx.In(`SELECT cm.conversation_id, cm.member_id, m.username, m.display_name, m.status
		FROM conversation_members cm JOIN members m ON m.id = cm.member_id
		WHERE cm.conversation_id IN (?) AND cm.member_id <> ? ORDER BY cm.conversation_id, m.display_name, m.id`, ids, self)
	if err != nil {
		return err
	}
	var ps []Participant
	if err := s.DB.SelectContext(ctx, &ps, s.DB.Rebind(q), args...); err != nil {
		return err
	}
	for _, p := range ps {
		i := at[p.ConversationID]
		cs[i].Others = append(cs[i].Others, p)
	}
	return nil
}

// UnreadConversations counts her conversations with messages she has
// not read, for the header.
func (s *Store) UnreadConversations(ctx context.Context, memberID int64) (int, error) {
	var n int
	err := s.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM conversation_members cm WHERE cm.member_id = ?
		AND EXISTS (SELECT 1 FROM messages x WHERE x.conversation_id = cm.conversation_id AND x.id > cm.last_read_id
			AND (x.author_id IS NULL OR x.author_id <> cm.member_id))`, memberID)
	return n, err
}

// ConversationView is a conversation with its messages.
type ConversationView struct {
	Conversation
	Messages []PrivateMessage
	// Page and Pages page the messages, oldest first.
	Page, Pages int
	// NoReply is why she cannot write here ("" when she can): a
	// message key, for a participant who blocked her or no one left.
	NoReply string
}

// OpenConversation returns a conversation of hers with one page of its
// messages (page 0: the last), and marks them read. Anyone but a
// participant gets ErrNotFound.
func (s *Store) OpenConversation(ctx context.Context, m *Member, cid int64, page int) (*ConversationView, error) {
	if !m.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	var cv ConversationView
	err := s.DB.GetContext(ctx, &cv.Conversation, `SELECT `+conversationCols+` FROM conversation_members cm
		JOIN conversations c ON c.id = cm.conversation_id WHERE cm.conversation_id = ? AND cm.member_id = ?`, cid, m.ID)
	if err != nil {
		return nil, fmt.Errorf("conversation: %w", translate(err))
	}
	cs := []Conversation{cv.Conversation}
	if err := s.fillParticipants(ctx, m.ID, cs); err != nil {
		return nil, err
	}
	cv.Conversation = cs[0]
	var others []int64
	for _, p := range cv.Others {
		if !p.Gone() {
			others = append(others, p.MemberID)
		}
	}
	if len(others) == 0 {
		cv.NoReply = "privacy.error.alone"
	} else if blocked, err := blockedBy(ctx, s.DB, m.ID, others); err != nil {
		return nil, err
	} else if blocked {
		cv.NoReply = "privacy.error.blocked"
	}
	cv.Pages = max(1, (cv.MessageCount+ConversationPageSize-1)/ConversationPageSize)
	if page <= 0 || page > cv.Pages {
		page = cv.Pages
	}
	cv.Page = page
	if err := s.DB.SelectContext(ctx, &cv.Messages, `SELECT x.id, x.conversation_id, x.author_id, a.username AS author_username,
			a.display_name AS author_name, a.status AS author_status, x.body, x.body_html, x.created_at
		FROM messages x LEFT JOIN members a ON a.id = x.author_id WHERE x.conversation_id = ?
		ORDER BY x.id LIMIT ? OFFSET ?`, cid, ConversationPageSize, (page-1)*ConversationPageSize); err != nil {
		return nil, err
	}
	var upto int64
	for i := range cv.Messages {
		x := &cv.Messages[i]
		x.Unread = x.ID > cv.LastReadID && !x.ByMember(m.ID)
		upto = x.ID
	}
	if upto > cv.LastReadID {
		if _, err := s.DB.ExecContext(ctx, `UPDATE conversation_members SET last_read_id = ? WHERE conversation_id = ? AND member_id = ? AND last_read_id < ?`,
			upto, cid, m.ID, upto); err != nil {
			return nil, err
		}
		// Reading the conversation is what its notification asked for.
		if _, err := s.DB.ExecContext(ctx, `UPDATE notifications SET read_at = ? WHERE member_id = ? AND kind = 'message'
			AND read_at IS NULL AND `+s.Dialect().JSONInt("data", "conversation_id")+` = ?`, s.now(), m.ID, cid); err != nil {
			return nil, err
		}
	}
	return &cv, nil
}

// Blocked is a member she has blocked.
type Blocked struct {
	Username    string    `db:"username"`
	DisplayName string    `db:"display_name"`
	CreatedAt   time.Time `db:"created_at"`
}

// Block stops the member named username from messaging m. Blocking
// twice is fine; blocking herself or an unknown name is ErrNotFound or a
// refusal.
func (s *Store) Block(ctx context.Context, m *Member, username string) error {
	if !m.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	other, err := s.blockTarget(ctx, username)
	if err != nil {
		return err
	}
	if other.ID == m.ID {
		return Refuse(ErrInvalid, "privacy.error.block_self")
	}
	_, err = s.DB.ExecContext(ctx, `INSERT INTO member_blocks (member_id, blocked_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (member_id, blocked_id) DO NOTHING`, m.ID, other.ID, s.now())
	return err
}

// Unblock lets the member named username message m again.
func (s *Store) Unblock(ctx context.Context, m *Member, username string) error {
	if !m.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	other, err := s.blockTarget(ctx, username)
	if err != nil {
		return err
	}
	_, err = s.DB.ExecContext(ctx, `DELETE FROM member_blocks WHERE member_id = ? AND blocked_id = ?`, m.ID, other.ID)
	return err
}

func (s *Store) blockTarget(ctx context.Context, username string) (*Member, error) {
	if strings.TrimSpace(username) == "" {
		return nil, Invalid("username", "error.field.required")
	}
	if len(username) > 30 {
		return nil, fmt.Errorf("member: %w", ErrNotFound)
	}
	other, err := s.MemberByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	if other.Status == StatusDeleted || other.Status == StatusPending || other.Status == StatusRejected || other.Status == StatusWithdrawn {
		return nil, fmt.Errorf("member: %w", ErrNotFound)
	}
	return other, nil
}

// Blocks lists the members she has blocked, latest first.
func (s *Store) Blocks(ctx context.Context, m *Member) ([]Blocked, error) {
	var bs []Blocked
	err := s.DB.SelectContext(ctx, &bs, `SELECT m.username, m.display_name, b.created_at FROM member_blocks b
		JOIN members m ON m.id = b.blocked_id WHERE b.member_id = ? ORDER BY b.created_at DESC, m.id`, m.ID)
	return bs, err
}

// HasBlocked reports whether m has blocked the member named username.
func (s *Store) HasBlocked(ctx context.Context, m *Member, username string) (bool, error) {
	var n int
	err := s.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM member_blocks b JOIN members o ON o.id = b.blocked_id
		WHERE b.member_id = ? AND o.username = ?`, m.ID, username)
	return n > 0, err
}
