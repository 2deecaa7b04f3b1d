package forum

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// SessionLifetime is how long an idle session lasts; every use extends it.
const SessionLifetime = 30 * 24 * time.Hour

// Session is a signed-in browser.
type Session struct {
	ID         int64     `db:"id"`
	MemberID   int64     `db:"member_id"`
	CSRFToken  string    `db:"csrf_token"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
	// Extended is set when SessionMember moved ExpiresAt on, so the
	// cookie's lifetime should move with it.
	Extended bool `db:"-"`
}

// CreateSession starts a session for the member and returns the secret for
// the cookie; only its hash is stored.
func (s *Store) CreateSession(ctx context.Context, memberID int64) (string, *Session, error) {
	tok := NewToken()
	now := s.now()
	sess := &Session{MemberID: memberID, CSRFToken: NewToken(), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionLifetime)}
	newID, err := InsertID(ctx, s.DB, `INSERT INTO sessions (token_hash, member_id, csrf_token, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, HashToken(tok), memberID, sess.CSRFToken, now, now, sess.ExpiresAt)
	if err != nil {
		return "", nil, fmt.Errorf("create session: %w", translate(err))
	}
	sess.ID = newID
	return tok, sess, nil
}

// SessionMember returns the member and session behind a cookie secret,
// extending the session at most once a minute. An unknown or expired
// secret is ErrUnauthenticated.
func (s *Store) SessionMember(ctx context.Context, tok string) (*Member, *Session, error) {
	if tok == "" || len(tok) > 100 {
		return nil, nil, ErrUnauthenticated
	}
	var sess Session
	err := s.DB.GetContext(ctx, &sess, `SELECT id, member_id, csrf_token, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = ?`, HashToken(tok))
	if err != nil {
		if errors.Is(translate(err), ErrNotFound) {
			return nil, nil, ErrUnauthenticated
		}
		return nil, nil, err
	}
	now := s.now()
	// An extension not yet written counts.
	if p := s.reads.session(sess.ID); p.seen.After(sess.LastSeenAt) {
		sess.LastSeenAt, sess.ExpiresAt = p.seen, p.expires
	}
	if !now.Before(sess.ExpiresAt) {
		_, _ = s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, sess.ID)
		return nil, nil, ErrUnauthenticated
	}
	m, err := s.Member(ctx, sess.MemberID)
	if err != nil {
		return nil, nil, err
	}
	if m.Status == StatusDeleted || m.Status == StatusSuspended || m.Status == StatusRemoved {
		// Sanctions end sessions and tokens; this holds should one remain.
		return nil, nil, ErrUnauthenticated
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		// Written behind with the read marks (FlushReads): a crash
		// loses at most a second of it, and the view waits for no write.
		sess.LastSeenAt, sess.ExpiresAt, sess.Extended = now, now.Add(SessionLifetime), true
		s.reads.touchSession(sess.ID, pendingSession{seen: now, expires: sess.ExpiresAt})
	}
	return m, &sess, nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return err
}

// DeleteSessions ends every session of a member ("sign out everywhere").
func (s *Store) DeleteSessions(ctx context.Context, memberID int64) error {
	_, err := s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE member_id = ?`, memberID)
	return err
}

// APIToken is a personal API token's record; the secret itself is shown
// once, at creation.
type APIToken struct {
	ID         int64      `db:"id" json:"id"`
	MemberID   int64      `db:"member_id" json:"-"`
	Name       string     `db:"name" json:"name"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at"`
}

// CreateAPIToken makes a personal API token and returns its secret.
func (s *Store) CreateAPIToken(ctx context.Context, memberID int64, name string) (string, error) {
	v := &ValidationError{}
	name = CheckText(v, "name", name, 0, 80, false)
	if err := v.Err(); err != nil {
		return "", err
	}
	if name == "" {
		name = "API"
	}
	tok := "kliv_" + NewToken()
	_, err := s.DB.ExecContext(ctx, `INSERT INTO api_tokens (member_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)`,
		memberID, name, HashToken(tok), s.now())
	if err != nil {
		return "", fmt.Errorf("create token: %w", translate(err))
	}
	return tok, nil
}

