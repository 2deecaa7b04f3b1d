package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Role is what a member may do beyond reading and writing.
type Role string

// The roles, from least to most.
const (
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Status is where a person stands with the network.
type Status string

// The statuses. Only approved people are members who read and write.
const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusRejected Status = "rejected"
	StatusDeleted  Status = "deleted"
	// StatusSuspended: a member barred until her suspension ends.
	StatusSuspended Status = "suspended"
	// StatusRemoved: a member removed from the network by a moderator.
	StatusRemoved Status = "removed"
	// StatusLapsed: an alumna who has not confirmed her role in time;
	// she reads but does not write until she confirms.
	StatusLapsed Status = "lapsed"
	// StatusWithdrawn: an applicant who withdrew her own request.
	StatusWithdrawn Status = "withdrawn"
)

// Member is a person with an account: an applicant, a member, a moderator
// or an admin.
type Member struct {
	ID           int64        `db:"id"`
	Username     string       `db:"username"`
	Email        string       `db:"email"`
	DisplayName  string       `db:"display_name"`
	PasswordHash string       `db:"password_hash"`
	Role         Role         `db:"role"`
	Status       Status       `db:"status"`
	Lang         string       `db:"lang"`
	CreatedAt    time.Time    `db:"created_at"`
	ApprovedAt   sql.NullTime `db:"approved_at"`
	// RoleTitle, Workplace and Sector are her verified role line, taken
	// from her join request when it was approved.
	RoleTitle string `db:"role_title"`
	Workplace string `db:"workplace"`
	Sector    string `db:"sector"`
}

// memberCols is the column list every member query selects.
const memberCols = `id, username, email, display_name, password_hash, role, status, lang, created_at, approved_at, role_title, workplace, sector`

// IsMember reports whether she may read and write the forum.
func (m *Member) IsMember() bool { return m != nil && m.Status == StatusApproved }

// IsModerator reports whether she moderates (admins do too).
func (m *Member) IsModerator() bool {
	return m.IsMember() && (m.Role == RoleModerator || m.Role == RoleAdmin)
}

// IsAdmin reports whether she is an admin.
func (m *Member) IsAdmin() bool { return m.IsMember() && m.Role == RoleAdmin }

// NewMember is what creating an account takes.
type NewMember struct {
	Username    string
	Email       string
	DisplayName string
	Password    string
	Role        Role
	Status      Status
	Lang        string
}

// Validate checks and normalises the fields, adding messages to v.
func (n *NewMember) Validate(v *ValidationError) {
	n.Username = CheckUsername(v, "username", n.Username)
	n.Email = CheckEmail(v, "email", n.Email)
	n.DisplayName = CheckText(v, "display_name", n.DisplayName, 1, 80, false)
	CheckNewPassword(v, "password", n.Password)
	if n.Role == "" {
		n.Role = RoleMember
	}
	if n.Status == "" {
		n.Status = StatusPending
	}
	if n.Lang != "" && n.Lang != "sv" && n.Lang != "en" {
		n.Lang = ""
	}
}

// CreateMember validates and inserts an account in ext (a transaction or
// the database). A taken username or e-mail is a ValidationError on that
// field.
func (s *Store) CreateMember(ctx context.Context, ext sqlx.ExtContext, n NewMember) (*Member, error) {
	v := &ValidationError{}
	n.Validate(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.checkFree(ctx, ext, n.Username, n.Email); err != nil {
		return nil, err
	}
	now := s.now()
	var approved any
	if n.Status == StatusApproved {
		approved = now
	}
	id, err := InsertID(ctx, ext, `INSERT INTO members (username, email, display_name, password_hash, role, status, lang, created_at, approved_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.Username, n.Email, n.DisplayName, HashPassword(s.Hash, n.Password), n.Role, n.Status, n.Lang, now, approved)
	if err != nil {
		if errors.Is(translate(err), ErrConflict) {
			// Lost a race with another sign-up of the same name.
			return nil, s.checkFree(ctx, ext, n.Username, n.Email)
		}
		return nil, fmt.Errorf("create member: %w", err)
	}
	return s.memberWhere(ctx, ext, "id = ?", id)
}

func (s *Store) checkFree(ctx context.Context, ext sqlx.ExtContext, username, email string) error {
	v := &ValidationError{}
	var n int
	if err := sqlx.GetContext(ctx, ext, &n, `SELECT COUNT(*) FROM members WHERE username = ?`, username); err != nil {
		return err
	}
	if n > 0 {
		v.Add("username", "error.username.taken")
	}
	if err := sqlx.GetContext(ctx, ext, &n, `SELECT COUNT(*) FROM members WHERE email = ?`, email); err != nil {
		return err
	}
	if n > 0 {
		v.Add("email", "error.email.taken")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return nil
}

func (s *Store) memberWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (*Member, error) {
	var m Member
	err := sqlx.GetContext(ctx, q, &m, `SELECT `+memberCols+` FROM members WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("member: %w", translate(err))
	}
	return &m, nil
}

// Member returns the account with that id.
func (s *Store) Member(ctx context.Context, id int64) (*Member, error) {
	return s.memberWhere(ctx, s.DB, "id = ?", id)
}

// MemberByUsername returns the account with that username (any case).
func (s *Store) MemberByUsername(ctx context.Context, username string) (*Member, error) {
	return s.memberWhere(ctx, s.DB, "username = ?", username)
}

// MemberByLogin returns the account whose username or e-mail is login.
func (s *Store) MemberByLogin(ctx context.Context, login string) (*Member, error) {
	login = strings.TrimSpace(login)
	if strings.Contains(login, "@") {
		return s.memberWhere(ctx, s.DB, "email = ?", login)
	}
	return s.memberWhere(ctx, s.DB, "username = ?", login)
}

// Authenticate checks a login (username or e-mail) and password. Any
// mismatch is ErrUnauthenticated, with no hint which part was wrong.
func (s *Store) Authenticate(ctx context.Context, login, password string) (*Member, error) {
	if len(login) > 254 || len(password) > 4*MaxPasswordLen {
		return nil, ErrUnauthenticated
	}
	m, err := s.MemberByLogin(ctx, login)
	if errors.Is(err, ErrNotFound) {
		CheckPassword(dummyHash, password)
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if m.Status == StatusDeleted || !CheckPassword(m.PasswordHash, password) {
		return nil, ErrUnauthenticated
	}
	if err := s.barred(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// CountAdmins returns how many approved admins there are.
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM members WHERE role = 'admin' AND status = 'approved'`)
	return n, err
}

// SetLang stores a member's language choice ("sv", "en", or "" for the
// browser's).
func (s *Store) SetLang(ctx context.Context, memberID int64, lang string) error {
	if lang != "" && lang != "sv" && lang != "en" {
		return Invalid("lang", "error.field.choice")
	}
	_, err := s.DB.ExecContext(ctx, `UPDATE members SET lang = ? WHERE id = ?`, lang, memberID)
	return err
}

// ChangePassword sets a new password after checking the current one, and
// ends every other session.
func (s *Store) ChangePassword(ctx context.Context, m *Member, current, next string, keepSession int64) error {
	v := &ValidationError{}
	if !CheckPassword(m.PasswordHash, current) {
		v.Add("current_password", "error.password.wrong")
	}
	CheckNewPassword(v, "password", next)
	if err := v.Err(); err != nil {
		return err
	}
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE members SET password_hash = ? WHERE id = ?`, HashPassword(s.Hash, next), m.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE member_id = ? AND id <> ?`, m.ID, keepSession)
		return err
	})
}
