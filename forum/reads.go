package forum

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Unread is how much of a topic a member has not read.
//
// The rule: once she has opened a topic, what she has not read is the
// posts after the last one she saw (post_count − last_read_seq). A topic
// she never opened is New, all its posts unread, when its last activity
// is after the latest of her "read marks": her approval, her "mark all
// as read" and the topic category's "mark all as read". Anything whose
// last activity is before those marks counts as read.
type Unread struct {
	// Count is the number of unread posts; 0 means read.
	Count int
	// New reports a topic she has never opened.
	New bool
	// FirstUnreadSeq is the sequence number of the first unread post.
	FirstUnreadSeq int
}

// Link is where a topic list sends her: the first unread post on its
// page, or the topic's first page when all is read.
func (u Unread) Link(topicID int64) string {
	if u.Count == 0 || u.FirstUnreadSeq <= 1 {
		return "/t/" + strconv.FormatInt(topicID, 10)
	}
	return PostPath(topicID, u.FirstUnreadSeq)
}

// unreadRow is what the Unread query reads per topic.
type unreadRow struct {
	TopicID     int64      `db:"id"`
	PostCount   int        `db:"post_count"`
	LastPostAt  time.Time  `db:"last_post_at"`
	LastReadSeq *int       `db:"last_read_seq"`
	ApprovedAt  *time.Time `db:"approved_at"`
	ReadAllAt   *time.Time `db:"read_all_at"`
	CategoryAt  *time.Time `db:"category_read_at"`
}

func (r *unreadRow) unread() Unread {
	mark := time.Time{}
	for _, t := range []*time.Time{r.ApprovedAt, r.ReadAllAt, r.CategoryAt} {
		if t != nil && t.After(mark) {
			mark = *t
		}
	}
	if !r.LastPostAt.After(mark) || r.PostCount == 0 {
		return Unread{}
	}
	if r.LastReadSeq == nil {
		return Unread{Count: r.PostCount, New: true, FirstUnreadSeq: 1}
	}
	if n := r.PostCount - *r.LastReadSeq; n > 0 {
		return Unread{Count: n, FirstUnreadSeq: *r.LastReadSeq + 1}
	}
	return Unread{}
}

