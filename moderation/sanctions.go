package moderation

import (
	"context"
	"errors"

	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
	"kliv/i18n"
)

// Sanctions. Moderators and admins hide and delete posts and warn,
// suspend and remove members; nobody sanctions herself or an admin (an
// admin must first lose the role). Each action writes its audit line and
// its sanction record in its own transaction, closes the open reports on
// the post it was about, and tells those who reported it.

// Sanction is one entry of a member's record.
type Sanction struct {
	ID        int64      `db:"id"`
	MemberID  int64      `db:"member_id"`
	Kind      string     `db:"kind"`
	Reason    string     `db:"reason"`
	PostID    *int64     `db:"post_id"`
	Until     *time.Time `db:"until"`
	By        *string    `db:"by_name"`
	CreatedAt time.Time  `db:"created_at"`
	LiftedAt  *time.Time `db:"lifted_at"`
}

// MaxSuspension is the longest suspension; longer is removal.
const MaxSuspension = 5 * 365 * 24 * time.Hour

func (s *Service) sanctionsOf(ctx context.Context, q sqlx.QueryerContext, memberID int64) ([]Sanction, error) {
	var out []Sanction
	err := sqlx.SelectContext(ctx, q, &out, `SELECT s.id, s.member_id, s.kind, s.reason, s.post_id, s.until,
		(SELECT username FROM members b WHERE b.id = s.by_id) AS by_name, s.created_at, s.lifted_at
		FROM sanctions s WHERE s.member_id = ? ORDER BY s.id DESC LIMIT 50`, memberID)
	return out, err
}

// Sanctions lists a member's record, for moderators.
func (s *Service) Sanctions(ctx context.Context, actor *forum.Member, username string) ([]Sanction, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	m, err := s.Store.MemberByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	return s.sanctionsOf(ctx, s.Store.DB, m.ID)
}

// mayModerate checks the actor is a moderator.
func mayModerate(actor *forum.Member) error {
	if !actor.IsModerator() {
		return forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	return nil
}

// maySanction is the rule of who may sanction whom.
func maySanction(actor, target *forum.Member) error {
	if err := mayModerate(actor); err != nil {
		return err
	}
	if target.ID == actor.ID {
		return forum.Refuse(forum.ErrForbidden, "moderation.error.self")
	}
	if target.Role == forum.RoleAdmin {
		return forum.Refuse(forum.ErrForbidden, "moderation.error.admin")
	}
	return nil
}

// checkReason checks a sanction's reason: required, a ReportReasons code
// (stored as "preset:<code>") or free text.
func checkReason(reason string) (string, error) {
	v := &forum.ValidationError{}
	reason = forum.CheckText(v, "reason", reason, 1, 1000, true)
	if err := v.Err(); err != nil {
		return "", err
	}
	for _, r := range ReportReasons {
		if reason == r || reason == "preset:"+r {
			return "preset:" + r, nil
		}
	}
	return reason, nil
}

// ReasonLabel shows a stored sanction reason in lang: a preset in words,
// free text as written.
func (s *Service) ReasonLabel(lang, reason string) string {
	if code, ok := strings.CutPrefix(reason, "preset:"); ok {
		return s.I18n.T(lang, "moderation.reason."+code)
	}
	return reason
}

func (s *Service) addSanction(ctx context.Context, tx *sqlx.Tx, actor *forum.Member, memberID int64, kind, reason string, postID int64, until *time.Time) error {
	var post, u any
	if postID > 0 {
		post = postID
	}
	if until != nil {
		u = until.UTC()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sanctions (member_id, kind, reason, post_id, until, by_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		memberID, kind, reason, post, u, actor.ID, s.Store.Now().UTC())
	return err
}

// postAndAuthor loads a post and its author (nil when the account is
// gone) and checks the actor may act on it.
func (s *Service) postAndAuthor(ctx context.Context, tx *sqlx.Tx, actor *forum.Member, postID int64) (*forum.Post, *forum.Member, error) {
	if err := mayModerate(actor); err != nil {
		return nil, nil, err
	}
	p, err := s.Store.PostIn(ctx, tx, postID)
	if err != nil {
		return nil, nil, err
	}
	if p.AuthorID == nil {
		return p, nil, nil
	}
	author, err := s.Store.MemberByID(ctx, tx, *p.AuthorID)
	if err != nil {
		return nil, nil, err
	}
	if err := maySanction(actor, author); err != nil {
		return nil, nil, err
	}
	return p, author, nil
}

// HidePost hides a post with a reason: others see that a moderator hid
// it and why, its author and moderators still see the text.
func (s *Service) HidePost(ctx context.Context, actor *forum.Member, postID int64, reason string) error {
	// Who may act is judged before what she typed.
	if err := mayModerate(actor); err != nil {
		return err
	}
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		p, author, err := s.postAndAuthor(ctx, tx, actor, postID)
		if err != nil {
			return err
		}
		if p.Deleted() {
			return forum.Refuse(forum.ErrConflict, "error.post.deleted")
		}
		if err := s.Store.SetPostHidden(ctx, tx, postID, true, reason); err != nil {
			return err
		}
		if author != nil {
			if err := s.addSanction(ctx, tx, actor, author.ID, "post_hidden", reason, postID, nil); err != nil {
				return err
			}
		}
		if err := s.resolve(ctx, tx, actor, postID, OutcomeHidden); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "post.hide", TargetType: "post", TargetID: postID, Reason: reason})
	})
}

