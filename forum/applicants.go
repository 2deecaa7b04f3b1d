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
