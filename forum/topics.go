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

	"kliv/forum/links"
	"kliv/forum/markdown"
	"kliv/forum/pnr"
)

// Topic kinds.
const (
	KindDiscussion = "discussion"
	KindQuestion   = "question"
	KindTip        = "tip"
	KindLink       = "link"
	KindEvent      = "event"
)

// Kinds are the kinds a member picks when starting a topic (events are
// made through the events form).
var Kinds = []string{KindDiscussion, KindQuestion, KindTip, KindLink}

// PageSize is how many posts a topic page shows.
const PageSize = 30

// Topic is a thread with its list facts.
type Topic struct {
	ID             int64      `db:"id"`
	CategoryID     int64      `db:"category_id"`
	CategorySlug   string     `db:"category_slug"`
	CategoryName   string     `db:"category_name"`
	CategoryClosed bool       `db:"category_archived"`
	AuthorID       *int64     `db:"author_id"`
	AuthorUsername *string    `db:"author_username"`
	AuthorName     *string    `db:"author_name"`
	Kind           string     `db:"kind"`
	Title          string     `db:"title"`
	URL            *string    `db:"url"`
	FirstPostID    *int64     `db:"first_post_id"`
	AnswerPostID   *int64     `db:"answer_post_id"`
	PostCount      int        `db:"post_count"`
	ThanksCount    int        `db:"thanks_count"`
	LockedAt       *time.Time `db:"locked_at"`
	Pinned         bool       `db:"pinned"`
	PinnedHome     bool       `db:"pinned_home"`
	ClosedAt       *time.Time `db:"closed_at"`
	CreatedAt      time.Time  `db:"created_at"`
	LastPostAt     time.Time  `db:"last_post_at"`
	LastPostID     *int64     `db:"last_post_id"`
	LastPoster     *string    `db:"last_poster"`
	LastPosterName *string    `db:"last_poster_name"`
}

const topicCols = `t.id, t.category_id, c.slug AS category_slug, c.name AS category_name,
	(c.archived_at IS NOT NULL) AS category_archived, t.author_id, a.username AS author_username, a.display_name AS author_name,
	t.kind, t.title, t.url, t.first_post_id, t.answer_post_id, t.post_count, t.thanks_count, t.locked_at, t.pinned,
	t.pinned_home, t.closed_at, t.created_at, t.last_post_at, t.last_post_id, lp.username AS last_poster, lp.display_name AS last_poster_name`

const topicFrom = ` FROM topics t JOIN categories c ON c.id = t.category_id
	LEFT JOIN members a ON a.id = t.author_id LEFT JOIN members lp ON lp.id = t.last_poster_id`

// ReplyCount is the number of replies (posts after the first).
func (t *Topic) ReplyCount() int { return max(0, t.PostCount-1) }

// Path is the topic page's path.
func (t *Topic) Path() string { return "/t/" + strconv.FormatInt(t.ID, 10) }

// Pages is the number of pages of posts.
func (t *Topic) Pages() int { return max(1, (t.PostCount+PageSize-1)/PageSize) }

// Locked reports whether the topic takes no new posts.
func (t *Topic) Locked() bool { return t.LockedAt != nil || t.CategoryClosed }

// Domain is the link's host, shown beside a link topic.
func (t *Topic) Domain() string {
	if t.URL == nil {
		return ""
	}
	return links.Domain(*t.URL)
}

// Author returns the author's display name, or "" when the account is gone.
func (t *Topic) Author() string {
	if t.AuthorName == nil {
		return ""
	}
	return *t.AuthorName
}

// NewTopic is what starting a topic takes.
type NewTopic struct {
	CategoryID int64
	Kind       string
	Title      string
	Body       string
	URL        string
	// AnyDuplicate posts a link topic even when the link was shared
	// before; without it the form stops and says where.
	AnyDuplicate bool
	// AnyPersonalNumber posts even when the text seems to hold a
	// personal identity number; without it the form stops and warns.
	AnyPersonalNumber bool
	// HideRole leaves her role line off the first post.
	HideRole bool
}

