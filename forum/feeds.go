package forum

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// The private feed token.
//
// A feed reader cannot sign in, so each member has a secret token that
// goes in her feed URLs. It is kept as is (not hashed) in
// members.feed_token: she must be able to see her feed URLs again on the
// settings page and in GET /api/v1/me, and a feed token only reads what
// the database holds anyway, so a leaked database gives nothing more
// through it. Regenerating it is how she revokes a leaked URL.

// FeedToken returns a member's feed token, making one on first need.
func (s *Store) FeedToken(ctx context.Context, memberID int64) (string, error) {
	var tok *string
	if err := s.DB.GetContext(ctx, &tok, `SELECT feed_token FROM members WHERE id = ?`, memberID); err != nil {
		return "", fmt.Errorf("feed token: %w", translate(err))
	}
	if tok != nil && *tok != "" {
		return *tok, nil
	}
	// Two requests racing to make the first one agree on the survivor.
	if _, err := s.DB.ExecContext(ctx, `UPDATE members SET feed_token = ? WHERE id = ? AND feed_token IS NULL`, NewToken(), memberID); err != nil {
		return "", fmt.Errorf("feed token: %w", translate(err))
	}
	if err := s.DB.GetContext(ctx, &tok, `SELECT feed_token FROM members WHERE id = ?`, memberID); err != nil {
		return "", fmt.Errorf("feed token: %w", translate(err))
	}
	if tok == nil {
		return "", errors.New("feed token: not stored")
	}
	return *tok, nil
}

// RegenerateFeedToken replaces a member's feed token; the old one stops
// working at once.
func (s *Store) RegenerateFeedToken(ctx context.Context, memberID int64) (string, error) {
	tok := NewToken()
	res, err := s.DB.ExecContext(ctx, `UPDATE members SET feed_token = ? WHERE id = ?`, tok, memberID)
	if err != nil {
		return "", fmt.Errorf("regenerate feed token: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", ErrNotFound
	}
	return tok, nil
}

// FeedMember returns the member whose feed token tok is. An unknown or
// replaced token, or one of an account that is not an approved member,
// is ErrNotFound: a feed URL says nothing about why it stopped working.
func (s *Store) FeedMember(ctx context.Context, tok string) (*Member, error) {
	if len(tok) < 20 || len(tok) > 100 {
		return nil, ErrNotFound
	}
	m, err := s.memberWhere(ctx, s.DB, "feed_token = ?", tok)
	if err != nil {
		return nil, err
	}
	if !m.IsMember() {
		return nil, ErrNotFound
	}
	return m, nil
}

// FeedLimit is how many entries a feed carries.
const FeedLimit = 50

// FeedEntry is one entry of a feed: a topic with its first post, or one
// post of a topic.
type FeedEntry struct {
	TopicID      int64      `db:"topic_id"`
	PostID       int64      `db:"post_id"`
	Seq          int        `db:"seq"`
	Title        string     `db:"title"`
	CategoryID   int64      `db:"category_id"`
	CategoryName string     `db:"category_name"`
	AuthorName   *string    `db:"author_name"`
	BodyHTML     string     `db:"body_html"`
	CreatedAt    time.Time  `db:"created_at"`
	EditedAt     *time.Time `db:"edited_at"`
	DeletedAt    *time.Time `db:"deleted_at"`
}

// Updated is when the entry last changed.
func (e *FeedEntry) Updated() time.Time {
	u := e.CreatedAt
	if e.EditedAt != nil && e.EditedAt.After(u) {
		u = *e.EditedAt
	}
	if e.DeletedAt != nil && e.DeletedAt.After(u) {
		u = *e.DeletedAt
	}
	return u
}

// Author is the author's display name, or "" for a removed account.
func (e *FeedEntry) Author() string {
	if e.AuthorName == nil {
		return ""
	}
	return *e.AuthorName
}

const feedCols = `t.id AS topic_id, p.id AS post_id, p.seq, t.title, t.category_id, c.name AS category_name,
	a.display_name AS author_name, CASE WHEN p.hidden_at IS NULL THEN p.body_html ELSE '' END AS body_html, p.created_at, p.edited_at, p.deleted_at`

// FeedTopics lists the newest topics (of one category when categoryID >
// 0), newest first, each with its first post: the entries of the latest
// and category feeds.
func (s *Store) FeedTopics(ctx context.Context, viewer *Member, categoryID int64) ([]FeedEntry, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	q := `SELECT ` + feedCols + ` FROM topics t JOIN categories c ON c.id = t.category_id
		JOIN posts p ON p.id = t.first_post_id LEFT JOIN members a ON a.id = p.author_id`
	var args []any
	if categoryID > 0 {
		q += ` WHERE t.category_id = ?`
		args = append(args, categoryID)
	}
	q += ` ORDER BY t.created_at DESC, t.id DESC LIMIT ?`
	args = append(args, FeedLimit)
	var es []FeedEntry
	if err := s.DB.SelectContext(ctx, &es, q, args...); err != nil {
		return nil, fmt.Errorf("feed topics: %w", err)
	}
	return es, nil
}

// FeedPosts lists a topic's newest posts, newest first, leaving out
// deleted ones: the entries of a topic's feed.
func (s *Store) FeedPosts(ctx context.Context, viewer *Member, topicID int64) (*Topic, []FeedEntry, error) {
	t, err := s.Topic(ctx, viewer, topicID)
	if err != nil {
		return nil, nil, err
	}
	var es []FeedEntry
	err = s.DB.SelectContext(ctx, &es, `SELECT `+feedCols+` FROM posts p JOIN topics t ON t.id = p.topic_id
		JOIN categories c ON c.id = t.category_id LEFT JOIN members a ON a.id = p.author_id
		WHERE p.topic_id = ? AND p.deleted_at IS NULL ORDER BY p.seq DESC LIMIT ?`, topicID, FeedLimit)
	if err != nil {
		return nil, nil, fmt.Errorf("feed posts: %w", err)
	}
	return t, es, nil
}