// UnhidePost shows a hidden post again.
func (s *Service) UnhidePost(ctx context.Context, actor *forum.Member, postID int64) error {
	if err := mayModerate(actor); err != nil {
		return err
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		if err := s.Store.SetPostHidden(ctx, tx, postID, false, ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sanctions SET lifted_at = ? WHERE post_id = ? AND kind = 'post_hidden' AND lifted_at IS NULL`,
			s.Store.Now().UTC(), postID); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "post.unhide", TargetType: "post", TargetID: postID})
	})
}

// DeleteReportedPost deletes a post a moderator judged (forum's delete,
// audited there), records it on the author's record and closes the
// post's reports, in one transaction.
func (s *Service) DeleteReportedPost(ctx context.Context, actor *forum.Member, postID int64, reason string) error {
	if err := mayModerate(actor); err != nil {
		return err
	}
	if reason != "" {
		var err error
		if reason, err = checkReason(reason); err != nil {
			return err
		}
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		p, author, err := s.postAndAuthor(ctx, tx, actor, postID)
		if err != nil {
			return err
		}
		if p.Deleted() {
			return forum.Refuse(forum.ErrConflict, "error.post.deleted")
		}
		if err := s.Store.DeletePostIn(ctx, tx, actor, postID); err != nil {
			return err
		}
		if author != nil && author.ID != actor.ID {
			if err := s.addSanction(ctx, tx, actor, author.ID, "post_deleted", reason, postID, nil); err != nil {
				return err
			}
		}
		return s.resolve(ctx, tx, actor, postID, OutcomeDeleted)
	})
}

// MemberAction is a sanction of a member: the reason, the post it is
// about (0 for none; its open reports close with the action) and, for a
// suspension, its end.
type MemberAction struct {
	Reason string
	PostID int64
	Until  time.Time
}

// target loads the member to sanction and checks the rule.
func (s *Service) target(ctx context.Context, tx *sqlx.Tx, actor *forum.Member, username string) (*forum.Member, error) {
	if err := mayModerate(actor); err != nil {
		return nil, err
	}
	m, err := s.Store.MemberIn(ctx, tx, username)
	if err != nil {
		return nil, err
	}
	if err := maySanction(actor, m); err != nil {
		return nil, err
	}
	return m, nil
}

// postOf checks that the action's post, if any, is the member's.
func (s *Service) postOf(ctx context.Context, tx *sqlx.Tx, m *forum.Member, postID int64) error {
	if postID <= 0 {
		return nil
	}
	p, err := s.Store.PostIn(ctx, tx, postID)
	if errors.Is(err, forum.ErrNotFound) || (err == nil && !p.ByMember(m)) {
		return forum.Invalid("post_id", "moderation.error.post_not_hers")
	}
	return err
}

// Warn warns a member: a notification and a mail with the reason.
func (s *Service) Warn(ctx context.Context, actor *forum.Member, username string, a MemberAction) error {
	// Who may act is judged before what she typed.
	if err := mayModerate(actor); err != nil {
		return err
	}
	reason, err := checkReason(a.Reason)
	if err != nil {
		return err
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		m, err := s.target(ctx, tx, actor, username)
		if err != nil {
			return err
		}
		if !m.IsMember() {
			return forum.Refuse(forum.ErrConflict, "moderation.error.not_active")
		}
		if err := s.postOf(ctx, tx, m, a.PostID); err != nil {
			return err
		}
		if err := s.addSanction(ctx, tx, actor, m.ID, "warning", reason, a.PostID, nil); err != nil {
			return err
		}
		n := forum.Notification{MemberID: m.ID, PostID: a.PostID, Data: map[string]any{"what": "warning", "reason": reason}}
		if a.PostID > 0 {
			p, err := s.Store.PostIn(ctx, tx, a.PostID)
			if err != nil {
				return err
			}
			n.TopicID = p.TopicID
		}
		if err := s.Store.NotifyModeration(ctx, tx, n); err != nil {
			return err
		}
		if err := s.Store.Enqueue(ctx, tx, s.sanctionMail(m, "warning", reason, time.Time{})); err != nil {
			return err
		}
		if a.PostID > 0 {
			if err := s.resolve(ctx, tx, actor, a.PostID, OutcomeWarned); err != nil {
				return err
			}
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "member.warn", TargetType: "member", TargetID: m.ID, Reason: reason})
	})
}

// Suspend bars a member until a.Until, which must be in the future: her
// sessions and tokens end at once, she cannot sign in until then, and the
// suspension lifts itself when the date passes.
func (s *Service) Suspend(ctx context.Context, actor *forum.Member, username string, a MemberAction) error {
	// Who may act is judged before what she typed.
	if err := mayModerate(actor); err != nil {
		return err
	}
	v := &forum.ValidationError{}
	reason, err := checkReason(a.Reason)
	if err != nil {
		return err
	}
	now := s.Store.Now()
	switch {
	case a.Until.IsZero():
		v.Add("until", "error.field.required")
	case !a.Until.After(now):
		v.Add("until", "moderation.error.until_past")
	case a.Until.Sub(now) > MaxSuspension:
		v.Add("until", "moderation.error.until_far")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		m, err := s.target(ctx, tx, actor, username)
		if err != nil {
			return err
		}
		if err := s.postOf(ctx, tx, m, a.PostID); err != nil {
			return err
		}
		if err := s.Store.SuspendMember(ctx, tx, m.ID, a.Until); err != nil {
			if errors.Is(err, forum.ErrConflict) {
				return forum.Refuse(forum.ErrConflict, "moderation.error.not_active")
			}
			return err
		}
		until := a.Until.UTC()
		if err := s.addSanction(ctx, tx, actor, m.ID, "suspension", reason, a.PostID, &until); err != nil {
			return err
		}
		if err := s.Store.Enqueue(ctx, tx, s.sanctionMail(m, "suspension", reason, until)); err != nil {
			return err
		}
		if a.PostID > 0 {
			if err := s.resolve(ctx, tx, actor, a.PostID, OutcomeSuspended); err != nil {
				return err
			}
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "member.suspend", TargetType: "member", TargetID: m.ID,
			Reason: reason, Detail: "until " + until.Format(time.RFC3339)})
	})
}

// Unsuspend lifts a suspension before its date.
func (s *Service) Unsuspend(ctx context.Context, actor *forum.Member, username string) error {
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		m, err := s.target(ctx, tx, actor, username)
		if err != nil {
			return err
		}
		if err := s.Store.LiftSuspension(ctx, tx, m.ID); err != nil {
			if errors.Is(err, forum.ErrConflict) {
				return forum.Refuse(forum.ErrConflict, "moderation.error.not_suspended")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sanctions SET lifted_at = ? WHERE member_id = ? AND kind = 'suspension' AND lifted_at IS NULL`,
			s.Store.Now().UTC(), m.ID); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "member.unsuspend", TargetType: "member", TargetID: m.ID})
	})
}

