package moderation

import (
	"context"
	"errors"
	"strings"
	"testing"

	"kliv/forum"
	"kliv/i18n"

	"kliv/forum/dbtest"
)

// newTestService builds a Service on a fresh, migrated database file.
func newTestService(t *testing.T) *Service {
	t.Helper()
	ctx := context.Background()
	db, err := forum.Open(ctx, dbtest.Migrated(t, "mod.db", dbtest.Schema{Key: forum.SchemaKey(), Migrate: forum.MigrateURL}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := forum.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	store := forum.NewStore(db, "http://kliv.test")
	store.Hash = forum.TestPasswordParams
	return New(store, i18n.MustLoad())
}

func member(t *testing.T, s *Service, username string, role forum.Role, status forum.Status) *forum.Member {
	t.Helper()
	m, err := s.Store.CreateMember(context.Background(), s.Store.DB, forum.NewMember{Username: username, Email: username + "@example.se",
		DisplayName: username, Password: "ett långt lösenord", Role: role, Status: status})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ptr[T any](v T) *T { return &v }

func TestValidateAnswers(t *testing.T) {
	ok := func() Answers {
		return Answers{Workplace: "  Mölndals stad ", Role: "Enhetschef", StaffResponsibility: ptr(false),
			Sector: "municipality", Motivation: "Jag vill lära mig mer."}
	}
	cases := []struct {
		name   string
		edit   func(*Answers)
		accept bool
		fields map[string]string // field → message key; empty: valid
	}{
		{"valid", func(*Answers) {}, true, nil},
		{"no staff is an answer too", func(a *Answers) { a.StaffResponsibility = ptr(false) }, true, nil},
		{"rules not accepted", func(*Answers) {}, false, map[string]string{"accept_rules": "error.rules.accept"}},
		{"everything missing", func(a *Answers) { *a = Answers{} }, false, map[string]string{
			"workplace": "error.field.required", "role": "error.field.required", "staff_responsibility": "error.field.required",
			"sector": "error.field.required", "motivation": "error.field.required", "accept_rules": "error.rules.accept"}},
		{"blank is missing", func(a *Answers) { a.Workplace, a.Sector = "   ", " " }, true, map[string]string{
			"workplace": "error.field.required", "sector": "error.field.required"}},
		{"too short", func(a *Answers) { a.Workplace, a.Role, a.Motivation = "x", "y", "kort" }, true, map[string]string{
			"workplace": "error.field.short", "role": "error.field.short", "motivation": "error.field.short"}},
		{"too long", func(a *Answers) {
			a.Workplace, a.Role, a.Motivation = strings.Repeat("å", 201), strings.Repeat("é", 201), strings.Repeat("ö", 2001)
		}, true, map[string]string{"workplace": "error.field.long", "role": "error.field.long", "motivation": "error.field.long"}},
		{"longest allowed", func(a *Answers) {
			a.Workplace, a.Role, a.Motivation = strings.Repeat("å", 200), strings.Repeat("é", 200), strings.Repeat("ö", 2000)
		}, true, nil},
		{"one line only", func(a *Answers) { a.Workplace, a.Role = "Mölndal\nstad", "chef\nx" }, true, map[string]string{
			"workplace": "error.field.oneline", "role": "error.field.oneline"}},
		{"motivation may span lines", func(a *Answers) { a.Motivation = "Första raden.\r\n\r\nAndra raden." }, true, nil},
		{"control characters", func(a *Answers) { a.Workplace, a.Motivation = "Möln\x00dal", "Hej\x1b[31m där alla" }, true, map[string]string{
			"workplace": "error.field.control", "motivation": "error.field.control"}},
		{"invalid UTF-8", func(a *Answers) { a.Role = "chef \xff" }, true, map[string]string{"role": "error.field.utf8"}},
		{"unknown sector", func(a *Answers) { a.Sector = "privat" }, true, map[string]string{"sector": "error.field.choice"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := ok()
			tc.edit(&a)
			v := &forum.ValidationError{}
			ValidateAnswers(v, &a, tc.accept)
			if len(v.Fields) != len(tc.fields) {
				t.Fatalf("fields %v, want %v", v.Fields, tc.fields)
			}
			for f, key := range tc.fields {
				if got := v.Fields[f].Key; got != key {
					t.Errorf("%s: %q, want %q", f, got, key)
				}
			}
			if len(tc.fields) == 0 {
				if v.Err() != nil {
					t.Fatalf("valid answers refused: %v", v)
				}
				if a.Workplace != strings.TrimSpace(a.Workplace) || strings.Contains(a.Motivation, "\r") {
					t.Errorf("answers not normalised: %+v", a)
				}
			} else if !errors.Is(v.Err(), forum.ErrInvalid) {
				t.Errorf("not ErrInvalid: %v", v.Err())
			}
		})
	}
}

func TestSectorAliases(t *testing.T) {
	for in, want := range map[string]string{
		"state": "state", "stat": "state", "Staten": "state", " STAT ": "state",
		"region": "region", "Region": "region", "regionen": "region",
		"municipality": "municipality", "kommun": "municipality", "Kommun": "municipality", "kommunen": "municipality",
		"other": "other", "annat": "other", "Annan": "other",
	} {
		a := Answers{Workplace: "Mölndals stad", Role: "Enhetschef", StaffResponsibility: ptr(true), Sector: in, Motivation: "Jag vill lära mig mer."}
		v := &forum.ValidationError{}
		ValidateAnswers(v, &a, true)
		if v.Err() != nil || a.Sector != want {
			t.Errorf("sector %q: %q, %v; want %q", in, a.Sector, v.Err(), want)
		}
	}
	// Every code the form offers is accepted as itself and has a name.
	b := i18n.MustLoad()
	for _, code := range Sectors {
		a := Answers{Workplace: "Mölndals stad", Role: "Enhetschef", StaffResponsibility: ptr(true), Sector: code, Motivation: "Jag vill lära mig mer."}
		v := &forum.ValidationError{}
		ValidateAnswers(v, &a, true)
		if v.Err() != nil || a.Sector != code {
			t.Errorf("form sector %q refused", code)
		}
		if !b.Has("sector." + code) {
			t.Errorf("sector %q has no name", code)
		}
	}
	for _, bad := range []string{"privat", "kommun x", "företag", "municipalityy"} {
		a := Answers{Sector: bad}
		v := &forum.ValidationError{}
		ValidateAnswers(v, &a, true)
		if v.Fields["sector"].Key != "error.field.choice" {
			t.Errorf("sector %q: %v", bad, v.Fields["sector"])
		}
	}
}

func TestRejectReasons(t *testing.T) {
	s := newTestService(t)
	for _, code := range RejectReasons {
		for _, in := range []string{code, "preset:" + code, "  " + code + "\n"} {
			got, err := NormalizeReason(in)
			if err != nil || got != "preset:"+code {
				t.Errorf("reason %q: %q %v", in, got, err)
			}
		}
		for _, lang := range []string{"sv", "en"} {
			if txt := s.ReasonText(context.Background(), lang, "preset:"+code); txt == "" || strings.HasPrefix(txt, "join.reason.") {
				t.Errorf("reason %s has no %s text: %q", code, lang, txt)
			}
		}
	}
	if got, err := NormalizeReason(" Fritext, på två\r\nrader. "); err != nil || got != "Fritext, på två\nrader." {
		t.Errorf("free text: %q %v", got, err)
	}
	if got := s.ReasonText(context.Background(), "en", "Fritext"); got != "Fritext" {
		t.Errorf("free text shown as %q", got)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("x", 1001), "a\x00b"} {
		if _, err := NormalizeReason(bad); !errors.Is(err, forum.ErrInvalid) {
			t.Errorf("reason %q accepted: %v", bad, err)
		}
	}
}

func TestRoles(t *testing.T) {
	ctx := context.Background()
	s := newTestService(t)
	admin := member(t, s, "ada", forum.RoleAdmin, forum.StatusApproved)
	mod := member(t, s, "moa", forum.RoleModerator, forum.StatusApproved)
	plain := member(t, s, "mia", forum.RoleMember, forum.StatusApproved)
	applicant := member(t, s, "pia", forum.RoleMember, forum.StatusPending)
	roleOf := func(username string) forum.Role {
		m, err := s.Store.MemberByUsername(ctx, username)
		if err != nil {
			t.Fatal(err)
		}
		return m.Role
	}

	// Only admins grant and revoke.
	for _, actor := range []*forum.Member{mod, plain, applicant, nil} {
		if err := s.SetRole(ctx, actor, "mia", forum.RoleModerator); !errors.Is(err, forum.ErrForbidden) {
			t.Errorf("%v grants a role: %v", actor, err)
		}
	}
	// A pending admin account is no admin.
	pendingAdmin := member(t, s, "pam", forum.RoleAdmin, forum.StatusPending)
	if err := s.SetRole(ctx, pendingAdmin, "mia", forum.RoleModerator); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("pending admin grants a role: %v", err)
	}
	if err := s.SetRole(ctx, admin, "mia", forum.RoleModerator); err != nil {
		t.Fatal(err)
	}
	if roleOf("mia") != forum.RoleModerator {
		t.Fatal("mia is no moderator")
	}
	if err := s.SetRole(ctx, admin, "moa", forum.RoleMember); err != nil {
		t.Fatal(err)
	}
	if roleOf("moa") != forum.RoleMember {
		t.Fatal("moa is still a moderator")
	}
	// Setting the role she has is no change and no audit line.
	if err := s.SetRole(ctx, admin, "mia", forum.RoleModerator); err != nil {
		t.Fatal(err)
	}
	// Bad input.
	if err := s.SetRole(ctx, admin, "mia", forum.Role("owner")); !errors.Is(err, forum.ErrInvalid) {
		t.Errorf("unknown role: %v", err)
	}
	if err := s.SetRole(ctx, admin, "nobody", forum.RoleModerator); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("unknown member: %v", err)
	}
	if err := s.SetRole(ctx, admin, "pia", forum.RoleModerator); !errors.Is(err, forum.ErrConflict) {
		t.Errorf("role for an applicant: %v", err)
	}

	// The last admin cannot step down; with a second one she can.
	for _, role := range []forum.Role{forum.RoleMember, forum.RoleModerator} {
		if err := s.SetRole(ctx, admin, "ada", role); !errors.Is(err, forum.ErrConflict) {
			t.Errorf("last admin steps down to %s: %v", role, err)
		}
	}
	if err := s.SetRole(ctx, admin, "mia", forum.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, admin, "ada", forum.RoleModerator); err != nil {
		t.Fatalf("admin steps down with another admin there: %v", err)
	}
	mia, _ := s.Store.MemberByUsername(ctx, "mia")
	if err := s.SetRole(ctx, mia, "mia", forum.RoleMember); !errors.Is(err, forum.ErrConflict) {
		t.Errorf("the new last admin steps down: %v", err)
	}

	// Every change is in the audit log, by its actor.
	es, _, err := s.Store.AuditLog(ctx, mia, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, *e.Actor+" "+e.Action+" "+*e.Target+" "+e.Detail)
	}
	want := []string{
		"ada member.role ada admin → moderator",
		"ada member.role mia moderator → admin",
		"ada member.role moa moderator → member",
		"ada member.role mia member → moderator",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, _, err := s.Store.AuditLog(ctx, mod, 0, 50); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("a non-admin reads the audit log: %v", err)
	}
	// Staff lists moderators and admins only.
	if _, err := s.Store.Staff(ctx, mod); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("a non-admin lists the staff: %v", err)
	}
	staff, err := s.Store.Staff(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range staff {
		names = append(names, m.Username)
	}
	if strings.Join(names, ",") != "mia,ada" {
		t.Errorf("staff: %v", names)
	}
}

