package forum

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Member status and role change here and nowhere else: screening,
// moderation and the command line call these methods inside their own
// transactions and write their audit lines beside them.

// VerifiedRole is the role line a member was approved with: it shows
// under her name on her posts.
type VerifiedRole struct {
	RoleTitle string
	Workplace string
	Sector    string
}

// ApproveMember makes an applicant a member with the role line she was
// approved with. Only a pending applicant can be approved: anyone else is
// ErrConflict.
func (s *Store) ApproveMember(ctx context.Context, ext sqlx.ExtContext, memberID int64, r VerifiedRole) error {
	res, err := ext.ExecContext(ctx, `UPDATE members SET status = 'approved', approved_at = ?, role_title = ?, workplace = ?, sector = ?
		WHERE id = ? AND status = 'pending'`, s.now(), r.RoleTitle, r.Workplace, r.Sector, memberID)
	if err != nil {
		return fmt.Errorf("approve member: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("approve member %d: %w", memberID, ErrConflict)
	}
	return nil
}

// SetMemberStatus moves a member to status to. When from is given, she
// must be in one of those statuses now, or nothing changes and the answer
// is ErrConflict (someone else acted first); a missing member is
// ErrNotFound.
func (s *Store) SetMemberStatus(ctx context.Context, ext sqlx.ExtContext, memberID int64, to Status, from ...Status) error {
	q := `UPDATE members SET status = ? WHERE id = ?`
	args := []any{to, memberID}
	if len(from) > 0 {
		q += ` AND status IN (?` + strings.Repeat(", ?", len(from)-1) + `)`
		for _, f := range from {
			args = append(args, f)
		}
	}
	res, err := ext.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("set member status: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.memberWhere(ctx, ext, "id = ?", memberID); err != nil {
			return err
		}
		return fmt.Errorf("member %d is not %v: %w", memberID, from, ErrConflict)
	}
	return nil
}

// SetMemberRole gives a member a role. The rule that the forum keeps an
// admin holds here: taking the role from the last approved admin is
// refused with ErrConflict ("error.role.last_admin").
func (s *Store) SetMemberRole(ctx context.Context, ext sqlx.ExtContext, memberID int64, role Role) error {
	switch role {
	case RoleMember, RoleModerator, RoleAdmin:
	default:
		return Invalid("role", "error.field.choice")
	}
	m, err := s.memberWhere(ctx, ext, "id = ?", memberID)
	if err != nil {
		return err
	}
	if m.Role == role {
		return nil
	}
	if m.Role == RoleAdmin && m.Status == StatusApproved {
		var n int
		if err := sqlx.GetContext(ctx, ext, &n, `SELECT COUNT(*) FROM members WHERE role = 'admin' AND status = 'approved'`); err != nil {
			return err
		}
		if n <= 1 {
			return Refuse(ErrConflict, "error.role.last_admin")
		}
	}
	if _, err := ext.ExecContext(ctx, `UPDATE members SET role = ? WHERE id = ?`, role, memberID); err != nil {
		return fmt.Errorf("set member role: %w", translate(err))
	}
	return nil
}

// MemberIn returns the account with that username inside ext (any case).
func (s *Store) MemberIn(ctx context.Context, q sqlx.QueryerContext, username string) (*Member, error) {
	return s.memberWhere(ctx, q, "username = ?", username)
}

// Staff lists approved moderators and admins, for the admin page; admins
// only.
func (s *Store) Staff(ctx context.Context, actor *Member) ([]Member, error) {
	if !actor.IsAdmin() {
		return nil, Refuse(ErrForbidden, "error.admin_only")
	}
	var ms []Member
	err := s.DB.SelectContext(ctx, &ms, `SELECT `+memberCols+` FROM members
		WHERE role IN ('moderator', 'admin') AND status = 'approved' ORDER BY role, username`)
	return ms, err
}

// Translate turns a driver error into the store's domain errors (a
// missing row is ErrNotFound, a UNIQUE violation ErrConflict), for the
// packages beside forum that run their own queries.
func Translate(err error) error { return translate(err) }