// Remove removes a member from the network (moderators and admins, as
// they let members in): her status becomes removed and her access ends.
func (s *Service) Remove(ctx context.Context, actor *forum.Member, username string, a MemberAction) error {
	// Who may act is judged before what she typed.
	if err := mayModerate(actor); err != nil {
		return err
	}
	reason, err := checkReason(a.Reason)
	if err != nil {
		return err
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		m, err := s.target(ctx, tx, actor, username)
		if err != nil {
			return err
		}
		if err := s.postOf(ctx, tx, m, a.PostID); err != nil {
			return err
		}
		if err := s.Store.RemoveMember(ctx, tx, m.ID); err != nil {
			if errors.Is(err, forum.ErrConflict) {
				return forum.Refuse(forum.ErrConflict, "moderation.error.not_active")
			}
			return err
		}
		if err := s.addSanction(ctx, tx, actor, m.ID, "removal", reason, a.PostID, nil); err != nil {
			return err
		}
		if err := s.Store.Enqueue(ctx, tx, s.sanctionMail(m, "removal", reason, time.Time{})); err != nil {
			return err
		}
		if a.PostID > 0 {
			if err := s.resolve(ctx, tx, actor, a.PostID, OutcomeRemoved); err != nil {
				return err
			}
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "member.remove", TargetType: "member", TargetID: m.ID, Reason: reason})
	})
}

// sanctionMail tells a member of a warning, suspension or removal, in her
// language.
func (s *Service) sanctionMail(m *forum.Member, kind, reason string, until time.Time) forum.Mail {
	lang := m.Lang
	if !i18n.Supported(lang) {
		lang = i18n.Default
	}
	t := func(key string, args ...any) string { return s.I18n.T(lang, key, args...) }
	r := s.ReasonLabel(lang, reason)
	mail := forum.Mail{MemberID: m.ID, Kind: "moderation_" + kind, To: m.Email, Subject: t("moderation.mail." + kind + ".subject")}
	switch kind {
	case "suspension":
		mail.Body = t("moderation.mail.suspension.body", m.DisplayName, r, until.Format("2006-01-02 15:04")+" UTC", s.Store.BaseURL+"/rules")
	default:
		mail.Body = t("moderation.mail."+kind+".body", m.DisplayName, r, s.Store.BaseURL+"/rules")
	}
	return mail
}

// ParseUntil reads a suspension's end: RFC 3339, or a date (YYYY-MM-DD),
// which means the start of that day in Swedish time.
func ParseUntil(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, forum.Invalid("until", "error.field.required")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		loc = time.UTC
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, forum.Invalid("until", "moderation.error.until_format")
}
