package forum

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// newTestStore is a Store on a fresh, migrated database with a fake
// clock; move it with *now = now.Add(…).
func newTestStore(t *testing.T) (*Store, *time.Time) {
	t.Helper()
	db := openMigratedDB(t)
	s := NewStore(db, "http://kliv.test")
	s.Hash = TestPasswordParams
	now := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	return s, &now
}

func TestMembersAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	m, err := s.CreateMember(ctx, s.DB, NewMember{Username: " Anna ", Email: " Anna@Example.se ", DisplayName: " Anna A ", Password: "ett långt lösenord"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Username != "Anna" || m.Email != "Anna@Example.se" || m.DisplayName != "Anna A" || m.Role != RoleMember || m.Status != StatusPending ||
		m.ApprovedAt.Valid || m.PasswordHash == "ett långt lösenord" || !strings.HasPrefix(m.PasswordHash, "$argon2id$") {
		t.Fatalf("created: %+v", m)
	}
	for _, login := range []string{"Anna", "anna", "ANNA@example.SE", " anna "} {
		if got, err := s.Authenticate(ctx, login, "ett långt lösenord"); err != nil || got.ID != m.ID {
			t.Errorf("login %q: %v", login, err)
		}
	}
	for _, c := range [][2]string{{"anna", "ett långt lösenorD"}, {"nobody", "ett långt lösenord"}, {"", ""},
		{"anna", strings.Repeat("x", 5000)}, {strings.Repeat("a", 300), "x"}} {
		if _, err := s.Authenticate(ctx, c[0], c[1]); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("login %q/%q: %v", c[0], c[1], err)
		}
	}
	// Taken names and addresses, in any case, are field errors.
	_, err = s.CreateMember(ctx, s.DB, NewMember{Username: "ANNA", Email: "anna@example.se", DisplayName: "X", Password: "ett långt lösenord"})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Fields["username"].Key != "error.username.taken" || ve.Fields["email"].Key != "error.email.taken" {
		t.Fatalf("duplicate: %v", err)
	}
	// The database refuses a duplicate too, as ErrConflict.
	_, err = s.DB.Exec(`INSERT INTO members (username, email, display_name, password_hash, created_at) VALUES ('anna', 'x@y.se', 'x', 'x', ?)`, time.Now())
	if !errors.Is(translate(err), ErrConflict) {
		t.Errorf("translate UNIQUE: %v", translate(err))
	}
	if _, err := s.MemberByUsername(ctx, "nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing member: %v", err)
	}
	// Deleted accounts cannot sign in.
	if _, err := s.DB.Exec(`UPDATE members SET status = 'deleted' WHERE id = ?`, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "anna", "ett långt lösenord"); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("deleted member signs in: %v", err)
	}
}