// ErrPersonalNumber stops a post whose text seems to hold a Swedish
// personal identity number (forum/pnr) until its author confirms it.
var ErrPersonalNumber error = &UserError{Kind: ErrConflict, Msg: Msg("moderation.pnr.found")}

// DuplicateLinkError says a link was shared before, and where.
type DuplicateLinkError struct {
	Topics []Topic
}

// Error implements error.
func (e *DuplicateLinkError) Error() string { return "link shared before" }

// Is makes errors.Is(err, ErrConflict) true.
func (e *DuplicateLinkError) Is(target error) bool { return target == ErrConflict }

// checkBody validates a post body and renders it. Markdown too complex
// to render in bounds is a field error; a renderer too busy to take it
// (markdown.ErrBusy) is returned as an error, since trying again helps.
func (s *Store) checkBody(v *ValidationError, body string) (string, string, error) {
	body = CheckMarkdown(v, "body", body, 1, MaxBodyLen)
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

// MaxBodyLen is the longest post in characters.
const MaxBodyLen = 50000

// canPost checks that actor may post in the topic's place.
func canPost(actor *Member) error {
	if !actor.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	return nil
}

// CreateTopic starts a topic with its first post, in one transaction.
func (s *Store) CreateTopic(ctx context.Context, actor *Member, n NewTopic) (*Topic, *Post, error) {
	if err := canPost(actor); err != nil {
		return nil, nil, err
	}
	v := &ValidationError{}
	n.Title = CheckText(v, "title", n.Title, 1, 200, false)
	if n.Kind == "" {
		n.Kind = KindDiscussion
	}
	valid := false
	for _, k := range Kinds {
		valid = valid || k == n.Kind
	}
	if !valid {
		v.Add("kind", "error.field.choice")
	}
	var url any
	if n.Kind == KindLink {
		u, err := links.Normalize(n.URL)
		if strings.TrimSpace(n.URL) == "" {
			v.Add("url", "error.field.required")
		} else if err != nil {
			v.Add("url", "error.url.format")
		} else {
			url = u
		}
	} else if strings.TrimSpace(n.URL) != "" {
		// A URL on another kind is kept only if it is a valid link.
		if u, err := links.Normalize(n.URL); err == nil {
			url = u
		} else {
			v.Add("url", "error.url.format")
		}
	}
	var cat *Category
	if n.CategoryID <= 0 {
		v.Add("category_id", "error.field.required")
	} else {
		c, err := s.Category(ctx, n.CategoryID)
		if errors.Is(err, ErrNotFound) {
			v.Add("category_id", "error.category.missing")
		} else if err != nil {
			return nil, nil, err
		}
		cat = c
	}
	body, html, err := s.checkBody(v, n.Body)
	if err != nil {
		return nil, nil, err
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	if cat.Archived() {
		return nil, nil, Refuse(ErrForbidden, "error.category.archived")
	}
	if !n.AnyPersonalNumber && pnr.Contains(body) {
		return nil, nil, ErrPersonalNumber
	}
	if u, ok := url.(string); ok && n.Kind == KindLink && !n.AnyDuplicate {
		dups, err := s.LinkTopics(ctx, u)
		if err != nil {
			return nil, nil, err
		}
		if len(dups) > 0 {
			return nil, nil, &DuplicateLinkError{Topics: dups}
		}
	}
	var topic *Topic
	var post *Post
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		now := s.now()
		tid, err := InsertID(ctx, tx, `INSERT INTO topics (category_id, author_id, kind, title, url, post_count, created_at, last_post_at, last_poster_id)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`, cat.ID, actor.ID, n.Kind, n.Title, url, now, now, actor.ID)
		if err != nil {
			return err
		}
		pid, err := s.insertPost(ctx, tx, tid, actor.ID, nil, body, html, now)
		if err != nil {
			return err
		}
		if err := setHideRole(ctx, tx, pid, n.HideRole); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET first_post_id = ? WHERE id = ?`, pid, tid); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE categories SET topic_count = topic_count + 1 WHERE id = ?`, cat.ID); err != nil {
			return err
		}
		if topic, err = s.topicWhere(ctx, tx, "t.id = ?", tid); err != nil {
			return err
		}
		if post, err = s.postWhere(ctx, tx, "p.id = ?", pid); err != nil {
			return err
		}
		return s.afterPost(ctx, tx, actor, topic, post)
	})
	if err != nil {
		return nil, nil, err
	}
	return topic, post, nil
}

