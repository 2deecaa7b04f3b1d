package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"kliv/forum/markdown"
	"kliv/forum/pnr"
)

// Post is one post with what its card shows.
type Post struct {
	ID             int64      `db:"id"`
	TopicID        int64      `db:"topic_id"`
	Seq            int        `db:"seq"`
	AuthorID       *int64     `db:"author_id"`
	AuthorUsername *string    `db:"author_username"`
	AuthorName     *string    `db:"author_name"`
	AuthorTitle    string     `db:"author_title"`
	AuthorWork     string     `db:"author_workplace"`
	AuthorSector   string     `db:"author_sector"`
	AuthorRole     string     `db:"author_role"`
	AuthorAvatar   string     `db:"author_avatar"` // the hash of the avatar she shows, or ""
	ReplyTo        *int64     `db:"reply_to"`
	ReplyToSeq     *int       `db:"reply_to_seq"`
	ReplyToAuthor  *string    `db:"reply_to_author"`
	ReplyToBody    *string    `db:"reply_to_body"`
	ReplyToGone    bool       `db:"reply_to_deleted"`
	Body           string     `db:"body"`
	BodyHTML       string     `db:"body_html"`
	Version        int        `db:"version"`
	ThanksCount    int        `db:"thanks_count"`
	ReplyCount     int        `db:"reply_count"`
	CreatedAt      time.Time  `db:"created_at"`
	EditedAt       *time.Time `db:"edited_at"`
	DeletedAt      *time.Time `db:"deleted_at"`
	DeletedBy      string     `db:"deleted_by"`
	// HiddenAt is set when a moderator hid the post; HiddenReason says
	// why (a stored reason: "preset:<code>" or free text).
	HiddenAt     *time.Time `db:"hidden_at"`
	HiddenReason string     `db:"hidden_reason"`
	// HideRole: the author chose not to show her role line on this post.
	HideRole bool `db:"hide_role"`
}

const postCols = postColsBefore + `p.body` + postColsAfter

// postCardCols are postCols without the Markdown source (an empty body),
// for showing posts: a card shows only their HTML.
const postCardCols = postColsBefore + `'' AS body` + postColsAfter

// postColsBefore shows of the author's role line and avatar only what
// she shows (profiles.go).
const postColsBefore = `p.id, p.topic_id, p.seq, p.author_id, a.username AS author_username, a.display_name AS author_name,
	COALESCE(CASE WHEN a.show_role THEN a.role_title END, '') AS author_title,
	COALESCE(CASE WHEN a.show_workplace THEN a.workplace END, '') AS author_workplace,
	COALESCE(CASE WHEN a.show_sector THEN a.sector END, '') AS author_sector,
	COALESCE(a.role, '') AS author_role,
	COALESCE(CASE WHEN a.show_avatar THEN a.avatar_hash END, '') AS author_avatar,
	p.reply_to, r.seq AS reply_to_seq, ra.display_name AS reply_to_author,
	CASE WHEN r.hidden_at IS NULL THEN r.body END AS reply_to_body,
	(r.deleted_at IS NOT NULL) AS reply_to_deleted,
	`

const postColsAfter = `, p.body_html, p.version, p.thanks_count, p.reply_count, p.created_at, p.edited_at, p.deleted_at, p.deleted_by, p.hidden_at, p.hidden_reason, p.hide_role`

const postFrom = ` FROM posts p LEFT JOIN members a ON a.id = p.author_id
	LEFT JOIN posts r ON r.id = p.reply_to LEFT JOIN members ra ON ra.id = r.author_id`

// Deleted reports whether the post was deleted (it stays as a marker).
func (p *Post) Deleted() bool { return p.DeletedAt != nil }

// Page is the topic page the post is on.
func (p *Post) Page() int { return (p.Seq-1)/PageSize + 1 }

// Anchor is the post's fragment id on its page.
func (p *Post) Anchor() string { return "p" + strconv.FormatInt(p.ID, 10) }

// Path is the post's stable link.
func (p *Post) Path() string { return "/p/" + strconv.FormatInt(p.ID, 10) }

// Author is the author's display name, or "" for a removed account.
func (p *Post) Author() string {
	if p.AuthorName == nil {
		return ""
	}
	return *p.AuthorName
}

