package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"kliv/forum"
	"kliv/forum/dbtest"
)

var setupLinkRE = regexp.MustCompile(`http://kliv\.test/setup\?token=([A-Za-z0-9_-]+)`)

func TestFirstRunSetup(t *testing.T) {
	a := newTestApp(t)
	visitor := newTestClient(t, a)
	visitor.get("/").wantStatus(http.StatusOK).contains("Kliv är inte installerat än")

	var out bytes.Buffer
	if err := a.announceSetup(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	m := setupLinkRE.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no setup link in %q", out.String())
	}
	tok := m[1]
	// A restart prints a new link; the old one dies.
	out.Reset()
	if err := a.announceSetup(t.Context(), &out); err != nil {
		t.Fatal(err)
	}
	old, tok := tok, setupLinkRE.FindStringSubmatch(out.String())[1]
	if old == tok {
		t.Fatal("the same setup token twice")
	}

	c := newTestClient(t, a)
	c.get("/setup?token=" + old).wantStatus(http.StatusForbidden).contains("Installationslänken är ogiltig.")
	c.get("/setup?token=wrong").wantStatus(http.StatusForbidden)
	c.get("/setup").wantStatus(http.StatusForbidden)
	c.get("/setup?token="+tok).wantStatus(http.StatusOK).contains("Skapa den första administratören", `name="token" value="`+tok+`"`)

	form := url.Values{"token": {tok}, "username": {"ada"}, "display_name": {"Ada Admin"}, "email": {"ada@kliv.se"}, "password": {"ett långt lösenord"}}
	bad := cloneValues(form)
	bad.Set("password", "kort")
	bad.Set("email", "nope")
	c.postForm("/setup", bad).wantStatus(http.StatusBadRequest).contains("Lösenordet behöver minst 10 tecken.", "Skriv en e-postadress", `value="Ada Admin"`)
	wrong := cloneValues(form)
	wrong.Set("token", "wrong")
	c.postForm("/setup", wrong).wantStatus(http.StatusForbidden)
	if n := countRows(t, a, "members"); n != 0 {
		t.Fatalf("%d members after refused setups", n)
	}

	r := c.postForm("/setup", form).wantStatus(http.StatusSeeOther)
	if r.location() != "/" || !c.hasSession() {
		t.Fatalf("setup: %q, session %v", r.location(), c.hasSession())
	}
	c.get("/").wantStatus(http.StatusOK).contains("Klart! Du är administratör för Kliv.", `href="/admin"`)
	s := c.api("GET", "/api/v1/session", nil).json()
	if s["username"] != "ada" || s["role"] != "admin" || s["status"] != "approved" {
		t.Fatalf("first admin: %v", s)
	}

	// The link is dead now, and so is setup itself.
	newTestClient(t, a).get("/setup?token=" + tok).wantStatus(http.StatusConflict).contains("Kliv har redan en administratör.")
	form.Set("username", "eve")
	form.Set("email", "eve@kliv.se")
	newTestClient(t, a).postForm("/setup", form).wantStatus(http.StatusConflict)
	if n := countRows(t, a, "members"); n != 1 {
		t.Fatalf("%d members", n)
	}
	visitor.get("/").wantStatus(http.StatusOK).lacks("Kliv är inte installerat än")
	out.Reset()
	if err := a.announceSetup(t.Context(), &out); err != nil || out.Len() != 0 {
		t.Fatalf("announce with an admin: %v %q", err, out.String())
	}
}

