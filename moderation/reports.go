package moderation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
	"kliv/forum/pnr"
)

// ReportReasons are why a member can report a post. personal_data is
// personal data about a client or patient, a real risk for welfare
// staff; the system reports posts for it too.
var ReportReasons = []string{"off_topic", "disrespectful", "personal_data", "spam", "other"}

// Report outcomes, as the reporter learns them.
const (
	OutcomeDismissed = "dismissed"
	OutcomeHidden    = "hidden"
	OutcomeDeleted   = "deleted"
	OutcomeWarned    = "warned"
	OutcomeSuspended = "suspended"
	OutcomeRemoved   = "removed"
)

// Report is one flag on a post.
type Report struct {
	ID           int64      `db:"id"`
	PostID       int64      `db:"post_id"`
	TopicID      int64      `db:"topic_id"`
	ReporterID   *int64     `db:"reporter_id"`
	Reporter     *string    `db:"reporter"`
	ReporterName *string    `db:"reporter_name"`
	BySystem     bool       `db:"by_system"`
	Reason       string     `db:"reason"`
	Note         string     `db:"note"`
	Status       string     `db:"status"`
	Outcome      string     `db:"outcome"`
	ResolvedBy   *string    `db:"resolved_by"`
	ResolvedAt   *time.Time `db:"resolved_at"`
	CreatedAt    time.Time  `db:"created_at"`
}

const reportCols = `r.id, r.post_id, p.topic_id, r.reporter_id, m.username AS reporter, m.display_name AS reporter_name, r.by_system,
	r.reason, r.note, r.status, r.outcome, (SELECT username FROM members d WHERE d.id = r.resolved_by) AS resolved_by,
	r.resolved_at, r.created_at`

const reportFrom = ` FROM reports r JOIN posts p ON p.id = r.post_id LEFT JOIN members m ON m.id = r.reporter_id`

// ReportPost records a member's report of a post with a reason and an
// optional note (required for "other"). One open report per member and
// post: again is ErrConflict. Her own post, or a deleted one, cannot be
// reported.
func (s *Service) ReportPost(ctx context.Context, actor *forum.Member, postID int64, reason, note string) (*Report, error) {
	if !actor.IsMember() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.not_member")
	}
	p, err := s.Store.Post(ctx, actor, postID)
	if err != nil {
		return nil, err
	}
	if p.Deleted() {
		return nil, forum.Refuse(forum.ErrConflict, "error.post.deleted")
	}
	if p.ByMember(actor) {
		return nil, forum.Refuse(forum.ErrForbidden, "moderation.error.own_post")
	}
	v := &forum.ValidationError{}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		v.Add("reason", "error.field.required")
	} else if !slices.Contains(ReportReasons, reason) {
		v.Add("reason", "error.field.choice")
	}
	note = forum.CheckText(v, "note", note, 0, 1000, true)
	if reason == "other" && note == "" && !v.Has("note") {
		v.Add("note", "moderation.error.note_required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Report
	err = forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		id, err := forum.InsertID(ctx, tx, `INSERT INTO reports (post_id, reporter_id, reason, note, created_at) VALUES (?, ?, ?, ?, ?)`,
			postID, actor.ID, reason, note, s.Store.Now().UTC())
		if err != nil {
			if errors.Is(forum.Translate(err), forum.ErrConflict) {
				return forum.Refuse(forum.ErrConflict, "moderation.error.already_reported")
			}
			return fmt.Errorf("report: %w", err)
		}
		out, err = s.report(ctx, tx, id)
		return err
	})
	return out, err
}

func (s *Service) report(ctx context.Context, q sqlx.QueryerContext, id int64) (*Report, error) {
	var r Report
	if err := sqlx.GetContext(ctx, q, &r, `SELECT `+reportCols+reportFrom+` WHERE r.id = ?`, id); err != nil {
		return nil, forum.Translate(err)
	}
	return &r, nil
}