// Username is the author's username, or "".
func (p *Post) Username() string {
	if p.AuthorUsername == nil {
		return ""
	}
	return *p.AuthorUsername
}

// AvatarPath is the author's avatar, or "" when she shows none.
func (p *Post) AvatarPath() string {
	if p.AuthorAvatar == "" || p.AuthorUsername == nil {
		return ""
	}
	return "/u/" + *p.AuthorUsername + "/avatar?v=" + p.AuthorAvatar
}

// Initials are the avatar letters of the author.
func (p *Post) Initials() string { return Initials(p.Author()) }

// Initials returns up to two capital letters of a name.
func Initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		out = append(out, []rune(strings.ToUpper(string(r)))...)
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

// ReplyExcerpt is a short quote of the post this one answers.
func (p *Post) ReplyExcerpt() string {
	if p.ReplyToBody == nil || p.ReplyToGone {
		return ""
	}
	return Excerpt(markdown.PlainText(*p.ReplyToBody), 140)
}

// Excerpt cuts text to at most n runes at a word boundary.
func Excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

func (s *Store) postWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (*Post, error) {
	var p Post
	if err := sqlx.GetContext(ctx, q, &p, `SELECT `+postCols+postFrom+` WHERE `+where, args...); err != nil {
		return nil, fmt.Errorf("post: %w", translate(err))
	}
	return &p, nil
}

// Post returns one post for a reader.
func (s *Store) Post(ctx context.Context, viewer *Member, id int64) (*Post, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	return s.postWhere(ctx, s.DB, "p.id = ?", id)
}

// Posts returns page (1-based) of a topic's posts in order. Pages are
// ranges of sequence numbers, which never change.
func (s *Store) Posts(ctx context.Context, viewer *Member, topicID int64, page int) ([]Post, error) {
	return s.posts(ctx, viewer, topicID, page, postCols)
}

// PostCards is Posts without their Markdown source (Body is empty), for
// showing them on the topic page.
func (s *Store) PostCards(ctx context.Context, viewer *Member, topicID int64, page int) ([]Post, error) {
	return s.posts(ctx, viewer, topicID, page, postCardCols)
}

