package forum

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum/markdown"
)

// MaxNoteLen is the longest bookmark note in characters.
const MaxNoteLen = 500

// Bookmark is a post a member saved ("Bokmärk"), with her note and an
// optional reminder.
type Bookmark struct {
	ID         int64      `db:"id"`
	PostID     int64      `db:"post_id"`
	TopicID    int64      `db:"topic_id"`
	TopicTitle string     `db:"topic_title"`
	Seq        int        `db:"seq"`
	AuthorName *string    `db:"author_name"`
	Body       string     `db:"body"`
	DeletedAt  *time.Time `db:"deleted_at"`
	PostedAt   time.Time  `db:"posted_at"`
	Note       string     `db:"note"`
	RemindAt   *time.Time `db:"remind_at"`
	RemindedAt *time.Time `db:"reminded_at"`
	CreatedAt  time.Time  `db:"created_at"`
}

// Path links the saved post on its topic page.
func (b *Bookmark) Path() string { return PostPath(b.TopicID, b.Seq) }

// Excerpt is the start of the saved post's text.
func (b *Bookmark) Excerpt() string {
	if b.DeletedAt != nil {
		return ""
	}
	return Excerpt(markdown.PlainText(b.Body), 200)
}

// Deleted reports whether the saved post was deleted since.
func (b *Bookmark) Deleted() bool { return b.DeletedAt != nil }

// Author is the post author's display name, or "".
func (b *Bookmark) Author() string {
	if b.AuthorName == nil {
		return ""
	}
	return *b.AuthorName
}

// Pending reports a reminder still to come.
func (b *Bookmark) Pending() bool { return b.RemindAt != nil && b.RemindedAt == nil }

const bookmarkCols = `b.id, b.post_id, p.topic_id, t.title AS topic_title, p.seq, a.display_name AS author_name,
	CASE WHEN p.hidden_at IS NULL OR p.author_id = b.member_id THEN p.body ELSE '' END AS body, p.deleted_at, p.created_at AS posted_at, b.note, b.remind_at, b.reminded_at, b.created_at`

const bookmarkFrom = ` FROM bookmarks b JOIN posts p ON p.id = b.post_id JOIN topics t ON t.id = p.topic_id
	LEFT JOIN members a ON a.id = p.author_id`

// BookmarkInput is what saving a bookmark takes.
type BookmarkInput struct {
	Note string
	// RemindAt, when set, must be in the future.
	RemindAt *time.Time
}

// SaveBookmark saves a post for a member, or updates her note and
// reminder when she saved it before (created reports which). Setting a
// reminder again arms it again.
func (s *Store) SaveBookmark(ctx context.Context, m *Member, postID int64, in BookmarkInput) (b *Bookmark, created bool, err error) {
	if _, err := s.Post(ctx, m, postID); err != nil {
		return nil, false, err
	}
	v := &ValidationError{}
	in.Note = CheckText(v, "note", in.Note, 0, MaxNoteLen, true)
	now := s.now()
	if in.RemindAt != nil && !in.RemindAt.After(now) {
		v.Add("remind_at", "error.remind_at.past")
	}
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	var remind any
	if in.RemindAt != nil {
		remind = in.RemindAt.UTC()
	}
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE bookmarks SET note = ?, remind_at = ?, reminded_at = NULL WHERE member_id = ? AND post_id = ?`,
			in.Note, remind, m.ID, postID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO bookmarks (member_id, post_id, note, remind_at, created_at) VALUES (?, ?, ?, ?, ?)`,
				m.ID, postID, in.Note, remind, now); err != nil {
				return err
			}
			created = true
		}
		b, err = s.bookmarkWhere(ctx, tx, "b.member_id = ? AND b.post_id = ?", m.ID, postID)
		return err
	})
	return b, created, err
}

func (s *Store) bookmarkWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (*Bookmark, error) {
	var b Bookmark
	if err := sqlx.GetContext(ctx, q, &b, `SELECT `+bookmarkCols+bookmarkFrom+` WHERE `+where, args...); err != nil {
		return nil, fmt.Errorf("bookmark: %w", translate(err))
	}
	return &b, nil
}