// Unread returns, for a page of topics, those a member has not fully
// read, in one query over primary keys. Read topics are absent from the
// map (their zero Unread says so).
func (s *Store) Unread(ctx context.Context, memberID int64, topicIDs []int64) (map[int64]Unread, error) {
	out := make(map[int64]Unread, len(topicIDs))
	if len(topicIDs) == 0 || memberID <= 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT t.id, t.post_count, t.last_post_at, r.last_read_seq,
		m.approved_at, m.read_all_at, cr.read_all_at AS category_read_at
		FROM topics t
		JOIN members m ON m.id = ?
		LEFT JOIN topic_reads r ON r.member_id = m.id AND r.topic_id = t.id
		LEFT JOIN category_reads cr ON cr.member_id = m.id AND cr.category_id = t.category_id
		WHERE t.id IN (?)`, memberID, topicIDs)
	if err != nil {
		return nil, err
	}
	var rows []unreadRow
	if err := s.DB.SelectContext(ctx, &rows, s.DB.Rebind(q), args...); err != nil {
		return nil, err
	}
	for i := range rows {
		if u := rows[i].unread(); u.Count > 0 {
			out[rows[i].TopicID] = u
		}
	}
	return out, nil
}

// UnreadTopics is Unread for a list of topics just read: it takes their
// post counts and last activity from ts rather than reading the topics
// again, so it reads only her read marks, in two queries over primary
// keys, and few timestamps.
func (s *Store) UnreadTopics(ctx context.Context, memberID int64, ts []Topic) (map[int64]Unread, error) {
	out := make(map[int64]Unread, len(ts))
	if len(ts) == 0 || memberID <= 0 {
		return out, nil
	}
	// Her read-all marks: her own (category 0) and per category.
	rows, err := s.DB.QueryContext(ctx, `SELECT 0, approved_at, read_all_at FROM members WHERE id = ?
		UNION ALL SELECT category_id, read_all_at, NULL FROM category_reads WHERE member_id = ?`, memberID, memberID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var member unreadRow
	categories := map[int64]*time.Time{}
	found := false
	for rows.Next() {
		var cat intCol
		var a, b sql.NullTime
		if err := rows.Scan(&cat, &a, &b); err != nil {
			return nil, err
		}
		if cat.v == 0 {
			found = true
			if a.Valid {
				member.ApprovedAt = &a.Time
			}
			if b.Valid {
				member.ReadAllAt = &b.Time
			}
		} else if a.Valid {
			categories[cat.v] = &a.Time
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !found {
		return out, nil // as Unread: no such member, nothing unread
	}
	ids := make([]int64, len(ts))
	for i := range ts {
		ids[i] = ts[i].ID
	}
	q, args, err := sqlx.In(`SELECT topic_id, last_read_seq FROM topic_reads WHERE member_id = ? AND topic_id IN (?)`, memberID, ids)
	if err != nil {
		return nil, err
	}
	rs, err := s.DB.QueryContext(ctx, s.DB.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	read := make(map[int64]int, len(ts))
	for rs.Next() {
		var id, seq intCol
		if err := rs.Scan(&id, &seq); err != nil {
			return nil, err
		}
		read[id.v] = int(seq.v)
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	for i := range ts {
		t := &ts[i]
		r := unreadRow{TopicID: t.ID, PostCount: t.PostCount, LastPostAt: t.LastPostAt,
			ApprovedAt: member.ApprovedAt, ReadAllAt: member.ReadAllAt, CategoryAt: categories[t.CategoryID]}
		if seq, ok := read[t.ID]; ok {
			r.LastReadSeq = &seq
		}
		if u := r.unread(); u.Count > 0 {
			out[t.ID] = u
		}
	}
	return out, nil
}

// TopicUnread is Unread for one topic.
func (s *Store) TopicUnread(ctx context.Context, memberID, topicID int64) (Unread, error) {
	m, err := s.Unread(ctx, memberID, []int64{topicID})
	return m[topicID], err
}

// TopicReading is a member's reading of one topic, for its page: what
// she has not read, how far she had read and how she follows it.
type TopicReading struct {
	Unread
	// LastReadSeq is the last post she had read (nil: never opened).
	LastReadSeq *int
	// Follow is her level for the topic (FollowNone when unset).
	Follow string
}

// LandingPage is the page of t that opens when she follows the topic's
// plain link: the page of her first unread post, the last page when she
// has read it all (as Discourse does: the newest is what is new to her),
// and the first page of a topic she has never opened.
func (r TopicReading) LandingPage(t *Topic) int {
	switch {
	case r.Count > 0 && r.FirstUnreadSeq > 0:
		return min((r.FirstUnreadSeq-1)/PageSize+1, t.Pages())
	case r.LastReadSeq != nil:
		return t.Pages()
	}
	return 1
}

// TopicReading returns a member's reading of a topic in one query over
// primary keys: Unread for the topic as t has it, her read mark and her
// follow level.
func (s *Store) TopicReading(ctx context.Context, memberID int64, t *Topic) (TopicReading, error) {
	var out TopicReading
	if memberID <= 0 {
		return out, nil
	}
	var row struct {
		unreadRow
		Follow string `db:"level"`
	}
	err := s.DB.GetContext(ctx, &row, `SELECT r.last_read_seq, m.approved_at, m.read_all_at, cr.read_all_at AS category_read_at,
		COALESCE(f.level, '') AS level
		FROM members m
		LEFT JOIN topic_reads r ON r.member_id = m.id AND r.topic_id = ?
		LEFT JOIN category_reads cr ON cr.member_id = m.id AND cr.category_id = ?
		LEFT JOIN topic_follows f ON f.member_id = m.id AND f.topic_id = ?
		WHERE m.id = ?`, t.ID, t.CategoryID, t.ID, memberID)
	if err != nil {
		if errors.Is(translate(err), ErrNotFound) {
			return out, nil
		}
		return out, err
	}
	row.TopicID, row.PostCount, row.LastPostAt = t.ID, t.PostCount, t.LastPostAt
	out.Unread, out.LastReadSeq, out.Follow = row.unread(), row.LastReadSeq, row.Follow
	return out, nil
}

// MarkRead records that a member has read a topic up to the post with
// sequence number uptoSeq. The mark only moves forward, so opening an
// earlier page changes nothing. Her notifications about the posts she
// has now seen are marked read too.
func (s *Store) MarkRead(ctx context.Context, m *Member, topicID int64, uptoSeq int) error {
	if !m.IsMember() || uptoSeq <= 0 {
		return nil
	}
	// Most page views re-read what she has read: a read spares the
	// database a write then.
	var seqs []int
	if err := s.DB.SelectContext(ctx, &seqs, `SELECT last_read_seq FROM topic_reads WHERE member_id = ? AND topic_id = ?`, m.ID, topicID); err != nil {
		return err
	}
	if len(seqs) == 1 && seqs[0] >= uptoSeq {
		return nil
	}
	res, err := s.DB.ExecContext(ctx, `INSERT INTO topic_reads (member_id, topic_id, last_read_seq, read_at)
		SELECT ?, id, `+s.Dialect().Least("?", "post_count")+`, ? FROM topics WHERE id = ?
		ON CONFLICT (member_id, topic_id) DO UPDATE SET last_read_seq = excluded.last_read_seq, read_at = excluded.read_at
		WHERE excluded.last_read_seq > topic_reads.last_read_seq`, m.ID, uptoSeq, s.now(), topicID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return s.readPostNotifications(ctx, m.ID, topicID, uptoSeq)
}

// readOwnPost moves the author's read mark past the post she just wrote,
// when she had read everything before it (or never opened the topic,
// which is the case for a topic she starts), so her own post never shows
// as unread to her.
func (s *Store) readOwnPost(ctx context.Context, tx *sqlx.Tx, memberID int64, p *Post) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO topic_reads (member_id, topic_id, last_read_seq, read_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (member_id, topic_id) DO UPDATE SET last_read_seq = excluded.last_read_seq, read_at = excluded.read_at
		WHERE topic_reads.last_read_seq >= excluded.last_read_seq - 1 AND topic_reads.last_read_seq < excluded.last_read_seq`,
		memberID, p.TopicID, p.Seq, s.now())
	return err
}

// MarkAllRead marks everything read for a member: all topics when
// categoryID is 0, otherwise that category's. Topics with new activity
// afterwards become unread again.
func (s *Store) MarkAllRead(ctx context.Context, m *Member, categoryID int64) error {
	if !m.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	now := s.now()
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if categoryID == 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE members SET read_all_at = ? WHERE id = ?`, now, m.ID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE topic_reads SET read_at = ?,
				last_read_seq = (SELECT post_count FROM topics t WHERE t.id = topic_reads.topic_id)
				WHERE member_id = ?`, now, m.ID)
			return err
		}
		if _, err := s.categoryWhere(ctx, tx, "id = ?", categoryID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO category_reads (member_id, category_id, read_all_at) VALUES (?, ?, ?)
			ON CONFLICT (member_id, category_id) DO UPDATE SET read_all_at = excluded.read_all_at`, m.ID, categoryID, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE topic_reads SET read_at = ?,
			last_read_seq = (SELECT post_count FROM topics t WHERE t.id = topic_reads.topic_id)
			WHERE member_id = ? AND topic_id IN (SELECT id FROM topics WHERE category_id = ?)`, now, m.ID, categoryID)
		return err
	})
}
