package forum

import (
	"context"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// Follow levels of a topic or a category. No row is the default: a topic
// tells her only what concerns her personally (replies to her, mentions);
// a category tells her nothing.
const (
	// FollowWatching: every new post of a topic, every new topic of a
	// category ("Bevaka").
	FollowWatching = "watching"
	// FollowMuted: a muted topic tells her nothing at all; in a muted
	// category nothing about new topics, and her posts there do not
	// follow their topics automatically.
	FollowMuted = "muted"
	// FollowNone removes the setting.
	FollowNone = ""
)

func checkLevel(level string) error {
	switch level {
	case FollowWatching, FollowMuted, FollowNone:
		return nil
	}
	return Invalid("level", "error.field.choice")
}

// SetTopicFollow follows (watching), mutes or, with FollowNone, resets a
// topic for a member.
func (s *Store) SetTopicFollow(ctx context.Context, m *Member, topicID int64, level string) error {
	if !m.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	if err := checkLevel(level); err != nil {
		return err
	}
	if ok, err := s.canRead(ctx, s.DB, m.ID, topicID); err != nil {
		return err
	} else if !ok {
		return ErrNotFound
	}
	if level == FollowNone {
		_, err := s.DB.ExecContext(ctx, `DELETE FROM topic_follows WHERE member_id = ? AND topic_id = ?`, m.ID, topicID)
		return err
	}
	_, err := s.DB.ExecContext(ctx, `INSERT INTO topic_follows (member_id, topic_id, level, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (member_id, topic_id) DO UPDATE SET level = excluded.level`, m.ID, topicID, level, s.now())
	return err
}

// TopicFollow returns her level for a topic (FollowNone when unset).
func (s *Store) TopicFollow(ctx context.Context, memberID, topicID int64) (string, error) {
	var levels []string
	err := s.DB.SelectContext(ctx, &levels, `SELECT level FROM topic_follows WHERE member_id = ? AND topic_id = ?`, memberID, topicID)
	if err != nil || len(levels) == 0 {
		return FollowNone, err
	}
	return levels[0], nil
}

// TopicFollows returns her levels for a page of topics; unset ones are
// absent.
func (s *Store) TopicFollows(ctx context.Context, memberID int64, topicIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(topicIDs) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT topic_id, level FROM topic_follows WHERE member_id = ? AND topic_id IN (?)`, memberID, topicIDs)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		TopicID int64  `db:"topic_id"`
		Level   string `db:"level"`
	}
	if err := s.DB.SelectContext(ctx, &rows, s.DB.Rebind(q), args...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.TopicID] = r.Level
	}
	return out, nil
}

// SetCategoryFollow follows (watching), mutes or resets a category.
func (s *Store) SetCategoryFollow(ctx context.Context, m *Member, categoryID int64, level string) error {
	if !m.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	if err := checkLevel(level); err != nil {
		return err
	}
	if _, err := s.Category(ctx, categoryID); err != nil {
		return err
	}
	if level == FollowNone {
		_, err := s.DB.ExecContext(ctx, `DELETE FROM category_follows WHERE member_id = ? AND category_id = ?`, m.ID, categoryID)
		return err
	}
	_, err := s.DB.ExecContext(ctx, `INSERT INTO category_follows (member_id, category_id, level, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (member_id, category_id) DO UPDATE SET level = excluded.level`, m.ID, categoryID, level, s.now())
	return err
}

// CategoryFollows returns her levels per category; unset ones are absent.
func (s *Store) CategoryFollows(ctx context.Context, memberID int64) (map[int64]string, error) {
	var rows []struct {
		CategoryID int64  `db:"category_id"`
		Level      string `db:"level"`
	}
	if err := s.DB.SelectContext(ctx, &rows, `SELECT category_id, level FROM category_follows WHERE member_id = ?`, memberID); err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.CategoryID] = r.Level
	}
	return out, nil
}

// FollowedTopics lists the topics she watches, latest activity first;
// the cursor works as in Topics.
func (s *Store) FollowedTopics(ctx context.Context, m *Member, cursor string, limit int) ([]Topic, string, error) {
	if !m.IsMember() {
		return nil, "", Refuse(ErrForbidden, "error.not_member")
	}
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	q := `SELECT ` + topicCols + topicFrom + ` JOIN topic_follows f ON f.topic_id = t.id AND f.member_id = ? AND f.level = 'watching'`
	args := []any{m.ID}
	if cursor != "" {
		at, id, err := parseCursor(cursor)
		if err != nil {
			return nil, "", Invalid("page", "error.page.invalid")
		}
		q += ` WHERE (t.last_post_at, t.id) < (?, ?)`
		args = append(args, at, id)
	}
	q += ` ORDER BY t.last_post_at DESC, t.id DESC LIMIT ?`
	args = append(args, limit+1)
	var ts []Topic
	if err := s.DB.SelectContext(ctx, &ts, q, args...); err != nil {
		return nil, "", err
	}
	next := ""
	if len(ts) > limit {
		ts = ts[:limit]
		last := ts[len(ts)-1]
		next = makeCursor(last.LastPostAt, last.ID)
	}
	return ts, next, nil
}

// AutoFollow reports whether starting or replying to a topic follows it
// for her (the default).
func (s *Store) AutoFollow(ctx context.Context, memberID int64) (bool, error) {
	var on bool
	err := s.DB.GetContext(ctx, &on, `SELECT auto_follow FROM members WHERE id = ?`, memberID)
	if err != nil {
		return false, translate(err)
	}
	return on, nil
}

// SetAutoFollow turns automatic following on or off.
func (s *Store) SetAutoFollow(ctx context.Context, m *Member, on bool) error {
	if !m.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	_, err := s.DB.ExecContext(ctx, `UPDATE members SET auto_follow = ? WHERE id = ?`, on, m.ID)
	return err
}

// autoFollow follows a topic she posted in, unless she turned that off,
// set the topic to something already (muted stays muted), or muted its
// category.
func (s *Store) autoFollow(ctx context.Context, tx *sqlx.Tx, memberID int64, t *Topic, now time.Time) error {
	// Two plain statements: an INSERT … SELECT with an upsert clause
	// cost SQLite twenty times the work of these.
	var follow bool
	if err := tx.GetContext(ctx, &follow, `SELECT m.auto_follow = TRUE
		AND NOT EXISTS (SELECT 1 FROM category_follows cf WHERE cf.member_id = m.id AND cf.category_id = ? AND cf.level = 'muted')
		FROM members m WHERE m.id = ?`, t.CategoryID, memberID); err != nil || !follow {
		return translateMissing(err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO topic_follows (member_id, topic_id, level, created_at) VALUES (?, ?, 'watching', ?)
		ON CONFLICT (member_id, topic_id) DO NOTHING`, memberID, t.ID, now)
	return err
}

// translateMissing treats a missing row as nothing to do.
func translateMissing(err error) error {
	if errors.Is(translate(err), ErrNotFound) {
		return nil
	}
	return err
}
