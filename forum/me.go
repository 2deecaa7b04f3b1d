package forum

import (
	"context"
	"fmt"
)

// Me is what a member sees of her own account and settings: the answer
// of GET /api/v1/me.
type Me struct {
	Member *Member `db:"-"`
	// RoleTitle, Workplace and Sector are her verified role line, from
	// her approved join request.
	RoleTitle string `db:"role_title"`
	Workplace string `db:"workplace"`
	Sector    string `db:"sector"`
	// AutoFollow is whether starting or replying to a topic follows it.
	AutoFollow bool `db:"auto_follow"`
	// FeedToken is her private feed token, made on first need.
	FeedToken string    `db:"-"`
	MailPrefs MailPrefs `db:"-"`
}

// Me returns m's own account and settings, making her feed token if she
// has none yet.
func (s *Store) Me(ctx context.Context, m *Member) (*Me, error) {
	if !m.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	me := &Me{}
	if err := s.DB.GetContext(ctx, me, `SELECT role_title, workplace, sector, auto_follow FROM members WHERE id = ?`, m.ID); err != nil {
		return nil, fmt.Errorf("me: %w", translate(err))
	}
	fresh, err := s.Member(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	me.Member = fresh
	if me.FeedToken, err = s.FeedToken(ctx, m.ID); err != nil {
		return nil, err
	}
	if me.MailPrefs, err = s.MailPrefs(ctx, m.ID); err != nil {
		return nil, err
	}
	return me, nil
}