// insertPost appends a post to a topic and keeps the counters: the
// topic's post count gives the post its sequence number, which never
// changes, so a post's page never moves.
func (s *Store) insertPost(ctx context.Context, tx sqlx.ExtContext, topicID, authorID int64, replyTo *int64, body, html string, now time.Time) (int64, error) {
	var seq int
	if err := sqlx.GetContext(ctx, tx, &seq, `UPDATE topics SET post_count = post_count + 1, last_post_at = ?, last_poster_id = ?
		WHERE id = ? RETURNING post_count`, now, authorID, topicID); err != nil {
		return 0, fmt.Errorf("insert post: %w", translate(err))
	}
	pid, err := InsertID(ctx, tx, `INSERT INTO posts (topic_id, seq, author_id, reply_to, body, body_html, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, topicID, seq, authorID, replyTo, body, html, now)
	if err != nil {
		return 0, fmt.Errorf("insert post: %w", translate(err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE topics SET last_post_id = ? WHERE id = ?`, pid, topicID); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE categories SET post_count = post_count + 1 WHERE id = (SELECT category_id FROM topics WHERE id = ?)`, topicID); err != nil {
		return 0, err
	}
	if replyTo != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET reply_count = reply_count + 1 WHERE id = ?`, *replyTo); err != nil {
			return 0, err
		}
	}
	return pid, nil
}

func (s *Store) topicWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (*Topic, error) {
	ts, err := queryTopics(ctx, q, `SELECT `+topicCols+topicFrom+` WHERE `+where, args...)
	if err == nil && len(ts) == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, fmt.Errorf("topic: %w", translate(err))
	}
	return &ts[0], nil
}

// queryTopics runs a query of topicCols. Every page reads topics, the
// lists thirty at a time, so they are scanned into typed holders here
// rather than through sqlx's reflection (see postRow).
func queryTopics(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]Topic, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []Topic
	var r topicRow
	dest := r.dest()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if ts == nil {
			ts = make([]Topic, 0, 8)
		}
		ts = append(ts, Topic{})
		r.fill(&ts[len(ts)-1])
	}
	return ts, rows.Err()
}

// topicRow is one row of topicCols as queryTopics scans it.
type topicRow struct {
	id, categoryID, authorID, firstPostID, answerPostID intCol
	postCount, thanks, lastPostID                       intCol
	slug, name, kind, title                             string
	archived, pinned, pinnedHome                        bool
	username, authorName, url, lastPoster, lastName     sql.NullString
	locked, closed                                      sql.NullTime
	created, lastPostAt                                 time.Time
}

// dest lists the holders in the order of topicCols.
func (r *topicRow) dest() []any {
	return []any{&r.id, &r.categoryID, &r.slug, &r.name, &r.archived, &r.authorID, &r.username, &r.authorName,
		&r.kind, &r.title, &r.url, &r.firstPostID, &r.answerPostID, &r.postCount, &r.thanks, &r.locked, &r.pinned,
		&r.pinnedHome, &r.closed, &r.created, &r.lastPostAt, &r.lastPostID, &r.lastPoster, &r.lastName}
}

