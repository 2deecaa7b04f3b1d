package forum

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Mail modes: how a kind of notification reaches a member by mail.
const (
	MailInstant = "instant" // one mail at once ("Direkt")
	MailDaily   = "daily"   // in the daily digest
	MailWeekly  = "weekly"  // in the weekly digest
	MailNever   = "never"   // only on the site
)

// MailModes are the modes in the order the settings page shows them.
var MailModes = []string{MailInstant, MailDaily, MailWeekly, MailNever}

// MailKinds are the kinds of notification a member chooses a mail mode
// for, in the order the settings page shows them.
var MailKinds = []string{"reply", "mention", "message", "answer", "posted", "new_topic", "thanks", "join_decision", "reminder"}

// defaultMailModes are the modes of a member who chose nothing: what is
// addressed to her personally comes at once, the traffic of followed
// topics and categories once a day, thanks once a week.
var defaultMailModes = map[string]string{
	"reply":         MailInstant,
	"mention":       MailInstant,
	"answer":        MailInstant,
	"join_decision": MailInstant,
	"reminder":      MailInstant,
	"message":       MailInstant,
	"posted":        MailDaily,
	"new_topic":     MailDaily,
	"thanks":        MailWeekly,
}

// DefaultMailMode is the mode of a kind when the member chose none; an
// unknown kind is never mailed.
func DefaultMailMode(kind string) string {
	if m, ok := defaultMailModes[kind]; ok {
		return m
	}
	return MailNever
}

// IsMailKind reports whether kind is a kind of notification with a mail
// preference.
func IsMailKind(kind string) bool { _, ok := defaultMailModes[kind]; return ok }

// IsMailMode reports whether mode is one of MailModes.
func IsMailMode(mode string) bool {
	switch mode {
	case MailInstant, MailDaily, MailWeekly, MailNever:
		return true
	}
	return false
}

// MailPrefs maps every kind of notification to its mail mode.
type MailPrefs map[string]string

// Mode returns the mode of kind, its default when unset.
func (p MailPrefs) Mode(kind string) string {
	if m, ok := p[kind]; ok {
		return m
	}
	return DefaultMailMode(kind)
}

// MailPrefs returns a member's mail mode for every kind, defaults filled
// in.
func (s *Store) MailPrefs(ctx context.Context, memberID int64) (MailPrefs, error) {
	return s.mailPrefs(ctx, s.DB, memberID)
}

func (s *Store) mailPrefs(ctx context.Context, q sqlx.QueryerContext, memberID int64) (MailPrefs, error) {
	var rows []struct {
		Kind string `db:"kind"`
		Mode string `db:"mode"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT kind, mode FROM mail_prefs WHERE member_id = ?`, memberID); err != nil {
		return nil, fmt.Errorf("mail prefs: %w", err)
	}
	p := MailPrefs{}
	for _, k := range MailKinds {
		p[k] = DefaultMailMode(k)
	}
	for _, r := range rows {
		if IsMailKind(r.Kind) && IsMailMode(r.Mode) {
			p[r.Kind] = r.Mode
		}
	}
	return p, nil
}

// mailMode returns a member's mode for one kind.
func (s *Store) mailMode(ctx context.Context, q sqlx.QueryerContext, memberID int64, kind string) (string, error) {
	var modes []string
	if err := sqlx.SelectContext(ctx, q, &modes, `SELECT mode FROM mail_prefs WHERE member_id = ? AND kind = ?`, memberID, kind); err != nil {
		return "", fmt.Errorf("mail mode: %w", err)
	}
	if len(modes) == 1 && IsMailMode(modes[0]) {
		return modes[0], nil
	}
	return DefaultMailMode(kind), nil
}

// SetMailPrefs changes the modes of the kinds named in prefs; kinds not
// named keep theirs. An unknown kind or mode is a ValidationError on that
// kind, and then nothing changes.
func (s *Store) SetMailPrefs(ctx context.Context, memberID int64, prefs map[string]string) error {
	v := &ValidationError{}
	for k, m := range prefs {
		switch {
		case !IsMailKind(k):
			v.Add(k, "error.mailprefs.kind")
		case !IsMailMode(m):
			v.Add(k, "error.field.choice")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		for _, k := range MailKinds {
			m, ok := prefs[k]
			if !ok {
				continue
			}
			if err := setMailMode(ctx, tx, memberID, k, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// setMailMode stores one choice. A choice equal to the default is kept as
// no row, so that a member who never changed a kind follows the default
// even if it changes in a later version.
func setMailMode(ctx context.Context, ext sqlx.ExtContext, memberID int64, kind, mode string) error {
	var err error
	if mode == DefaultMailMode(kind) {
		_, err = ext.ExecContext(ctx, `DELETE FROM mail_prefs WHERE member_id = ? AND kind = ?`, memberID, kind)
	} else {
		_, err = ext.ExecContext(ctx, `INSERT INTO mail_prefs (member_id, kind, mode) VALUES (?, ?, ?)
			ON CONFLICT (member_id, kind) DO UPDATE SET mode = excluded.mode`, memberID, kind, mode)
	}
	if err != nil {
		return fmt.Errorf("set mail mode: %w", translate(err))
	}
	return nil
}