func (s *Store) posts(ctx context.Context, viewer *Member, topicID int64, page int, cols string) ([]Post, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	if page < 1 {
		page = 1
	}
	lo := (page-1)*PageSize + 1
	rows, err := s.DB.QueryContext(ctx, `SELECT `+cols+postFrom+` WHERE p.topic_id = ? AND p.seq BETWEEN ? AND ? ORDER BY p.seq`,
		topicID, lo, lo+PageSize-1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ps := make([]Post, 0, PageSize)
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

// postRow is one row of postCols as Posts scans it. The topic page
// reads thirty posts on every view, and database/sql converts into
// int, *int64 and *string fields by reflection, an allocation a value:
// typed holders (intCol, sql.NullString, sql.NullTime) take the driver's
// values as they are, and fill copies them into a Post.
type postRow struct {
	id, topicID, seq, authorID, replyTo, replyToSeq intCol
	version, thanks, replies                        intCol
	username, name, replyAuthor, replyBody          sql.NullString
	title, work, sector, role, avatar, body, html   string
	by                                              string
	hiddenReason                                    string
	gone, hide                                      bool
	created                                         time.Time
	edited, deleted, hidden                         sql.NullTime
}

// dest lists the holders in the order of postCols.
func (r *postRow) dest() []any {
	return []any{&r.id, &r.topicID, &r.seq, &r.authorID, &r.username, &r.name,
		&r.title, &r.work, &r.sector, &r.role, &r.avatar,
		&r.replyTo, &r.replyToSeq, &r.replyAuthor, &r.replyBody, &r.gone,
		&r.body, &r.html, &r.version, &r.thanks, &r.replies, &r.created, &r.edited, &r.deleted, &r.by,
		&r.hidden, &r.hiddenReason, &r.hide}
}

// postOptionals holds the nullable values of one scanned post, so that
// its pointers cost one allocation.
type postOptionals struct {
	authorID, replyTo                 int64
	replyToSeq                        int
	username, name, replyAuthor, body string
	edited, deleted, hidden           time.Time
}

// fill sets p from the row.
func (r *postRow) fill(p *Post) {
	*p = Post{ID: r.id.v, TopicID: r.topicID.v, Seq: int(r.seq.v),
		AuthorTitle: r.title, AuthorWork: r.work, AuthorSector: r.sector, AuthorRole: r.role, AuthorAvatar: r.avatar,
		ReplyToGone: r.gone, Body: r.body, BodyHTML: r.html, Version: int(r.version.v),
		ThanksCount: int(r.thanks.v), ReplyCount: int(r.replies.v), CreatedAt: r.created, DeletedBy: r.by,
		HiddenReason: r.hiddenReason, HideRole: r.hide}
	o := &postOptionals{}
	if r.authorID.valid {
		o.authorID, p.AuthorID = r.authorID.v, &o.authorID
	}
	if r.username.Valid {
		o.username, p.AuthorUsername = r.username.String, &o.username
	}
	if r.name.Valid {
		o.name, p.AuthorName = r.name.String, &o.name
	}
	if r.replyTo.valid {
		o.replyTo, p.ReplyTo = r.replyTo.v, &o.replyTo
	}
	if r.replyToSeq.valid {
		o.replyToSeq, p.ReplyToSeq = int(r.replyToSeq.v), &o.replyToSeq
	}
	if r.replyAuthor.Valid {
		o.replyAuthor, p.ReplyToAuthor = r.replyAuthor.String, &o.replyAuthor
	}
	if r.replyBody.Valid {
		o.body, p.ReplyToBody = r.replyBody.String, &o.body
	}
	if r.edited.Valid {
		o.edited, p.EditedAt = r.edited.Time, &o.edited
	}
	if r.deleted.Valid {
		o.deleted, p.DeletedAt = r.deleted.Time, &o.deleted
	}
	if r.hidden.Valid {
		o.hidden, p.HiddenAt = r.hidden.Time, &o.hidden
	}
}

// intCol scans an INTEGER column, NULL or not, without reflection.
type intCol struct {
	v     int64
	valid bool
}

// Scan implements sql.Scanner.
func (c *intCol) Scan(src any) error {
	switch x := src.(type) {
	case int64:
		c.v, c.valid = x, true
	case nil:
		c.v, c.valid = 0, false
	default:
		return fmt.Errorf("integer column holds %T", src)
	}
	return nil
}

// RepliesTo lists the posts that answer a post (id, seq and author), for
// "replies" links under it.
func (s *Store) RepliesTo(ctx context.Context, postIDs []int64) (map[int64][]Post, error) {
	out := map[int64][]Post{}
	if len(postIDs) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT p.id, p.topic_id, p.seq, p.reply_to, a.display_name AS author_name FROM posts p
		LEFT JOIN members a ON a.id = p.author_id WHERE p.reply_to IN (?) AND p.deleted_at IS NULL ORDER BY p.seq`, postIDs)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.QueryxContext(ctx, s.DB.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p Post
		if err := rows.Scan(&p.ID, &p.TopicID, &p.Seq, &p.ReplyTo, &p.AuthorName); err != nil {
			return nil, err
		}
		out[*p.ReplyTo] = append(out[*p.ReplyTo], p)
	}
	return out, rows.Err()
}

// NewPost is a reply.
type NewPost struct {
	Body    string
	ReplyTo int64
	// AnyPersonalNumber: post even if the text seems to hold a personal
	// identity number (see NewTopic).
	AnyPersonalNumber bool
	// HideRole leaves her role line off the post.
	HideRole bool
}

// CreatePost adds a reply to a topic.
func (s *Store) CreatePost(ctx context.Context, actor *Member, topicID int64, n NewPost) (*Post, error) {
	if err := canPost(actor); err != nil {
		return nil, err
	}
	t, err := s.topicWhere(ctx, s.DB, "t.id = ?", topicID)
	if err != nil {
		return nil, err
	}
	// A closed place refuses before the text is judged: the answer is
	// the same whatever was typed.
	if t.CategoryClosed {
		return nil, Refuse(ErrForbidden, "error.category.archived")
	}
	if t.LockedAt != nil {
		return nil, Refuse(ErrForbidden, "error.topic.locked")
	}
	if t.ClosedAt != nil {
		return nil, Refuse(ErrForbidden, "admin.topic.closed_refused")
	}
	v := &ValidationError{}
	body, html, err := s.checkBody(v, n.Body)
	if err != nil {
		return nil, err
	}
	var replyTo *int64
	if n.ReplyTo != 0 {
		r, err := s.postWhere(ctx, s.DB, "p.id = ?", n.ReplyTo)
		switch {
		case errors.Is(err, ErrNotFound):
			v.Add("reply_to", "error.reply_to.missing")
		case err != nil:
			return nil, err
		case r.TopicID != topicID:
			v.Add("reply_to", "error.reply_to.other_topic")
		default:
			replyTo = &r.ID
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !n.AnyPersonalNumber && pnr.Contains(body) {
		return nil, ErrPersonalNumber
	}
	var post *Post
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		pid, err := s.insertPost(ctx, tx, topicID, actor.ID, replyTo, body, html, s.now())
		if err != nil {
			return err
		}
		if err := setHideRole(ctx, tx, pid, n.HideRole); err != nil {
			return err
		}
		if post, err = s.postWhere(ctx, tx, "p.id = ?", pid); err != nil {
			return err
		}
		return s.afterPost(ctx, tx, actor, t, post)
	})
	return post, err
}

// canChange checks that actor may edit or delete the post: its author or
// a moderator.
func canChange(actor *Member, p *Post) error {
	if !actor.IsMember() {
		return Refuse(ErrForbidden, "error.not_member")
	}
	if actor.IsModerator() || (p.AuthorID != nil && *p.AuthorID == actor.ID) {
		return nil
	}
	return Refuse(ErrForbidden, "error.post.not_yours")
}

// ByMember reports whether m wrote the post.
func (p *Post) ByMember(m *Member) bool {
	return m != nil && p.AuthorID != nil && *p.AuthorID == m.ID
}

// ChangeableBy reports whether m may edit or delete the post (the rule
// EditPost and DeletePost apply), for showing the actions.
func (p *Post) ChangeableBy(m *Member) bool { return !p.Deleted() && canChange(m, p) == nil }

// ThankableBy reports whether m may give the post a "Tack" (the rule
// Thank applies, apart from having thanked it already).
func (p *Post) ThankableBy(m *Member) bool { return m.IsMember() && !p.Deleted() && !p.ByMember(m) }

// EditPost replaces a post's text. version is the version the editor
// read: when someone saved in between, the edit is refused with
// ErrConflict and nothing is lost. The old text is kept as a revision.
func (s *Store) EditPost(ctx context.Context, actor *Member, postID int64, body string, version int) (*Post, error) {
	return s.EditPostWith(ctx, actor, postID, PostEdit{Body: body, Version: version, AnyPersonalNumber: true})
}

// PostEdit is an edit of a post: the new text, the version it was made
// from, and whether to save it even if it seems to hold a personal
// identity number (the form stops and warns first).
type PostEdit struct {
	Body              string
	Version           int
	AnyPersonalNumber bool
}

// EditPostWith is EditPost with the choices of PostEdit.
func (s *Store) EditPostWith(ctx context.Context, actor *Member, postID int64, e PostEdit) (*Post, error) {
	body, version := e.Body, e.Version
	p, err := s.postWhere(ctx, s.DB, "p.id = ?", postID)
	if err != nil {
		return nil, err
	}
	if err := canChange(actor, p); err != nil {
		return nil, err
	}
	if p.Deleted() {
		return nil, Refuse(ErrConflict, "error.post.deleted")
	}
	if !actor.IsModerator() {
		// A locked topic or archived category is closed to its authors'
		// edits too; moderators may still tidy it.
		t, err := s.topicWhere(ctx, s.DB, "t.id = ?", p.TopicID)
		if err != nil {
			return nil, err
		}
		if t.Locked() {
			return nil, Refuse(ErrForbidden, "error.topic.locked")
		}
	}
	v := &ValidationError{}
	body, html, err := s.checkBody(v, body)
	if err != nil {
		return nil, err
	}
	if version <= 0 {
		v.Add("version", "error.field.required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !e.AnyPersonalNumber && pnr.Contains(body) {
		return nil, ErrPersonalNumber
	}
	var out *Post
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, `INSERT INTO post_revisions (post_id, version, body, body_html, edited_by, created_at)
			SELECT id, version, body, body_html, ?, ? FROM posts WHERE id = ? AND version = ?`, actor.ID, now, postID, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return Refuse(ErrConflict, "error.post.stale")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET body = ?, body_html = ?, version = version + 1, edited_at = ? WHERE id = ? AND version = ?`,
			body, html, now, postID, version); err != nil {
			return err
		}
		if out, err = s.postWhere(ctx, tx, "p.id = ?", postID); err != nil {
			return err
		}
		if err := s.eventDescriptionEdited(ctx, tx, out, html != p.BodyHTML, now); err != nil {
			return err
		}
		if err := s.runPostHooks(ctx, tx, out); err != nil {
			return err
		}
		if !p.ByMember(actor) {
			// A moderator changed someone else's words: that is a
			// moderator action and goes to the log.
			if err := s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: "post.edit", TargetType: "post", TargetID: postID,
				Detail: fmt.Sprintf("version %d", version)}); err != nil {
				return err
			}
		}
		return s.afterEdit(ctx, tx, actor, out)
	})
	return out, err
}

