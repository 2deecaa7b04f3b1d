package forum

import (
	"context"
	"crypto/subtle"
	"errors"

	"github.com/jmoiron/sqlx"
)

const setupKey = "setup_token_hash"

// SetupPending reports whether the forum still has no admin.
func (s *Store) SetupPending(ctx context.Context) (bool, error) {
	n, err := s.CountAdmins(ctx)
	return n == 0, err
}

// NewSetupToken makes the one-time secret of the first-run setup link,
// replacing any earlier one; only its hash is stored.
func (s *Store) NewSetupToken(ctx context.Context) (string, error) {
	tok := NewToken()
	_, err := s.DB.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, setupKey, HashToken(tok))
	return tok, err
}

// CheckSetupToken reports whether tok is the current setup secret and no
// admin exists yet.
func (s *Store) CheckSetupToken(ctx context.Context, tok string) error {
	return s.checkSetup(ctx, s.DB, tok)
}

func (s *Store) checkSetup(ctx context.Context, q sqlx.QueryerContext, tok string) error {
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT COUNT(*) FROM members WHERE role = 'admin' AND status = 'approved'`); err != nil {
		return err
	}
	if n > 0 {
		return Refuse(ErrConflict, "error.setup.done")
	}
	var want string
	err := sqlx.GetContext(ctx, q, &want, `SELECT value FROM settings WHERE key = ?`, setupKey)
	if err != nil && !errors.Is(translate(err), ErrNotFound) {
		return err
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(HashToken(tok))) != 1 {
		return Refuse(ErrForbidden, "error.setup.token")
	}
	return nil
}

// CompleteSetup creates the first admin with the setup secret and spends
// the secret, in one transaction.
func (s *Store) CompleteSetup(ctx context.Context, tok string, n NewMember) (*Member, error) {
	n.Role, n.Status = RoleAdmin, StatusApproved
	v := &ValidationError{}
	n.Validate(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var m *Member
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if err := s.checkSetup(ctx, tx, tok); err != nil {
			return err
		}
		var err error
		if m, err = s.CreateMember(ctx, tx, n); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, setupKey); err != nil {
			return err
		}
		// The first admin's door into the forum, in the log like any other.
		return s.Audit(ctx, tx, AuditLine{Action: "member.create", TargetType: "member", TargetID: m.ID, Detail: "setup"})
	})
	return m, err
}
