package forum

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Moderators' topic tools: pin, close a question, move to another
// category, split replies off into a new topic. Each is one transaction
// with its audit line.

// PinScope is where a topic is pinned: first in its category's list, on
// the home page, or both.
type PinScope struct {
	Category bool
	Home     bool
}

// Closed reports whether the topic is a question closed by a moderator.
func (t *Topic) Closed() bool { return t.ClosedAt != nil }

// moderatedTopic loads a topic in tx for a moderator's action.
func (s *Store) moderatedTopic(ctx context.Context, tx sqlx.QueryerContext, actor *Member, topicID int64) (*Topic, error) {
	if !actor.IsModerator() {
		return nil, Refuse(ErrForbidden, "error.moderator_only")
	}
	return s.topicWhere(ctx, tx, "t.id = ?", topicID)
}

// SetPinned pins a topic where scope says (both false unpins it).
func (s *Store) SetPinned(ctx context.Context, actor *Member, topicID int64, scope PinScope) error {
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		t, err := s.moderatedTopic(ctx, tx, actor, topicID)
		if err != nil {
			return err
		}
		if t.Pinned == scope.Category && t.PinnedHome == scope.Home {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET pinned = ?, pinned_home = ? WHERE id = ?`, scope.Category, scope.Home, topicID); err != nil {
			return err
		}
		action, detail := "topic.unpin", ""
		if scope.Category || scope.Home {
			var where []string
			if scope.Category {
				where = append(where, "category")
			}
			if scope.Home {
				where = append(where, "home")
			}
			action, detail = "topic.pin", strings.Join(where, ", ")
		}
		return s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: action, TargetType: "topic", TargetID: topicID, Detail: detail})
	})
}

// SetClosed closes a question (no new replies, shown as closed) or opens
// it again. Only questions close: other topics are locked.
func (s *Store) SetClosed(ctx context.Context, actor *Member, topicID int64, closed bool) error {
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		t, err := s.moderatedTopic(ctx, tx, actor, topicID)
		if err != nil {
			return err
		}
		if t.Kind != KindQuestion {
			return Refuse(ErrConflict, "admin.topic.close_not_question")
		}
		if t.Closed() == closed {
			return nil
		}
		var at any
		action := "topic.reopen"
		if closed {
			at, action = s.now(), "topic.close"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET closed_at = ? WHERE id = ?`, at, topicID); err != nil {
			return err
		}
		detail := ""
		if closed && t.AnswerPostID == nil {
			detail = "no accepted answer"
		}
		return s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: action, TargetType: "topic", TargetID: topicID, Detail: detail})
	})
}

// targetCategory checks the category a topic goes to: it exists and is
// open.
func (s *Store) targetCategory(ctx context.Context, q sqlx.QueryerContext, id int64) (*Category, error) {
	if id <= 0 {
		return nil, Invalid("category_id", "error.field.required")
	}
	c, err := s.categoryWhere(ctx, q, "id = ?", id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, Invalid("category_id", "error.category.missing")
		}
		return nil, err
	}
	if c.Archived() {
		return nil, Invalid("category_id", "error.category.archived")
	}
	return c, nil
}

