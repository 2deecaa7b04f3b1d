package forum

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// PurgeApplicant deletes a rejected or withdrawn applicant's account and
// everything of it: her join requests, sessions and notifications go
// with the row (foreign keys), her mail is deleted first (it holds her
// name and address). Anyone else is ErrConflict.
func (s *Store) PurgeApplicant(ctx context.Context, ext sqlx.ExtContext, memberID int64) error {
	var st Status
	if err := sqlx.GetContext(ctx, ext, &st, `SELECT status FROM members WHERE id = ?`, memberID); err != nil {
		return fmt.Errorf("purge applicant: %w", translate(err))
	}
	if st != StatusRejected && st != StatusWithdrawn {
		return fmt.Errorf("purge applicant %d (%s): %w", memberID, st, ErrConflict)
	}
	if _, err := ext.ExecContext(ctx, `DELETE FROM outbox WHERE member_id = ? AND status <> 'sending'`, memberID); err != nil {
		return err
	}
	if _, err := ext.ExecContext(ctx, `DELETE FROM members WHERE id = ? AND status IN ('rejected', 'withdrawn')`, memberID); err != nil {
		return fmt.Errorf("purge applicant: %w", translate(err))
	}
	return nil
}

// MarkConfirmAsked records that a member was asked to confirm her role.
func (s *Store) MarkConfirmAsked(ctx context.Context, ext sqlx.ExtContext, memberID int64) error {
	_, err := ext.ExecContext(ctx, `UPDATE members SET confirm_asked_at = ? WHERE id = ?`, s.now(), memberID)
	return err
}

// ConfirmRole records a member's confirmation of her role line (as it
// was, or as she corrected it); a lapsed member is a member again.
func (s *Store) ConfirmRole(ctx context.Context, ext sqlx.ExtContext, memberID int64, r VerifiedRole) error {
	res, err := ext.ExecContext(ctx, `UPDATE members SET role_confirmed_at = ?, confirm_asked_at = NULL, role_title = ?, workplace = ?, sector = ?
		WHERE id = ? AND status IN ('approved', 'lapsed')`, s.now(), r.RoleTitle, r.Workplace, r.Sector, memberID)
	if err != nil {
		return fmt.Errorf("confirm role: %w", translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("confirm role of %d: %w", memberID, ErrConflict)
	}
	var st Status
	if err := sqlx.GetContext(ctx, ext, &st, `SELECT status FROM members WHERE id = ?`, memberID); err != nil {
		return translate(err)
	}
	if st == StatusLapsed {
		return s.SetMemberStatus(ctx, ext, memberID, StatusApproved, StatusLapsed)
	}
	return nil
}