// Deciding twice, deciding as a non-moderator and a batch with a decided
// request in it.
func TestDecisions(t *testing.T) {
	ctx := context.Background()
	s := newTestService(t)
	mod := member(t, s, "moa", forum.RoleModerator, forum.StatusApproved)
	plain := member(t, s, "mia", forum.RoleMember, forum.StatusApproved)
	apply := func(u, lang string) *JoinRequest {
		jr, m, err := s.Apply(ctx, Application{Username: u, Email: u + "@example.se", Password: "ett långt lösenord",
			DisplayName: u, Answers: Answers{Workplace: "Mölndals stad", Role: "Enhetschef", StaffResponsibility: ptr(true),
				Sector: "kommun", Motivation: "Jag vill lära mig mer."}, AcceptRules: true, Lang: lang})
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != forum.StatusPending || jr.Status != "pending" || jr.Sector != "municipality" {
			t.Fatalf("applied: %+v %+v", m, jr)
		}
		return jr
	}
	a, b, c := apply("ada", "en"), apply("bea", ""), apply("cia", "sv")
	if _, err := s.Approve(ctx, plain, a.ID); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("member approves: %v", err)
	}
	if _, _, err := s.JoinRequests(ctx, plain, "pending", 0, 10); !errors.Is(err, forum.ErrForbidden) {
		t.Errorf("member lists: %v", err)
	}
	if n, _ := s.CountPending(ctx, plain); n != 0 {
		t.Errorf("a member sees %d waiting requests", n)
	}
	if n, _ := s.CountPending(ctx, mod); n != 3 {
		t.Errorf("pending %d", n)
	}
	if _, err := s.Approve(ctx, mod, a.ID); err != nil {
		t.Fatal(err)
	}
	res := s.DecideMany(ctx, mod, []int64{a.ID, b.ID, 999, c.ID}, false, "no_staff", false)
	var errs []string
	for _, d := range res {
		switch {
		case d.Err == nil:
			errs = append(errs, "ok")
		case errors.Is(d.Err, forum.ErrConflict):
			errs = append(errs, "conflict")
		case errors.Is(d.Err, forum.ErrNotFound):
			errs = append(errs, "not found")
		default:
			errs = append(errs, d.Err.Error())
		}
	}
	if strings.Join(errs, ",") != "conflict,ok,not found,ok" {
		t.Errorf("batch: %v", errs)
	}
	// Small pages: next continues where the last ended.
	js, next, err := s.JoinRequests(ctx, mod, "rejected", 0, 1)
	if err != nil || len(js) != 1 || js[0].ID != c.ID || next != c.ID {
		t.Fatalf("page 1: %v %d %v", js, next, err)
	}
	js, next, err = s.JoinRequests(ctx, mod, "rejected", next, 1)
	if err != nil || len(js) != 1 || js[0].ID != b.ID || next != 0 {
		t.Fatalf("page 2: %v %d %v", js, next, err)
	}
	// Each decision mailed in the applicant's language.
	var mails []struct {
		To      string `db:"to_addr"`
		Subject string `db:"subject"`
	}
	if err := s.Store.DB.Select(&mails, `SELECT to_addr, subject FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := []string{"ada@example.se Welcome to Kliv", "bea@example.se Besked om din ansökan till Kliv", "cia@example.se Besked om din ansökan till Kliv"}
	var got []string
	for _, m := range mails {
		got = append(got, m.To+" "+m.Subject)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("mails:\n%s", strings.Join(got, "\n"))
	}
}