func TestSessionsTokensResets(t *testing.T) {
	ctx := context.Background()
	s, now := newTestStore(t)
	advance := func(d time.Duration) { *now = now.Add(d) }
	m, err := s.CreateMember(ctx, s.DB, NewMember{Username: "anna", Email: "anna@example.se", DisplayName: "Anna", Password: "ett långt lösenord", Status: StatusApproved})
	if err != nil {
		t.Fatal(err)
	}

	tok, sess, err := s.CreateSession(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := s.DB.Get(&stored, `SELECT token_hash FROM sessions WHERE id = ?`, sess.ID); err != nil || stored == tok || stored != HashToken(tok) {
		t.Fatalf("session secret stored as %q", stored)
	}
	if got, gs, err := s.SessionMember(ctx, tok); err != nil || got.ID != m.ID || gs.CSRFToken != sess.CSRFToken || gs.Extended {
		t.Fatalf("session: %v %+v", err, gs)
	}
	advance(SessionLifetime - time.Hour)
	if _, gs, err := s.SessionMember(ctx, tok); err != nil || !gs.Extended {
		t.Fatalf("session near its end: %v %+v", err, gs)
	}
	advance(SessionLifetime - time.Minute) // extended above, so still alive
	if _, _, err := s.SessionMember(ctx, tok); err != nil {
		t.Fatalf("extended session: %v", err)
	}
	advance(SessionLifetime)
	if _, _, err := s.SessionMember(ctx, tok); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("expired session: %v", err)
	}
	for _, bad := range []string{"", "nope", strings.Repeat("x", 500)} {
		if _, _, err := s.SessionMember(ctx, bad); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("session %q: %v", bad, err)
		}
	}

	// API tokens: hashed, revocable by their owner only.
	api, err := s.CreateAPIToken(ctx, m.ID, "")
	if err != nil || !strings.HasPrefix(api, "kliv_") {
		t.Fatalf("token %q %v", api, err)
	}
	if got, err := s.TokenMember(ctx, api); err != nil || got.ID != m.ID {
		t.Fatalf("token member: %v", err)
	}
	ts, _ := s.APITokens(ctx, m.ID)
	if len(ts) != 1 || ts[0].Name != "API" || ts[0].LastUsedAt == nil {
		t.Fatalf("tokens: %+v", ts)
	}
	if err := s.RevokeAPIToken(ctx, m.ID+1, ts[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke another's token: %v", err)
	}
	if err := s.RevokeAPIToken(ctx, m.ID, ts[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIToken(ctx, m.ID, ts[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke twice: %v", err)
	}
	if _, err := s.TokenMember(ctx, api); !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("revoked token: %v", err)
	}
	if _, err := s.CreateAPIToken(ctx, m.ID, strings.Repeat("n", 81)); !errors.Is(err, ErrInvalid) {
		t.Errorf("long token name: %v", err)
	}

	// Password resets: single use, an hour long, and they end sessions.
	tok, _, _ = s.CreateSession(ctx, m.ID)
	if _, _, err := s.CreatePasswordReset(ctx, s.DB, "nobody@example.se"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("reset for nobody: %v", err)
	}
	_, r1, err := s.CreatePasswordReset(ctx, s.DB, "ANNA@example.se")
	if err != nil {
		t.Fatal(err)
	}
	_, r2, _ := s.CreatePasswordReset(ctx, s.DB, "anna@example.se")
	if err := s.CheckPasswordReset(ctx, r1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResetPassword(ctx, r1, "kort"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short password: %v", err)
	}
	if _, err := s.ResetPassword(ctx, r1, "ett nytt långt lösenord"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionMember(ctx, tok); !errors.Is(err, ErrUnauthenticated) {
		t.Error("session survived a reset")
	}
	// Spending one link spends the other outstanding ones too.
	for _, r := range []string{r1, r2} {
		if _, err := s.ResetPassword(ctx, r, "ännu ett långt lösenord"); !errors.Is(err, ErrNotFound) {
			t.Errorf("spent link: %v", err)
		}
	}
	if _, err := s.Authenticate(ctx, "anna", "ett nytt långt lösenord"); err != nil {
		t.Fatal(err)
	}
	_, r3, _ := s.CreatePasswordReset(ctx, s.DB, "anna@example.se")
	advance(ResetLifetime)
	if err := s.CheckPasswordReset(ctx, r3); !errors.Is(err, ErrNotFound) {
		t.Errorf("link an hour old: %v", err)
	}

	// Purging drops expired sessions and old links, nothing else.
	live, _, _ := s.CreateSession(ctx, m.ID)
	old, _, _ := s.CreateSession(ctx, m.ID)
	if _, err := s.DB.Exec(`UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, now.Add(-time.Second), HashToken(old)); err != nil {
		t.Fatal(err)
	}
	advance(24 * time.Hour)
	if err := s.PurgeExpired(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	s.DB.Get(&n, `SELECT COUNT(*) FROM sessions`)
	if n != 1 {
		t.Errorf("%d sessions after the purge, want 1", n)
	}
	if _, _, err := s.SessionMember(ctx, live); err != nil {
		t.Errorf("live session purged: %v", err)
	}
	s.DB.Get(&n, `SELECT COUNT(*) FROM password_resets`)
	if n != 0 {
		t.Errorf("%d reset links after the purge", n)
	}
}

func TestSetupToken(t *testing.T) {
	ctx := context.Background()
	s, _ := newTestStore(t)
	if p, err := s.SetupPending(ctx); err != nil || !p {
		t.Fatalf("pending: %v %v", p, err)
	}
	if err := s.CheckSetupToken(ctx, ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("no token made yet: %v", err)
	}
	tok, err := s.NewSetupToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nm := NewMember{Username: "ada", Email: "ada@kliv.se", DisplayName: "Ada", Password: "ett långt lösenord"}
	if _, err := s.CompleteSetup(ctx, "wrong", nm); !errors.Is(err, ErrForbidden) {
		t.Errorf("wrong token: %v", err)
	}
	bad := nm
	bad.Password = "kort"
	if _, err := s.CompleteSetup(ctx, tok, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("short password: %v", err)
	}
	m, err := s.CompleteSetup(ctx, tok, nm)
	if err != nil || m.Role != RoleAdmin || m.Status != StatusApproved || !m.ApprovedAt.Valid {
		t.Fatalf("setup: %+v %v", m, err)
	}
	if err := s.CheckSetupToken(ctx, tok); !errors.Is(err, ErrConflict) {
		t.Errorf("token after setup: %v", err)
	}
	nm.Username, nm.Email = "eve", "eve@kliv.se"
	if _, err := s.CompleteSetup(ctx, tok, nm); !errors.Is(err, ErrConflict) {
		t.Errorf("second setup: %v", err)
	}
	if p, _ := s.SetupPending(ctx); p {
		t.Error("still pending")
	}
}

func TestValidators(t *testing.T) {
	for in, ok := range map[string]bool{
		"anna": true, "Anna.Lind-2": true, "a_b": true, "ab": false, "-anna": false, "anna lind": false,
		"åsa": false, strings.Repeat("a", 30): true, strings.Repeat("a", 31): false, "anna@x": false,
	} {
		v := &ValidationError{}
		CheckUsername(v, "username", in)
		if (v.Err() == nil) != ok {
			t.Errorf("username %q: %v", in, v.Err())
		}
	}
	for in, ok := range map[string]bool{
		"anna@molndal.se": true, "anna.lind+kliv@vgregion.se": true, "anna@sub.example.se": true,
		"anna": false, "anna@localhost": false, "Anna <anna@x.se>": false, "anna@x.se, b@x.se": false,
		"@x.se": false, "anna@": false, "an na@x.se": false,
	} {
		v := &ValidationError{}
		CheckEmail(v, "email", in)
		if (v.Err() == nil) != ok {
			t.Errorf("e-mail %q: %v", in, v.Err())
		}
	}
	for in, key := range map[string]string{
		"": "error.password.short", "123456789": "error.password.short", "åäöåäöåäöå": "",
		strings.Repeat("p", 64): "", strings.Repeat("p", 256): "", strings.Repeat("p", 257): "error.field.long", "bad\xffpassword": "error.field.utf8",
	} {
		v := &ValidationError{}
		CheckNewPassword(v, "password", in)
		if got := v.Fields["password"].Key; got != key {
			t.Errorf("password of %d bytes: %q, want %q", len(in), got, key)
		}
	}
	if !errors.Is(Invalid("x", "k"), ErrInvalid) || !errors.Is(Refuse(ErrConflict, "k"), ErrConflict) {
		t.Error("sentinels")
	}
}