// Revision is an earlier version of an edited post.
type Revision struct {
	Version   int       `db:"version"`
	Body      string    `db:"body"`
	BodyHTML  string    `db:"body_html"`
	EditedBy  *string   `db:"edited_by"`
	CreatedAt time.Time `db:"created_at"`
}

// Revisions lists a post's earlier versions, newest first.
func (s *Store) Revisions(ctx context.Context, viewer *Member, postID int64) ([]Revision, error) {
	p, err := s.Post(ctx, viewer, postID)
	if err != nil {
		return nil, err
	}
	if (p.Deleted() && !viewer.IsModerator()) || p.HiddenFrom(viewer) {
		return nil, nil
	}
	var rs []Revision
	err = s.DB.SelectContext(ctx, &rs, `SELECT r.version, r.body, r.body_html, m.display_name AS edited_by, r.created_at
		FROM post_revisions r LEFT JOIN members m ON m.id = r.edited_by WHERE r.post_id = ? ORDER BY r.version DESC`, postID)
	return rs, err
}

// DeletePost deletes a post: it stays in its place as "deleted by the
// author" (or by a moderator) so replies keep their context, but its
// text and earlier versions are gone.
func (s *Store) DeletePost(ctx context.Context, actor *Member, postID int64) error {
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error { return s.DeletePostIn(ctx, tx, actor, postID) })
}

