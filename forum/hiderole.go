package forum

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

func setHideRole(ctx context.Context, ext sqlx.ExecerContext, postID int64, hide bool) error {
	if !hide {
		return nil
	}
	if _, err := ext.ExecContext(ctx, `UPDATE posts SET hide_role = TRUE WHERE id = ?`, postID); err != nil {
		return fmt.Errorf("hide role: %w", err)
	}
	return nil
}

// SetHideRole shows or hides the author's verified role line on one of
// her posts; only she decides it.
func (s *Store) SetHideRole(ctx context.Context, actor *Member, postID int64, hide bool) error {
	if err := canPost(actor); err != nil {
		return err
	}
	p, err := s.postWhere(ctx, s.DB, "p.id = ?", postID)
	if err != nil {
		return err
	}
	if !p.ByMember(actor) {
		return Refuse(ErrForbidden, "error.forbidden")
	}
	if p.HideRole == hide {
		return nil
	}
	_, err = s.DB.ExecContext(ctx, `UPDATE posts SET hide_role = ? WHERE id = ?`, hide, postID)
	return err
}