// topicOptionals holds the nullable values of one scanned topic, so that
// its pointers cost one allocation.
type topicOptionals struct {
	authorID, firstPostID, answerPostID, lastPostID int64
	username, authorName, url, lastPoster, lastName string
	locked, closed                                  time.Time
}

// fill sets t from the row.
func (r *topicRow) fill(t *Topic) {
	*t = Topic{ID: r.id.v, CategoryID: r.categoryID.v, CategorySlug: r.slug, CategoryName: r.name, CategoryClosed: r.archived,
		Kind: r.kind, Title: r.title, PostCount: int(r.postCount.v), ThanksCount: int(r.thanks.v), Pinned: r.pinned,
		PinnedHome: r.pinnedHome, CreatedAt: r.created, LastPostAt: r.lastPostAt}
	o := &topicOptionals{}
	if r.authorID.valid {
		o.authorID, t.AuthorID = r.authorID.v, &o.authorID
	}
	if r.username.Valid {
		o.username, t.AuthorUsername = r.username.String, &o.username
	}
	if r.authorName.Valid {
		o.authorName, t.AuthorName = r.authorName.String, &o.authorName
	}
	if r.url.Valid {
		o.url, t.URL = r.url.String, &o.url
	}
	if r.firstPostID.valid {
		o.firstPostID, t.FirstPostID = r.firstPostID.v, &o.firstPostID
	}
	if r.answerPostID.valid {
		o.answerPostID, t.AnswerPostID = r.answerPostID.v, &o.answerPostID
	}
	if r.locked.Valid {
		o.locked, t.LockedAt = r.locked.Time, &o.locked
	}
	if r.closed.Valid {
		o.closed, t.ClosedAt = r.closed.Time, &o.closed
	}
	if r.lastPostID.valid {
		o.lastPostID, t.LastPostID = r.lastPostID.v, &o.lastPostID
	}
	if r.lastPoster.Valid {
		o.lastPoster, t.LastPoster = r.lastPoster.String, &o.lastPoster
	}
	if r.lastName.Valid {
		o.lastName, t.LastPosterName = r.lastName.String, &o.lastName
	}
}

// Topic returns one topic for a reader.
func (s *Store) Topic(ctx context.Context, viewer *Member, id int64) (*Topic, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	return s.topicWhere(ctx, s.DB, "t.id = ?", id)
}

// LinkTopics lists the topics that shared a normalised link.
func (s *Store) LinkTopics(ctx context.Context, url string) ([]Topic, error) {
	return queryTopics(ctx, s.DB, `SELECT `+topicCols+topicFrom+` WHERE t.url = ? ORDER BY t.id LIMIT 5`, url)
}

// TopicFilter narrows a topic list.
type TopicFilter struct {
	CategoryID int64
	Kind       string
	AuthorID   int64
	// PinnedFirst starts the first page with the list's pinned topics
	// (a category's, or the home page's when CategoryID is 0) and leaves
	// them out of the rest of the list (topictools.go).
	PinnedFirst bool
	// Cursor continues a list where the last page ended (from NextCursor).
	Cursor string
	Limit  int
}

// Topics lists topics by last activity, newest first. The cursor is the
// last row's (last activity, id), so new posts never shift a page under
// the reader: a list walked with cursors shows each topic once.
func (s *Store) Topics(ctx context.Context, viewer *Member, f TopicFilter) ([]Topic, string, error) {
	if !viewer.IsMember() {
		return nil, "", Refuse(ErrForbidden, "error.not_member")
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 30
	}
	var where []string
	var args []any
	if f.CategoryID > 0 {
		where = append(where, "t.category_id = ?")
		args = append(args, f.CategoryID)
	}
	if f.Kind != "" {
		where = append(where, "t.kind = ?")
		args = append(args, f.Kind)
	}
	if f.AuthorID > 0 {
		where = append(where, "t.author_id = ?")
		args = append(args, f.AuthorID)
	}
	if f.Cursor != "" {
		at, id, err := parseCursor(f.Cursor)
		if err != nil {
			return nil, "", Invalid("page", "error.page.invalid")
		}
		where = append(where, "(t.last_post_at, t.id) < (?, ?)")
		args = append(args, at, id)
	}
	q := `SELECT ` + topicCols + topicFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY t.last_post_at DESC, t.id DESC LIMIT ?"
	args = append(args, f.Limit+1)
	ts, err := queryTopics(ctx, s.DB, q, args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ts) > f.Limit {
		ts = ts[:f.Limit]
		last := ts[len(ts)-1]
		next = makeCursor(last.LastPostAt, last.ID)
	}
	if f.PinnedFirst && f.AuthorID == 0 {
		if ts, err = s.withPinnedFirst(ctx, ts, f); err != nil {
			return nil, "", err
		}
	}
	return ts, next, nil
}