// DeletePostIn is DeletePost inside tx, for an action that deletes a
// post as part of its own transaction (a moderator's judgement of a
// reported post).
func (s *Store) DeletePostIn(ctx context.Context, tx *sqlx.Tx, actor *Member, postID int64) error {
	p, err := s.postWhere(ctx, tx, "p.id = ?", postID)
	if err != nil {
		return err
	}
	if err := canChange(actor, p); err != nil {
		return err
	}
	if p.Deleted() {
		return nil
	}
	by := "author"
	if p.AuthorID == nil || *p.AuthorID != actor.ID {
		by = "moderator"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE posts SET body = '', body_html = '', deleted_at = ?, deleted_by = ?, version = version + 1
		WHERE id = ?`, s.now(), by, postID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM post_revisions WHERE post_id = ?`, postID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE topics SET answer_post_id = NULL WHERE answer_post_id = ?`, postID); err != nil {
		return err
	}
	if by == "moderator" {
		if err := s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: "post.delete", TargetType: "post", TargetID: postID}); err != nil {
			return err
		}
	}
	return s.afterDelete(ctx, tx, actor, p)
}

// PostLocation returns the topic and page of a post, for stable links.
func (s *Store) PostLocation(ctx context.Context, viewer *Member, postID int64) (topicID int64, page int, err error) {
	p, err := s.Post(ctx, viewer, postID)
	if err != nil {
		return 0, 0, err
	}
	return p.TopicID, p.Page(), nil
}

// Thank gives a post a "Tack"; twice is ErrConflict. Thanking one's own
// post is refused.
func (s *Store) Thank(ctx context.Context, actor *Member, postID int64) error {
	p, err := s.Post(ctx, actor, postID)
	if err != nil {
		return err
	}
	if p.Deleted() {
		return Refuse(ErrConflict, "error.post.deleted")
	}
	if p.AuthorID != nil && *p.AuthorID == actor.ID {
		return Refuse(ErrForbidden, "error.thanks.own")
	}
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO reactions (post_id, member_id, created_at) VALUES (?, ?, ?)`, postID, actor.ID, s.now())
		if err != nil {
			if isUnique(err) {
				return Refuse(ErrConflict, "error.thanks.twice")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET thanks_count = thanks_count + 1 WHERE id = ?`, postID); err != nil {
			return err
		}
		if p.Seq == 1 {
			if _, err := tx.ExecContext(ctx, `UPDATE topics SET thanks_count = thanks_count + 1 WHERE id = ?`, p.TopicID); err != nil {
				return err
			}
		}
		return s.afterThanks(ctx, tx, actor, p)
	})
}

// Unthank takes a "Tack" back.
func (s *Store) Unthank(ctx context.Context, actor *Member, postID int64) error {
	p, err := s.Post(ctx, actor, postID)
	if err != nil {
		return err
	}
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM reactions WHERE post_id = ? AND member_id = ?`, postID, actor.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET thanks_count = thanks_count - 1 WHERE id = ?`, postID); err != nil {
			return err
		}
		if p.Seq == 1 {
			_, err = tx.ExecContext(ctx, `UPDATE topics SET thanks_count = thanks_count - 1 WHERE id = ?`, p.TopicID)
		}
		if err == nil {
			err = s.afterEdit(ctx, tx, actor, p)
		}
		return err
	})
}

// Thanker is one member who thanked a post.
type Thanker struct {
	Username    string `db:"username"`
	DisplayName string `db:"display_name"`
}

// Thankers lists who thanked a post, first first.
func (s *Store) Thankers(ctx context.Context, viewer *Member, postID int64) ([]Thanker, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	var ts []Thanker
	err := s.DB.SelectContext(ctx, &ts, `SELECT m.username, m.display_name FROM reactions r JOIN members m ON m.id = r.member_id
		WHERE r.post_id = ? ORDER BY r.created_at, m.id LIMIT 200`, postID)
	return ts, err
}

// ThankedBy reports which of the posts the member has thanked.
func (s *Store) ThankedBy(ctx context.Context, memberID int64, postIDs []int64) (map[int64]bool, error) {
	return s.memberPostSet(ctx, "reactions", memberID, postIDs)
}

// memberPostSet reports which of postIDs have a row of the member in
// table (reactions, bookmarks: both keyed by member_id and post_id).
func (s *Store) memberPostSet(ctx context.Context, table string, memberID int64, postIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(postIDs) == 0 {
		return out, nil
	}
	q, args, err := sqlx.In(`SELECT post_id FROM `+table+` WHERE member_id = ? AND post_id IN (?)`, memberID, postIDs)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if err := s.DB.SelectContext(ctx, &ids, s.DB.Rebind(q), args...); err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// Preview renders Markdown exactly as saving would.
func (s *Store) Preview(body string) (string, error) {
	v := &ValidationError{}
	_, html, err := s.checkBody(v, body)
	if err != nil {
		return "", err
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	return html, nil
}

// MaxQuoteLen bounds a quoted part, in characters.
const MaxQuoteLen = 2000

// QuotablePart returns part, tidied, when it is a piece of the post's
// visible text (what a reader can select on the page), or "" when it is
// not: a quote must be something the member really wrote.
func QuotablePart(p *Post, part string) string {
	part = strings.Join(strings.Fields(part), " ")
	if part == "" || !utf8.ValidString(part) || utf8.RuneCountInString(part) > MaxQuoteLen || p.Deleted() {
		return ""
	}
	visible := strings.Join(strings.Fields(markdown.PlainText(p.BodyHTML)), " ")
	if !strings.Contains(visible, part) {
		return ""
	}
	return part
}