// flagPersonalNumber is the post hook that reports, as the system, a post
// whose text seems to hold a personal identity number; one open system
// report per post.
func (s *Service) flagPersonalNumber(ctx context.Context, tx *sqlx.Tx, p *forum.Post) error {
	if !pnr.Contains(p.Body) {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO reports (post_id, by_system, reason, note, created_at) VALUES (?, TRUE, 'personal_data', '', ?)
		ON CONFLICT DO NOTHING`, p.ID, s.Store.Now().UTC())
	return err
}

// Reports lists reports of a status ("open" by default, "dismissed",
// "resolved"), for moderators: open ones oldest first, the others newest
// first; after continues a page.
func (s *Service) Reports(ctx context.Context, actor *forum.Member, status string, after int64, limit int) ([]Report, int64, error) {
	if !actor.IsModerator() {
		return nil, 0, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	if status == "" {
		status = "open"
	}
	if !slices.Contains([]string{"open", "dismissed", "resolved"}, status) {
		return nil, 0, forum.Invalid("status", "error.field.choice")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var rs []Report
	var err error
	if status == "open" {
		err = s.Store.DB.SelectContext(ctx, &rs, `SELECT `+reportCols+reportFrom+` WHERE r.status = ? AND r.id > ? ORDER BY r.id LIMIT ?`,
			status, after, limit+1)
	} else {
		if after <= 0 {
			after = 1 << 62
		}
		err = s.Store.DB.SelectContext(ctx, &rs, `SELECT `+reportCols+reportFrom+` WHERE r.status = ? AND r.id < ? ORDER BY r.id DESC LIMIT ?`,
			status, after, limit+1)
	}
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(rs) > limit {
		rs = rs[:limit]
		next = rs[len(rs)-1].ID
	}
	return rs, next, nil
}

// CountOpen is how many posts have open reports, for the moderator
// header; 0 for anyone else.
func (s *Service) CountOpen(ctx context.Context, actor *forum.Member) (int, error) {
	if !actor.IsModerator() {
		return 0, nil
	}
	var n int
	err := s.Store.DB.GetContext(ctx, &n, `SELECT COUNT(DISTINCT post_id) FROM reports WHERE status = 'open'`)
	return n, err
}

// Flagged is a reported post with its context, as the queue shows it.
type Flagged struct {
	Post       *forum.Post
	TopicTitle string
	Author     *forum.Member // nil when the account is gone
	Reports    []Report
	// Sanctions are the author's earlier sanctions, newest first.
	Sanctions []Sanction
}

// Open reports whether any of its reports is still open.
func (f *Flagged) Open() bool {
	for _, r := range f.Reports {
		if r.Status == "open" {
			return true
		}
	}
	return false
}

// Reasons counts the reports per reason, in ReportReasons order.
func (f *Flagged) Reasons() []ReasonCount {
	var out []ReasonCount
	for _, code := range ReportReasons {
		n := 0
		for _, r := range f.Reports {
			if r.Reason == code {
				n++
			}
		}
		if n > 0 {
			out = append(out, ReasonCount{Reason: code, Count: n})
		}
	}
	return out
}

// ReasonCount is how many reports gave one reason.
type ReasonCount struct {
	Reason string
	Count  int
}

// Queue lists the posts with open reports, the longest waiting first,
// each with its topic, author, open reports and the author's record.
// page counts from 1; more reports whether another page follows.
func (s *Service) Queue(ctx context.Context, actor *forum.Member, page, perPage int) (fs []Flagged, more bool, err error) {
	if !actor.IsModerator() {
		return nil, false, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	if page < 1 {
		page = 1
	}
	var ids []int64
	if err := s.Store.DB.SelectContext(ctx, &ids, `SELECT post_id FROM reports WHERE status = 'open'
		GROUP BY post_id ORDER BY MIN(id) LIMIT ? OFFSET ?`, perPage+1, (page-1)*perPage); err != nil {
		return nil, false, err
	}
	if len(ids) > perPage {
		ids, more = ids[:perPage], true
	}
	for _, id := range ids {
		f, err := s.flagged(ctx, id, "open")
		if err != nil {
			return nil, false, err
		}
		fs = append(fs, *f)
	}
	return fs, more, nil
}

// FlaggedPost is one post with its context and its reports of any
// status, for moderators (the post's moderation page).
func (s *Service) FlaggedPost(ctx context.Context, actor *forum.Member, postID int64) (*Flagged, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	return s.flagged(ctx, postID, "")
}

func (s *Service) flagged(ctx context.Context, postID int64, status string) (*Flagged, error) {
	db := s.Store.DB
	p, err := s.Store.PostIn(ctx, db, postID)
	if err != nil {
		return nil, err
	}
	f := &Flagged{Post: p}
	if err := db.GetContext(ctx, &f.TopicTitle, `SELECT title FROM topics WHERE id = ?`, p.TopicID); err != nil {
		return nil, forum.Translate(err)
	}
	q := `SELECT ` + reportCols + reportFrom + ` WHERE r.post_id = ?`
	args := []any{postID}
	if status != "" {
		q += ` AND r.status = ?`
		args = append(args, status)
	}
	if err := db.SelectContext(ctx, &f.Reports, q+` ORDER BY r.id`, args...); err != nil {
		return nil, err
	}
	if p.AuthorID != nil {
		if f.Author, err = s.Store.MemberByID(ctx, db, *p.AuthorID); err != nil && !errors.Is(err, forum.ErrNotFound) {
			return nil, err
		}
		if f.Sanctions, err = s.sanctionsOf(ctx, db, *p.AuthorID); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Dismiss closes every open report on the report's post with no action:
// a moderator judges the post, not each flag. Each reporter is told.
func (s *Service) Dismiss(ctx context.Context, actor *forum.Member, reportID int64) (*Report, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	var out *Report
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		r, err := s.report(ctx, tx, reportID)
		if err != nil {
			return err
		}
		if r.Status != "open" {
			return forum.Refuse(forum.ErrConflict, "moderation.error.report_closed")
		}
		if err := s.resolve(ctx, tx, actor, r.PostID, OutcomeDismissed); err != nil {
			return err
		}
		if err := s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "report.dismiss", TargetType: "post", TargetID: r.PostID,
			Detail: fmt.Sprintf("report %d", r.ID)}); err != nil {
			return err
		}
		out, err = s.report(ctx, tx, reportID)
		return err
	})
	return out, err
}

// DismissPost dismisses the open reports on a post (the queue's button).
func (s *Service) DismissPost(ctx context.Context, actor *forum.Member, postID int64) error {
	if !actor.IsModerator() {
		return forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	var id int64
	err := s.Store.DB.GetContext(ctx, &id, `SELECT id FROM reports WHERE post_id = ? AND status = 'open' ORDER BY id LIMIT 1`, postID)
	if err != nil {
		if errors.Is(forum.Translate(err), forum.ErrNotFound) {
			return forum.Refuse(forum.ErrConflict, "moderation.error.report_closed")
		}
		return err
	}
	_, err = s.Dismiss(ctx, actor, id)
	return err
}

// resolve closes the open reports on a post with an outcome, inside the
// action's transaction, and tells each reporting member.
func (s *Service) resolve(ctx context.Context, tx *sqlx.Tx, actor *forum.Member, postID int64, outcome string) error {
	var open []Report
	if err := tx.SelectContext(ctx, &open, `SELECT `+reportCols+reportFrom+` WHERE r.post_id = ? AND r.status = 'open'`, postID); err != nil {
		return err
	}
	if len(open) == 0 {
		return nil
	}
	status := "resolved"
	if outcome == OutcomeDismissed {
		status = "dismissed"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = ?, outcome = ?, resolved_by = ?, resolved_at = ? WHERE post_id = ? AND status = 'open'`,
		status, outcome, actor.ID, s.Store.Now().UTC(), postID); err != nil {
		return err
	}
	for _, r := range open {
		if r.ReporterID == nil || r.BySystem {
			continue
		}
		if err := s.Store.NotifyModeration(ctx, tx, forum.Notification{MemberID: *r.ReporterID, TopicID: r.TopicID, PostID: postID,
			Data: map[string]any{"what": "report_outcome", "outcome": outcome}}); err != nil {
			return err
		}
	}
	return nil
}