// makeCursor encodes a keyset position as "<unix nano>-<id>". It keeps
// the stored time to the nanosecond: a rounded time would repeat or skip
// the rows that share its microsecond.
func makeCursor(t time.Time, id int64) string {
	return strconv.FormatInt(t.UnixNano(), 10) + "-" + strconv.FormatInt(id, 10)
}

func parseCursor(s string) (time.Time, int64, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return time.Time{}, 0, ErrInvalid
	}
	ns, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || ns < 0 || id < 0 {
		return time.Time{}, 0, ErrInvalid
	}
	return time.Unix(0, ns).UTC(), id, nil
}

// SetLocked locks or unlocks a topic; moderators only.
func (s *Store) SetLocked(ctx context.Context, actor *Member, topicID int64, locked bool) error {
	if !actor.IsModerator() {
		return Refuse(ErrForbidden, "error.moderator_only")
	}
	var at any
	action := "topic.unlock"
	if locked {
		at = s.now()
		action = "topic.lock"
	}
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE topics SET locked_at = ? WHERE id = ?`, at, topicID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: action, TargetType: "topic", TargetID: topicID})
	})
}

// AnswerableBy reports whether m may mark a reply as the answer: the
// question's author or a moderator (the rule MarkAnswer applies).
func (t *Topic) AnswerableBy(m *Member) bool {
	return m.IsModerator() || (m.IsMember() && t.AuthorID != nil && *t.AuthorID == m.ID)
}

// MarkAnswer marks a reply as the answer of a question (postID 0 clears
// it); the question's author or a moderator.
func (s *Store) MarkAnswer(ctx context.Context, actor *Member, topicID, postID int64) error {
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		t, err := s.topicWhere(ctx, tx, "t.id = ?", topicID)
		if err != nil {
			return err
		}
		if !t.AnswerableBy(actor) {
			return Refuse(ErrForbidden, "error.answer.not_yours")
		}
		if t.Kind != KindQuestion {
			return Refuse(ErrConflict, "error.answer.not_question")
		}
		// A moderator choosing another's answer acts as a moderator.
		if t.AuthorID == nil || *t.AuthorID != actor.ID {
			action := "topic.answer"
			if postID == 0 {
				action = "topic.unanswer"
			}
			if err := s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: action, TargetType: "topic", TargetID: topicID,
				Detail: fmt.Sprintf("post %d", postID)}); err != nil {
				return err
			}
		}
		if postID == 0 {
			_, err := tx.ExecContext(ctx, `UPDATE topics SET answer_post_id = NULL WHERE id = ?`, topicID)
			return err
		}
		p, err := s.postWhere(ctx, tx, "p.id = ?", postID)
		if err != nil {
			return err
		}
		if p.TopicID != topicID || p.Seq == 1 || p.DeletedAt != nil {
			return Invalid("post_id", "error.answer.bad_post")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET answer_post_id = ? WHERE id = ?`, postID, topicID); err != nil {
			return err
		}
		return s.afterAnswer(ctx, tx, actor, t, p)
	})
}
