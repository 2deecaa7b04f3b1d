package moderation

import (
	"errors"
	"testing"
	"time"

	"kliv/forum"
)

// Who may sanction whom: moderators and admins, never herself or an
// admin.
func TestMaySanction(t *testing.T) {
	mk := func(id int64, role forum.Role, status forum.Status) *forum.Member {
		return &forum.Member{ID: id, Role: role, Status: status}
	}
	admin := mk(1, forum.RoleAdmin, forum.StatusApproved)
	mod := mk(2, forum.RoleModerator, forum.StatusApproved)
	other := mk(3, forum.RoleModerator, forum.StatusApproved)
	member := mk(4, forum.RoleMember, forum.StatusApproved)
	suspendedMod := mk(5, forum.RoleModerator, forum.StatusSuspended)
	admin2 := mk(6, forum.RoleAdmin, forum.StatusApproved)
	cases := []struct {
		name          string
		actor, target *forum.Member
		ok            bool
	}{
		{"moderator sanctions a member", mod, member, true},
		{"moderator sanctions another moderator", mod, other, true},
		{"admin sanctions a moderator", admin, mod, true},
		{"moderator sanctions an admin", mod, admin, false},
		{"admin sanctions another admin", admin, admin2, false},
		{"moderator sanctions herself", mod, mod, false},
		{"member sanctions a member", member, mk(7, forum.RoleMember, forum.StatusApproved), false},
		{"suspended moderator", suspendedMod, member, false},
		{"nobody", nil, member, false},
	}
	for _, tc := range cases {
		err := maySanction(tc.actor, tc.target)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
		if err != nil && !errors.Is(err, forum.ErrForbidden) {
			t.Errorf("%s: %v is not ErrForbidden", tc.name, err)
		}
	}
}

func TestParseUntil(t *testing.T) {
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	cases := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2030-05-01", time.Date(2030, 5, 1, 0, 0, 0, 0, stockholm), true},
		{"2030-05-01T12:00:00Z", time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC), true},
		{" 2030-05-01T14:00:00+02:00 ", time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC), true},
		{"", time.Time{}, false},
		{"2030-13-01", time.Time{}, false},
		{"1 maj", time.Time{}, false},
		{"2030-05-01 12:00", time.Time{}, false},
	}
	for _, tc := range cases {
		got, err := ParseUntil(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !got.Equal(tc.want)) {
			t.Errorf("ParseUntil(%q) = %v, %v", tc.in, got, err)
		}
		if err != nil && !errors.Is(err, forum.ErrInvalid) {
			t.Errorf("ParseUntil(%q): %v is not ErrInvalid", tc.in, err)
		}
	}
}