// TokenMember returns the member behind a bearer token; unknown or revoked
// is ErrUnauthenticated.
func (s *Store) TokenMember(ctx context.Context, tok string) (*Member, error) {
	if tok == "" || len(tok) > 100 {
		return nil, ErrUnauthenticated
	}
	var t APIToken
	err := s.DB.GetContext(ctx, &t, `SELECT id, member_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE token_hash = ?`, HashToken(tok))
	if err != nil {
		if errors.Is(translate(err), ErrNotFound) {
			return nil, ErrUnauthenticated
		}
		return nil, err
	}
	if t.RevokedAt != nil {
		return nil, ErrUnauthenticated
	}
	m, err := s.Member(ctx, t.MemberID)
	if err != nil {
		return nil, err
	}
	if m.Status == StatusDeleted || m.Status == StatusSuspended || m.Status == StatusRemoved {
		// Sanctions end sessions and tokens; this holds should one remain.
		return nil, ErrUnauthenticated
	}
	now := s.now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_, _ = s.DB.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, t.ID)
	}
	return m, nil
}

// APITokens lists a member's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, memberID int64) ([]APIToken, error) {
	var ts []APIToken
	err := s.DB.SelectContext(ctx, &ts, `SELECT id, member_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE member_id = ? ORDER BY id DESC`, memberID)
	return ts, err
}

// RevokeAPIToken revokes one of the member's own tokens.
func (s *Store) RevokeAPIToken(ctx context.Context, memberID, id int64) error {
	res, err := s.DB.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND member_id = ? AND revoked_at IS NULL`,
		s.now(), id, memberID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ResetLifetime is how long a password reset link works.
const ResetLifetime = time.Hour

// CreatePasswordReset makes a single-use reset secret for the account with
// that e-mail, inside ext so the mail is queued in the same transaction.
// An unknown e-mail gives ErrNotFound; callers must not reveal that.
func (s *Store) CreatePasswordReset(ctx context.Context, ext sqlx.ExtContext, email string) (*Member, string, error) {
	m, err := s.memberWhere(ctx, ext, "email = ? AND status <> 'deleted'", email)
	if err != nil {
		return nil, "", err
	}
	tok := NewToken()
	now := s.now()
	if _, err := ext.ExecContext(ctx, `INSERT INTO password_resets (member_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		m.ID, HashToken(tok), now, now.Add(ResetLifetime)); err != nil {
		return nil, "", err
	}
	return m, tok, nil
}

// CheckPasswordReset reports whether a reset secret is usable.
func (s *Store) CheckPasswordReset(ctx context.Context, tok string) error {
	var n int
	err := s.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		HashToken(tok), s.now())
	if err != nil {
		return err
	}
	if n == 0 {
		return Refuse(ErrNotFound, "error.reset.invalid")
	}
	return nil
}

// ResetPassword spends a reset secret: it sets the new password, marks
// the secret used and ends every session of the member.
func (s *Store) ResetPassword(ctx context.Context, tok, password string) (*Member, error) {
	v := &ValidationError{}
	CheckNewPassword(v, "password", password)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var m *Member
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var r struct {
			ID       int64 `db:"id"`
			MemberID int64 `db:"member_id"`
		}
		now := s.now()
		err := tx.GetContext(ctx, &r, `SELECT id, member_id FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
			HashToken(tok), now)
		if err != nil {
			if errors.Is(translate(err), ErrNotFound) {
				return Refuse(ErrNotFound, "error.reset.invalid")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_resets SET used_at = ? WHERE member_id = ? AND used_at IS NULL`, now, r.MemberID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE members SET password_hash = ? WHERE id = ?`, HashPassword(s.Hash, password), r.MemberID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE member_id = ?`, r.MemberID); err != nil {
			return err
		}
		m, err = s.memberWhere(ctx, tx, "id = ?", r.MemberID)
		return err
	})
	return m, err
}

// PurgeExpired deletes expired sessions and spent or stale reset links.
func (s *Store) PurgeExpired(ctx context.Context) error {
	now := s.now()
	if _, err := s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now); err != nil {
		return err
	}
	_, err := s.DB.ExecContext(ctx, `DELETE FROM password_resets WHERE expires_at <= ?`, now.Add(-24*time.Hour))
	return err
}
