package forum

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// The rules of a profile change, field by field.
func TestUpdateProfileRules(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	m, err := s.CreateMember(ctx, s.DB, NewMember{Username: "anna", Email: "anna@example.se", DisplayName: "Anna", Password: "ett långt lösenord", Status: StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	str := func(v string) *string { return &v }
	type want struct{ region, municipality, errField, errKey string }
	for _, c := range []struct {
		name string
		u    ProfileUpdate
		want want
	}{
		{"municipality alone gives its region", ProfileUpdate{Municipality: str("1481")}, want{"14", "1481", "", ""}},
		{"a new municipality moves the region", ProfileUpdate{Municipality: str("2584")}, want{"25", "2584", "", ""}},
		{"a new region drops a municipality outside it", ProfileUpdate{Region: str("12")}, want{"12", "", "", ""}},
		{"both, matching", ProfileUpdate{Region: str("12"), Municipality: str("1280")}, want{"12", "1280", "", ""}},
		{"both, not matching", ProfileUpdate{Region: str("01"), Municipality: str("1280")}, want{"12", "1280", "municipality", "profiles.error.municipality_region"}},
		{"unknown region", ProfileUpdate{Region: str("00")}, want{"12", "1280", "region", "error.field.choice"}},
		{"unknown municipality", ProfileUpdate{Municipality: str("0000")}, want{"12", "1280", "municipality", "error.field.choice"}},
		{"region cleared with municipality kept", ProfileUpdate{Region: str("")}, want{"12", "1280", "", ""}},
		{"both cleared", ProfileUpdate{Region: str(""), Municipality: str("")}, want{"", "", "", ""}},
		{"unknown sector", ProfileUpdate{Sector: str("bank")}, want{"", "", "sector", "error.field.choice"}},
		{"unknown area", ProfileUpdate{Areas: &[]string{"school", "golf"}}, want{"", "", "areas", "error.field.choice"}},
		{"unknown visibility", ProfileUpdate{Visible: map[string]bool{"email": true}}, want{"", "", "visible.email", "profiles.error.unknown_field"}},
		{"bio too long", ProfileUpdate{Bio: str(strings.Repeat("å", MaxBioLen+1))}, want{"", "", "bio", "error.field.long"}},
		{"bio with a NUL", ProfileUpdate{Bio: str("a\x00b")}, want{"", "", "bio", "error.field.control"}},
		{"name required", ProfileUpdate{DisplayName: str("  ")}, want{"", "", "display_name", "error.field.required"}},
	} {
		_, err := s.UpdateProfile(ctx, m, c.u)
		var ve *ValidationError
		switch {
		case c.want.errField == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want.errField != "" && (!errors.As(err, &ve) || ve.Fields[c.want.errField].Key != c.want.errKey):
			t.Errorf("%s: %v %+v, want %s %s", c.name, err, ve, c.want.errField, c.want.errKey)
		}
		p, err := s.MyProfile(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if p.Region != c.want.region || p.Municipality != c.want.municipality {
			t.Errorf("%s: region %q municipality %q, want %q %q", c.name, p.Region, p.Municipality, c.want.region, c.want.municipality)
		}
	}
	// Areas are deduplicated and kept in the list's order.
	p, err := s.UpdateProfile(ctx, m, ProfileUpdate{Areas: &[]string{"school", " elderly_care", "school", ""}})
	if err != nil || fmt.Sprint(p.Areas) != "[elderly_care school]" {
		t.Errorf("areas %v %v", p.Areas, err)
	}
	// Applicants have no profile to edit.
	pending, _ := s.CreateMember(ctx, s.DB, NewMember{Username: "pia", Email: "pia@example.se", DisplayName: "Pia", Password: "ett långt lösenord"})
	if _, err := s.UpdateProfile(ctx, pending, ProfileUpdate{Bio: str("x")}); !errors.Is(err, ErrForbidden) {
		t.Errorf("applicant: %v", err)
	}
}

// Two changes of different fields at once both stay.
func TestUpdateProfileConcurrent(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	m, err := s.CreateMember(ctx, s.DB, NewMember{Username: "anna", Email: "anna@example.se", DisplayName: "Anna", Password: "ett långt lösenord", Status: StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(2)
		work, role := fmt.Sprintf("Org %d", i), fmt.Sprintf("Roll %d", i)
		go func() { defer wg.Done(); _, _ = s.UpdateProfile(ctx, m, ProfileUpdate{Workplace: &work}) }()
		go func() { defer wg.Done(); _, _ = s.UpdateProfile(ctx, m, ProfileUpdate{RoleTitle: &role}) }()
		wg.Wait()
		p, err := s.MyProfile(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if p.Workplace != work || p.RoleTitle != role {
			t.Fatalf("round %d: %q %q, one change lost", i, p.Workplace, p.RoleTitle)
		}
	}
}