// Bookmark returns her bookmark of a post, or ErrNotFound.
func (s *Store) Bookmark(ctx context.Context, m *Member, postID int64) (*Bookmark, error) {
	if !m.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	return s.bookmarkWhere(ctx, s.DB, "b.member_id = ? AND b.post_id = ?", m.ID, postID)
}

// DeleteBookmark removes her bookmark of a post; removing one that is not
// there is fine, but the post must exist.
func (s *Store) DeleteBookmark(ctx context.Context, m *Member, postID int64) error {
	if _, err := s.Post(ctx, m, postID); err != nil {
		return err
	}
	_, err := s.DB.ExecContext(ctx, `DELETE FROM bookmarks WHERE member_id = ? AND post_id = ?`, m.ID, postID)
	return err
}

// Bookmarks lists her bookmarks, latest saved first, limit at a time;
// cursor (from the last call) continues the list.
func (s *Store) Bookmarks(ctx context.Context, m *Member, cursor string, limit int) ([]Bookmark, string, error) {
	if !m.IsMember() {
		return nil, "", Refuse(ErrForbidden, "error.not_member")
	}
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	q := `SELECT ` + bookmarkCols + bookmarkFrom + ` WHERE b.member_id = ?`
	args := []any{m.ID}
	if cursor != "" {
		before, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || before <= 0 {
			return nil, "", Invalid("page", "error.page.invalid")
		}
		q += ` AND b.id < ?`
		args = append(args, before)
	}
	q += ` ORDER BY b.id DESC LIMIT ?`
	args = append(args, limit+1)
	var bs []Bookmark
	if err := s.DB.SelectContext(ctx, &bs, q, args...); err != nil {
		return nil, "", err
	}
	next := ""
	if len(bs) > limit {
		bs = bs[:limit]
		next = strconv.FormatInt(bs[len(bs)-1].ID, 10)
	}
	return bs, next, nil
}

// BookmarkedPosts reports which of the posts she has saved.
func (s *Store) BookmarkedPosts(ctx context.Context, memberID int64, postIDs []int64) (map[int64]bool, error) {
	return s.memberPostSet(ctx, "bookmarks", memberID, postIDs)
}

// SendDueReminders turns the bookmark reminders that came due into
// reminder notifications, a batch per transaction, and returns how many
// it sent. The chores call it every minute.
func (s *Store) SendDueReminders(ctx context.Context) (int, error) {
	sent := 0
	for {
		n, err := s.sendDueBatch(ctx, 100)
		sent += n
		if err != nil || n < 100 {
			return sent, err
		}
	}
}

func (s *Store) sendDueBatch(ctx context.Context, limit int) (int, error) {
	sent := 0
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		sent = 0 // a retried transaction counts anew
		now := s.now()
		var due []struct {
			ID       int64  `db:"id"`
			MemberID int64  `db:"member_id"`
			PostID   int64  `db:"post_id"`
			TopicID  int64  `db:"topic_id"`
			Note     string `db:"note"`
		}
		if err := tx.SelectContext(ctx, &due, `SELECT b.id, b.member_id, b.post_id, p.topic_id, b.note
			FROM bookmarks b JOIN posts p ON p.id = b.post_id
			WHERE b.remind_at IS NOT NULL AND b.reminded_at IS NULL AND b.remind_at <= ?
			ORDER BY b.remind_at LIMIT ?`+SkipLocked(s.DB, "b"), now, limit); err != nil {
			return err
		}
		for _, d := range due {
			res, err := tx.ExecContext(ctx, `UPDATE bookmarks SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL`, now, d.ID)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue // reminded by another process meanwhile
			}
			sent++
			data := map[string]any{"bookmark_id": d.ID}
			if d.Note != "" {
				data["note"] = d.Note
			}
			if err := s.notify(ctx, tx, Notification{MemberID: d.MemberID, Kind: NotifyReminder,
				TopicID: d.TopicID, PostID: d.PostID, Data: data}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return sent, nil
}
