package forum

import (
	"context"
	"fmt"
)

// Profile is what a member's page shows of her: her verified role line
// and what she has written.
type Profile struct {
	Member
	PostCount  int `db:"post_count"`
	TopicCount int `db:"topic_count"`
}

// Profile returns an approved member's profile for another member.
// Applicants, rejected and deleted accounts have no profile.
func (s *Store) Profile(ctx context.Context, viewer *Member, username string) (*Profile, error) {
	if !viewer.IsMember() {
		return nil, Refuse(ErrForbidden, "error.not_member")
	}
	var p Profile
	err := s.DB.GetContext(ctx, &p, `SELECT id, username, display_name, role, status, created_at, approved_at,
			role_title, workplace, sector,
			(SELECT COUNT(*) FROM posts WHERE author_id = members.id AND deleted_at IS NULL) AS post_count,
			(SELECT COUNT(*) FROM topics WHERE author_id = members.id) AS topic_count
		FROM members WHERE username = ? AND status = 'approved'`, username)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", translate(err))
	}
	return &p, nil
}