// runKliv runs the command line as main would, with no environment.
func runKliv(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestAdminCreateCommand(t *testing.T) {
	t.Chdir(t.TempDir()) // nothing may land in the working directory
	db := filepath.Join(t.TempDir(), "kliv.db")

	out, _, err := runKliv(t, "", "admin", "create", "--username", "ada", "--email", "ada@kliv.se", "--password", "ett långt lösenord", "--db", db)
	if err != nil || out != "created admin ada\n" {
		t.Fatalf("admin create: %v %q", err, out)
	}
	out, _, err = runKliv(t, "ett annat långt lösenord\n", "admin", "create", "--username", "bea", "--email", "bea@kliv.se", "--db", db, "--display-name", "Bea B")
	if err != nil || out != "created admin bea\n" {
		t.Fatalf("admin create, password on stdin: %v %q", err, out)
	}
	// Without a final newline too.
	if _, _, err = runKliv(t, "tredje långa lösenordet", "admin", "create", "--username", "cia", "--email", "cia@kliv.se", "--db", db); err != nil {
		t.Fatalf("admin create, stdin without newline: %v", err)
	}

	a := newTestApp(t, func(c *Config) { c.DB = db })
	for user, pw := range map[string]string{"ada": "ett långt lösenord", "bea": "ett annat långt lösenord", "cia": "tredje långa lösenordet"} {
		m, err := a.store.Authenticate(t.Context(), user, pw)
		if err != nil || m.Role != forum.RoleAdmin || m.Status != forum.StatusApproved {
			t.Fatalf("%s: %v %+v", user, err, m)
		}
	}
	if m, _ := a.store.MemberByUsername(t.Context(), "bea"); m.DisplayName != "Bea B" {
		t.Errorf("display name %q", m.DisplayName)
	}

	for _, args := range [][]string{
		{"admin"},
		{"admin", "delete"},
		{"admin", "create", "--bogus"},
		{"admin", "create", "--username", "dora"},
		{"admin", "create", "--email", "dora@kliv.se"},
		{"admin", "create", "--username", "dora", "--email", "dora@kliv.se"}, // no password anywhere
		{"admin", "create", "--username", "dora", "--email", "dora@kliv.se", "--password", "kort"},
		{"admin", "create", "--username", "ada", "--email", "x@kliv.se", "--password", "ett långt lösenord"},
		{"admin", "create", "--username", "d o", "--email", "nope", "--password", "ett långt lösenord"},
		{"admin", "create", "--username", "dora", "--email", "dora@kliv.se", "--password", "ett långt lösenord", "extra"},
		{"token"},
		{"token", "create"},
		{"token", "create", "--username", "nobody"},
		{"backup"},
		{"bogus"},
		{"serve", "--rate-limits", "maybe"},
		{"serve", "--addr", "nonsense"},
		{"serve", "--base-url", "ftp://x"},
		{"serve", "--smtp", "http://x"},
		{"serve", "extra"},
		{"--bogus"},
	} {
		full := args
		if len(args) > 1 && (args[0] == "admin" || args[0] == "token") || args[0] == "backup" {
			full = append(append([]string(nil), args...), "--db", db)
		}
		_, _, err := runKliv(t, "", full...)
		if err == nil {
			t.Errorf("kliv %s: no error", strings.Join(args, " "))
			continue
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || msg == "" {
			t.Errorf("kliv %s: error is not one line: %q", strings.Join(args, " "), msg)
		}
	}
	// Refused before the database is opened: no kliv.db appears here.
	for _, args := range [][]string{
		{"admin", "create", "--username", "dora"},
		{"admin", "create", "--username", "dora", "--email", "dora@kliv.se"},
		{"token", "create"},
		{"backup"},
	} {
		if _, _, err := runKliv(t, "", args...); err == nil {
			t.Errorf("kliv %s: no error", strings.Join(args, " "))
		}
	}
	// The messages say what is wrong, in English.
	for args, want := range map[string]string{
		"--username dora --email dora@kliv.se --password kort":           "admin create: password: The password needs at least 10 characters.",
		"--username ada --email x@kliv.se --password ett-långt-lösenord": "admin create: username: ",
	} {
		_, _, err := runKliv(t, "", append(append([]string{"admin", "create"}, strings.Fields(args)...), "--db", db)...)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("admin create %s: %v, want %q…", args, err, want)
		}
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("files left in the working directory: %v", entries)
	}
	if n := countRows(t, a, "members"); n != 3 {
		t.Errorf("%d members after the refused commands, want 3", n)
	}
}

func TestServeFailsFast(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	_, _, err := runKliv(t, "", "serve", "--addr", "127.0.0.1:0", "--db", "/nonexistent-dir/x.db")
	if err == nil || strings.ContainsAny(err.Error(), "\n") || !strings.Contains(err.Error(), "/nonexistent-dir") {
		t.Errorf("serve on a missing folder: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	start := time.Now()
	var out, errOut bytes.Buffer
	err = run(ctx, []string{"serve", "--addr", ln.Addr().String(), "--db", filepath.Join(dir, "k.db")},
		func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if err == nil || strings.ContainsAny(err.Error(), "\n") || time.Since(start) > 5*time.Second {
		t.Errorf("serve on a port in use: %v after %v", err, time.Since(start))
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Serve starts with nothing configured but the address and the file,
// prints the setup link, answers /healthz, and stops cleanly.
func TestServeRunsAndStops(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	db := filepath.Join(t.TempDir(), "k.db")
	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		env := map[string]string{"KLIV_DB": db, "KLIV_RATE_LIMITS": "off"}
		done <- run(ctx, []string{"serve", "--addr", addr}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	}()
	deadline := time.Now().Add(10 * time.Second)
	var res *http.Response
	for time.Now().Before(deadline) {
		if res, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		cancel()
		t.Fatalf("server did not answer: %v; stderr: %s", err, errOut.String())
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("healthz: %d", res.StatusCode)
	}
	if !strings.Contains(out.String(), "http://"+addr+"/setup?token=") {
		t.Errorf("no setup link on stdout: %q", out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("KLIV_DB not used: %v", err)
	}
}

func TestBackupCommand(t *testing.T) {
	dbtest.SkipOnPG(t, "checks the SQLite file VACUUM INTO writes; on PostgreSQL kliv backup runs pg_dump")
	a := newTestApp(t)
	mustCreateMember(t, a, "ada", forum.RoleAdmin, forum.StatusApproved)
	mustApply(t, a, "bea", "")
	out := filepath.Join(t.TempDir(), "copy.db")
	if stdout, _, err := runKliv(t, "", "backup", "--out", out, "--db", a.cfg.DB); err != nil || !strings.Contains(stdout, out) {
		t.Fatalf("backup: %v %q", err, stdout)
	}
	b := newTestApp(t, func(c *Config) { c.DB = out })
	if n := countRows(t, b, "members"); n != 2 {
		t.Fatalf("backup has %d members", n)
	}
	if n := countRows(t, b, "join_requests"); n != 1 {
		t.Fatalf("backup has %d join requests", n)
	}
	if _, err := b.store.Authenticate(t.Context(), "ada", testPassword); err != nil {
		t.Fatalf("sign in on the copy: %v", err)
	}
	// It never overwrites.
	if _, _, err := runKliv(t, "", "backup", "--out", out, "--db", a.cfg.DB); err == nil {
		t.Fatal("backup overwrote a file")
	}
}

func TestConfig(t *testing.T) {
	resolve := func(args []string, env map[string]string) (Config, error) {
		fs := newFlagSet("serve", nil)
		r := configFlags(fs, func(k string) string { return env[k] })
		if err := fs.Parse(args); err != nil {
			return Config{}, err
		}
		return r()
	}
	c, err := resolve(nil, nil)
	if err != nil || c != (Config{Addr: "127.0.0.1:8080", DB: "kliv.db", BaseURL: "http://127.0.0.1:8080", RateLimits: true,
		Screening: ScreeningConfig{RetentionDays: 30, QueueAlertHours: 48, ConfirmRoleMonths: 12, ConfirmGraceDays: 30, ClaimMinutes: 30, InviteDays: 14}}) {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	env := map[string]string{"KLIV_ADDR": "0.0.0.0:9000", "KLIV_DB": "/data/k.db", "KLIV_BASE_URL": "https://kliv.se/",
		"KLIV_SMTP": "smtp://u:p@mail.example:587?from=kliv@kliv.se", "KLIV_RATE_LIMITS": "off"}
	c, err = resolve(nil, env)
	if err != nil || c != (Config{Addr: "0.0.0.0:9000", DB: "/data/k.db", BaseURL: "https://kliv.se", SMTP: env["KLIV_SMTP"],
		Screening: ScreeningConfig{RetentionDays: 30, QueueAlertHours: 48, ConfirmRoleMonths: 12, ConfirmGraceDays: 30, ClaimMinutes: 30, InviteDays: 14}}) {
		t.Fatalf("environment: %+v %v", c, err)
	}
	if !c.Secure() || c.Origin() != "https://kliv.se" {
		t.Errorf("https: Secure %v Origin %q", c.Secure(), c.Origin())
	}
	c, err = resolve([]string{"--addr", "127.0.0.1:7000", "--db", "x.db", "--rate-limits", "on", "--base-url", "http://localhost:7000"}, env)
	if err != nil || c.Addr != "127.0.0.1:7000" || c.DB != "x.db" || !c.RateLimits || c.BaseURL != "http://localhost:7000" || c.Secure() {
		t.Fatalf("flags beat the environment: %+v %v", c, err)
	}
	// An empty flag still beats the environment.
	if c, err = resolve([]string{"--smtp", ""}, env); err != nil || c.SMTP != "" {
		t.Fatalf("empty --smtp: %+v %v", c, err)
	}
	if c, _ = resolve([]string{"--addr", "127.0.0.1:7000"}, nil); c.BaseURL != "http://127.0.0.1:7000" {
		t.Errorf("base URL follows the address: %q", c.BaseURL)
	}
}