// MoveTopic moves a topic and its posts to another category; both
// categories' counters follow. Search filters by the topic's category,
// so it follows at once.
func (s *Store) MoveTopic(ctx context.Context, actor *Member, topicID, categoryID int64) error {
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		t, err := s.moderatedTopic(ctx, tx, actor, topicID)
		if err != nil {
			return err
		}
		to, err := s.targetCategory(ctx, tx, categoryID)
		if err != nil {
			return err
		}
		if to.ID == t.CategoryID {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET category_id = ? WHERE id = ?`, to.ID, topicID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE categories SET topic_count = topic_count - 1, post_count = post_count - ? WHERE id = ?`,
			t.PostCount, t.CategoryID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE categories SET topic_count = topic_count + 1, post_count = post_count + ? WHERE id = ?`,
			t.PostCount, to.ID); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: "topic.move", TargetType: "topic", TargetID: topicID,
			Detail: t.CategorySlug + " → " + to.Slug})
	})
}

// Split is what splitting replies off a topic takes: the posts (replies,
// not the first post), the new topic's title and category.
type Split struct {
	PostIDs    []int64
	Title      string
	CategoryID int64
}

// MaxSplitPosts is the most posts one split moves.
const MaxSplitPosts = 1000

// splitPost is what a split needs to know of a moved post.
type splitPost struct {
	ID       int64     `db:"id"`
	Seq      int       `db:"seq"`
	AuthorID *int64    `db:"author_id"`
	Thanks   int       `db:"thanks_count"`
	Created  time.Time `db:"created_at"`
}

// SplitTopic moves replies of a topic into a new discussion. The posts
// keep their ids (so /p/{id} links still work), their order and their
// reply-to links (shown as links to the post, wherever it now is); both
// topics are numbered 1… again; counters, read marks (a reader who had
// read a post has read it in either topic), notifications and follows go
// along, and the search index follows through its triggers.
func (s *Store) SplitTopic(ctx context.Context, actor *Member, topicID int64, in Split) (*Topic, error) {
	if !actor.IsModerator() {
		return nil, Refuse(ErrForbidden, "error.moderator_only")
	}
	v := &ValidationError{}
	title := CheckText(v, "title", in.Title, 1, 200, false)
	ids := slices.Clone(in.PostIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	switch {
	case len(ids) == 0:
		v.Add("post_ids", "admin.split.none")
	case len(ids) > MaxSplitPosts:
		v.Add("post_ids", "admin.split.too_many", MaxSplitPosts)
	}
	var created *Topic
	// The split renumbers the read marks: the pending ones first.
	if _, err := s.FlushReads(ctx); err != nil {
		return nil, err
	}
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		old, err := s.topicWhere(ctx, tx, "t.id = ?", topicID)
		if err != nil {
			return err
		}
		to, cerr := s.targetCategory(ctx, tx, in.CategoryID)
		if cerr != nil {
			var ve *ValidationError
			if !errors.As(cerr, &ve) {
				return cerr
			}
			for _, f := range ve.Order {
				v.Add(f, ve.Fields[f].Key, ve.Fields[f].Args...)
			}
		}
		var moved []splitPost
		if len(ids) > 0 && len(ids) <= MaxSplitPosts {
			q, args, err := sqlx.In(`SELECT id, seq, author_id, thanks_count, created_at FROM posts WHERE topic_id = ? AND id IN (?) ORDER BY seq`, topicID, ids)
			if err != nil {
				return err
			}
			if err := sqlx.SelectContext(ctx, tx, &moved, tx.Rebind(q), args...); err != nil {
				return err
			}
			if len(moved) != len(ids) {
				v.Add("post_ids", "admin.split.bad_post")
			} else if moved[0].Seq == 1 {
				v.Add("post_ids", "admin.split.first_post")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		return s.split(ctx, tx, actor, old, to, title, moved, ids, &created)
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// split does SplitTopic's work once everything is checked.
func (s *Store) split(ctx context.Context, tx *sqlx.Tx, actor *Member, old *Topic, to *Category, title string, moved []splitPost, ids []int64, created **Topic) error {
	first, last := moved[0], moved[len(moved)-1]
	newID, err := InsertID(ctx, tx, `INSERT INTO topics (category_id, author_id, kind, title, first_post_id, post_count, thanks_count,
			created_at, last_post_at, last_post_id, last_poster_id)
		VALUES (?, ?, 'discussion', ?, ?, ?, ?, ?, ?, ?, ?)`,
		to.ID, first.AuthorID, title, first.ID, len(moved), first.Thanks, first.Created, last.Created, last.ID, last.AuthorID)
	if err != nil {
		return err
	}
	in, inArgs, err := sqlx.In(`(?)`, ids)
	if err != nil {
		return err
	}
	// Read marks, while the posts still have their old numbers: a
	// reader's mark in each topic becomes the count of its posts she had
	// read.
	if _, err := tx.ExecContext(ctx, `INSERT INTO topic_reads (member_id, topic_id, last_read_seq, read_at)
		SELECT member_id, ?, n, read_at FROM (
			SELECT r.member_id, r.read_at, (SELECT COUNT(*) FROM posts p WHERE p.topic_id = r.topic_id AND p.id IN `+in+`
				AND p.seq <= r.last_read_seq) AS n
			FROM topic_reads r WHERE r.topic_id = ?) AS split_reads WHERE n > 0`, append(append([]any{newID}, inArgs...), old.ID)...); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE topic_reads SET last_read_seq = (SELECT COUNT(*) FROM posts p
			WHERE p.topic_id = topic_reads.topic_id AND p.id NOT IN `+in+` AND p.seq <= topic_reads.last_read_seq)
		WHERE topic_id = ?`, append(inArgs, old.ID)...); err != nil {
		return err
	}
	// The posts, numbered 1… in the new topic, in their order.
	for i, p := range moved {
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET topic_id = ?, seq = ? WHERE id = ?`, newID, i+1, p.ID); err != nil {
			return err
		}
	}
	// Those left behind close the gaps. In order of their numbers, each
	// moves down into a number no other post holds any more.
	var rest []struct {
		ID  int64 `db:"id"`
		Seq int   `db:"seq"`
	}
	if err := tx.SelectContext(ctx, &rest, `SELECT id, seq FROM posts WHERE topic_id = ? AND seq > ? ORDER BY seq`, old.ID, first.Seq); err != nil {
		return err
	}
	for i, p := range rest {
		if want := first.Seq + i; p.Seq != want {
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET seq = ? WHERE id = ?`, want, p.ID); err != nil {
				return err
			}
		}
	}
	// The old topic's counters and last post; its answer, if it went.
	if _, err := tx.ExecContext(ctx, `UPDATE topics SET post_count = post_count - ?,
			last_post_id = (SELECT id FROM posts WHERE topic_id = topics.id ORDER BY seq DESC LIMIT 1),
			last_post_at = (SELECT created_at FROM posts WHERE topic_id = topics.id ORDER BY seq DESC LIMIT 1),
			last_poster_id = (SELECT author_id FROM posts WHERE topic_id = topics.id ORDER BY seq DESC LIMIT 1),
			answer_post_id = CASE WHEN answer_post_id IN `+in+` THEN NULL ELSE answer_post_id END
		WHERE id = ?`, append(append([]any{len(moved)}, inArgs...), old.ID)...); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE categories SET post_count = post_count - ? WHERE id = ?`, len(moved), old.CategoryID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE categories SET topic_count = topic_count + 1, post_count = post_count + ? WHERE id = ?`, len(moved), to.ID); err != nil {
		return err
	}
	// Notifications of the moved posts point at their new topic; who
	// followed the conversation follows both parts.
	if _, err := tx.ExecContext(ctx, `UPDATE notifications SET topic_id = ? WHERE post_id IN `+in, append([]any{newID}, inArgs...)...); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO topic_follows (member_id, topic_id, level, created_at)
		SELECT member_id, ?, level, ? FROM topic_follows WHERE topic_id = ?`, newID, s.now(), old.ID); err != nil {
		return err
	}
	if err := s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: "topic.split", TargetType: "topic", TargetID: old.ID,
		Detail: fmt.Sprintf("%d posts → topic %d", len(moved), newID)}); err != nil {
		return err
	}
	t, err := s.topicWhere(ctx, tx, "t.id = ?", newID)
	if err != nil {
		return err
	}
	*created = t
	return nil
}

// SplitCandidates lists a page of a topic's posts for the split page
// (moderators only), 100 a page.
func (s *Store) SplitCandidates(ctx context.Context, actor *Member, topicID int64, page int) ([]Post, error) {
	if !actor.IsModerator() {
		return nil, Refuse(ErrForbidden, "error.moderator_only")
	}
	if page < 1 {
		page = 1
	}
	lo := (page-1)*SplitPageSize + 1
	var ps []Post
	rows, err := s.DB.QueryContext(ctx, `SELECT `+postCols+postFrom+` WHERE p.topic_id = ? AND p.seq BETWEEN ? AND ? ORDER BY p.seq`,
		topicID, lo, lo+SplitPageSize-1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var r postRow
	dest := r.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		ps = append(ps, Post{})
		r.fill(&ps[len(ps)-1])
	}
	return ps, rows.Err()
}

// SplitPageSize is how many posts a page of the split page lists.
const SplitPageSize = 100

// pinnedTopics lists the pinned topics of a list, newest activity first:
// a category's (categoryID > 0) or the home page's; kind narrows it.
func (s *Store) pinnedTopics(ctx context.Context, categoryID int64, kind string) ([]Topic, error) {
	where, args := "t.pinned_home = TRUE", []any{}
	if categoryID > 0 {
		where, args = "t.category_id = ? AND t.pinned = TRUE", []any{categoryID}
	}
	if kind != "" {
		where += " AND t.kind = ?"
		args = append(args, kind)
	}
	return queryTopics(ctx, s.DB, `SELECT `+topicCols+topicFrom+` WHERE `+where+` ORDER BY t.last_post_at DESC, t.id DESC LIMIT 20`, args...)
}

// withPinnedFirst puts the list's pinned topics before ts on the first
// page and takes them out of ts on every page. The list's own query is
// left as it is (walked on its index to the LIMIT); a page may show a
// few rows less than the limit where pinned ones were taken out.
func (s *Store) withPinnedFirst(ctx context.Context, ts []Topic, f TopicFilter) ([]Topic, error) {
	pinnedHere := func(t *Topic) bool {
		if f.CategoryID > 0 {
			return t.Pinned
		}
		return t.PinnedHome
	}
	out := ts[:0:0]
	if f.Cursor == "" {
		pinned, err := s.pinnedTopics(ctx, f.CategoryID, f.Kind)
		if err != nil {
			return nil, err
		}
		out = append(out, pinned...)
	}
	for i := range ts {
		if !pinnedHere(&ts[i]) {
			out = append(out, ts[i])
		}
	}
	return out, nil
}
