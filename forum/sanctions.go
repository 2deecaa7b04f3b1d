package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// What the forum keeps of moderators' sanctions: hidden posts, and the
// suspension or removal of a member, which ends her access at once. The
// moderation package decides and audits; these methods run inside its
// transactions.

// Hidden reports whether a moderator hid the post.
func (p *Post) Hidden() bool { return p.HiddenAt != nil }

// HiddenFrom reports whether m sees only the note that the post was
// hidden: everyone but its author and moderators.
func (p *Post) HiddenFrom(m *Member) bool {
	return p.Hidden() && !p.ByMember(m) && !m.IsModerator()
}

// SetPostHidden hides a post with a reason, or shows it again (hidden
// false). Hiding a hidden post, or showing a shown one, is ErrConflict;
// a deleted post cannot be hidden.
func (s *Store) SetPostHidden(ctx context.Context, ext sqlx.ExtContext, postID int64, hidden bool, reason string) error {
	var res sql.Result
	var err error
	if hidden {
		res, err = ext.ExecContext(ctx, `UPDATE posts SET hidden_at = ?, hidden_reason = ? WHERE id = ? AND hidden_at IS NULL AND deleted_at IS NULL`,
			s.now(), reason, postID)
	} else {
		res, err = ext.ExecContext(ctx, `UPDATE posts SET hidden_at = NULL, hidden_reason = '' WHERE id = ? AND hidden_at IS NOT NULL`, postID)
	}
	if err != nil {
		return fmt.Errorf("hide post: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.postWhere(ctx, ext, "p.id = ?", postID); err != nil {
			return err
		}
		if hidden {
			return Refuse(ErrConflict, "moderation.error.already_hidden")
		}
		return Refuse(ErrConflict, "moderation.error.not_hidden")
	}
	return nil
}

// PostIn returns a post inside ext, whatever the reader (for moderation).
func (s *Store) PostIn(ctx context.Context, q sqlx.QueryerContext, id int64) (*Post, error) {
	return s.postWhere(ctx, q, "p.id = ?", id)
}

// MemberByID returns an account inside ext.
func (s *Store) MemberByID(ctx context.Context, q sqlx.QueryerContext, id int64) (*Member, error) {
	return s.memberWhere(ctx, q, "id = ?", id)
}

// EndAccess signs a member out everywhere at once: every session is
// deleted and every API token revoked, inside the sanction's transaction.
func (s *Store) EndAccess(ctx context.Context, ext sqlx.ExtContext, memberID int64) error {
	if _, err := ext.ExecContext(ctx, `DELETE FROM sessions WHERE member_id = ?`, memberID); err != nil {
		return err
	}
	_, err := ext.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE member_id = ? AND revoked_at IS NULL`, s.now(), memberID)
	return err
}

// SuspendMember bars an approved member until until: her status becomes
// suspended and her sessions and tokens end. A member who is not approved
// (already suspended, removed…) is ErrConflict.
func (s *Store) SuspendMember(ctx context.Context, ext sqlx.ExtContext, memberID int64, until time.Time) error {
	if err := s.SetMemberStatus(ctx, ext, memberID, StatusSuspended, StatusApproved); err != nil {
		return err
	}
	if _, err := ext.ExecContext(ctx, `UPDATE members SET suspended_until = ? WHERE id = ?`, until.UTC(), memberID); err != nil {
		return err
	}
	return s.EndAccess(ctx, ext, memberID)
}

// RemoveMember removes a member from the network (status removed) and
// ends her access; from approved or suspended.
func (s *Store) RemoveMember(ctx context.Context, ext sqlx.ExtContext, memberID int64) error {
	if err := s.SetMemberStatus(ctx, ext, memberID, StatusRemoved, StatusApproved, StatusSuspended); err != nil {
		return err
	}
	if _, err := ext.ExecContext(ctx, `UPDATE members SET suspended_until = NULL WHERE id = ?`, memberID); err != nil {
		return err
	}
	return s.EndAccess(ctx, ext, memberID)
}

// LiftSuspension makes a suspended member approved again; one who is not
// suspended is ErrConflict.
func (s *Store) LiftSuspension(ctx context.Context, ext sqlx.ExtContext, memberID int64) error {
	if err := s.SetMemberStatus(ctx, ext, memberID, StatusApproved, StatusSuspended); err != nil {
		return err
	}
	_, err := ext.ExecContext(ctx, `UPDATE members SET suspended_until = NULL WHERE id = ?`, memberID)
	return err
}

// SuspendedUntil is when a suspended member's suspension ends (zero when
// she is not suspended or no end is known).
func (s *Store) SuspendedUntil(ctx context.Context, q sqlx.QueryerContext, memberID int64) (time.Time, error) {
	var t sql.NullTime
	err := sqlx.GetContext(ctx, q, &t, `SELECT suspended_until FROM members WHERE id = ? AND status = 'suspended'`, memberID)
	if errors.Is(err, sql.ErrNoRows) || !t.Valid {
		return time.Time{}, nil
	}
	return t.Time, err
}

// LiftExpiredSuspensions ends every suspension whose date has passed
// (a chore), each with its audit line by the system, and says how many.
func (s *Store) LiftExpiredSuspensions(ctx context.Context) (int, error) {
	var ids []int64
	if err := s.DB.SelectContext(ctx, &ids, `SELECT id FROM members WHERE status = 'suspended' AND suspended_until IS NOT NULL AND suspended_until <= ?`,
		s.now()); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		err := s.liftExpired(ctx, id)
		if errors.Is(err, ErrConflict) {
			continue // lifted meanwhile
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// liftExpired lifts one member's suspension when its date has passed.
func (s *Store) liftExpired(ctx context.Context, memberID int64) error {
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		until, err := s.SuspendedUntil(ctx, tx, memberID)
		if err != nil {
			return err
		}
		if until.IsZero() || until.After(s.now()) {
			return ErrConflict
		}
		if err := s.LiftSuspension(ctx, tx, memberID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sanctions SET lifted_at = ? WHERE member_id = ? AND kind = 'suspension' AND lifted_at IS NULL`,
			s.now(), memberID); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditLine{Action: "member.unsuspend", TargetType: "member", TargetID: memberID, Detail: "expired"})
	})
}

// barred checks a member who gave the right password: a removed member
// is refused, a suspended one too until her date, after which her
// suspension is lifted here (so she need not wait for the chore).
func (s *Store) barred(ctx context.Context, m *Member) error {
	switch m.Status {
	case StatusRemoved:
		return Refuse(ErrForbidden, "moderation.error.removed")
	case StatusSuspended:
		until, err := s.SuspendedUntil(ctx, s.DB, m.ID)
		if err != nil {
			return err
		}
		if !until.IsZero() && !until.After(s.now()) {
			if err := s.liftExpired(ctx, m.ID); err != nil && !errors.Is(err, ErrConflict) {
				return err
			}
			m.Status = StatusApproved
			return nil
		}
		if until.IsZero() {
			return Refuse(ErrForbidden, "moderation.error.suspended")
		}
		return Refuse(ErrForbidden, "moderation.error.suspended_until", until.Format("2006-01-02 15:04")+" UTC")
	}
	return nil
}
