package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
	"kliv/i18n"
)

// parseCommand resolves a command's flags without opening anything, so a
// command can refuse bad flags before it creates a database file.
func parseCommand(name string, args []string, getenv func(string) string, stderr io.Writer, declare func(fs flagDecl)) (Config, error) {
	fs := newFlagSet(name, stderr)
	resolve := configFlags(fs, getenv)
	if declare != nil {
		declare(fs)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, fmt.Errorf("%s: %w", name, err)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	return resolve()
}

// openCommandApp opens the app for a command, logging warnings only.
func openCommandApp(ctx context.Context, cfg Config, stderr io.Writer) (*app, error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return openApp(ctx, cfg, logger)
}

type flagDecl = interface {
	String(string, string, string) *string
	Int(string, int, string) *int
}

// cmdAdminCreate creates an approved admin; the password comes from
// --password or the first line of standard input.
func cmdAdminCreate(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var username, email, password, display *string
	cfg, err := parseCommand("admin create", args, getenv, stderr, func(fs flagDecl) {
		username = fs.String("username", "", "username")
		email = fs.String("email", "", "e-mail address")
		password = fs.String("password", "", "password (default: read from standard input)")
		display = fs.String("display-name", "", "display name (default: the username)")
	})
	if err != nil {
		return err
	}
	if *username == "" || *email == "" {
		return errors.New("admin create: --username and --email are required")
	}
	pw := *password
	if pw == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			return errors.New("admin create: no password on standard input (or give --password)")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	name := *display
	if name == "" {
		name = *username
	}
	nm := forum.NewMember{Username: *username, Email: *email, DisplayName: name,
		Password: pw, Role: forum.RoleAdmin, Status: forum.StatusApproved}
	// Bad input is refused before a database file is created for it.
	v := &forum.ValidationError{}
	nm.Validate(v)
	if err := v.Err(); err != nil {
		return fmt.Errorf("admin create: %s", plainValidation(err))
	}
	a, err := openCommandApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	// The operator's own door into the forum: written to the audit log
	// like every other way in, with the system as the actor.
	var m *forum.Member
	err = forum.InTx(ctx, a.db, func(tx *sqlx.Tx) error {
		var err error
		if m, err = a.store.CreateMember(ctx, tx, nm); err != nil {
			return err
		}
		return a.store.Audit(ctx, tx, forum.AuditLine{Action: "member.create", TargetType: "member", TargetID: m.ID, Detail: "command_line"})
	})
	if err != nil {
		return fmt.Errorf("admin create: %s", a.plainError(err))
	}
	fmt.Fprintf(stdout, "created admin %s\n", m.Username)
	return nil
}

// cmdTokenCreate prints a new API token for a member, and nothing else.
func cmdTokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var username, name *string
	cfg, err := parseCommand("token create", args, getenv, stderr, func(fs flagDecl) {
		username = fs.String("username", "", "username")
		name = fs.String("name", "cli", "a name for the token")
	})
	if err != nil {
		return err
	}
	if *username == "" {
		return errors.New("token create: --username is required")
	}
	a, err := openCommandApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	m, err := a.store.MemberByUsername(ctx, *username)
	if err != nil {
		if errors.Is(err, forum.ErrNotFound) {
			return fmt.Errorf("token create: no member %q", *username)
		}
		return err
	}
	if m.Status == forum.StatusDeleted {
		return fmt.Errorf("token create: member %q is deleted", *username)
	}
	tok, err := a.store.CreateAPIToken(ctx, m.ID, *name)
	if err != nil {
		return fmt.Errorf("token create: %s", a.plainError(err))
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// cmdBackup writes a consistent copy of the (possibly live) database.
func cmdBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out *string
	cfg, err := parseCommand("backup", args, getenv, stderr, func(fs flagDecl) {
		out = fs.String("out", "", "the file to write")
	})
	if err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: --out FILE is required")
	}
	if forum.IsPostgresURL(cfg.DB) {
		if err := forum.BackupPG(ctx, cfg.DB, *out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "backup written to %s (pg_dump custom format; restore with pg_restore)\n", *out)
		return nil
	}
	a, err := openCommandApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	if err := forum.Backup(ctx, a.db, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", *out)
	return nil
}

// cmdRestore replaces the database with a backup, refusing while a
// server runs on it.
func cmdRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var from *string
	cfg, err := parseCommand("restore", args, getenv, stderr, func(fs flagDecl) {
		from = fs.String("from", "", "the backup file to restore")
	})
	if err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore: --from FILE is required")
	}
	version, err := forum.Restore(ctx, *from, cfg.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s (schema version %04d)\n", cfg.DB, *from, version)
	return nil
}

// plainError renders a domain error as English text for the shell.
func (a *app) plainError(err error) string {
	var ve *forum.ValidationError
	if errors.As(err, &ve) {
		return plainValidation(err)
	}
	return errText(a.loc0("en"), err)
}

// plainValidation renders a ValidationError's messages in English, on
// one line.
func plainValidation(err error) string {
	var ve *forum.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	b := i18n.MustLoad()
	var parts []string
	for _, f := range ve.Order {
		m := ve.Fields[f]
		parts = append(parts, f+": "+b.T("en", m.Key, m.Args...))
	}
	return strings.Join(parts, "; ")
}
