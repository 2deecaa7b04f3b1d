package forum

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Unsubscribe scopes besides the kinds of notification: every kind, or
// every kind that comes in a digest.
const (
	ScopeAll    = "all"
	ScopeDigest = "digest"
)

// unsubscribeKey is the settings row holding the HMAC secret of
// unsubscribe links. It is made on first use and never changes: changing
// it would break the links in every mail already sent.
const unsubscribeKey = "unsubscribe_secret"

// macLen is how many bytes of the HMAC-SHA256 a link carries: 128 bits
// are beyond guessing and keep the link short.
const macLen = 16

// Unsubscribe is what a valid unsubscribe link stands for.
type Unsubscribe struct {
	Member *Member
	// Scope is a kind of notification, ScopeAll or ScopeDigest.
	Scope string
}

// validScope reports whether scope may appear in a link.
func validScope(scope string) bool {
	return scope == ScopeAll || scope == ScopeDigest || IsMailKind(scope)
}

// unsubscribeSecret returns the HMAC secret, making it on first use. Two
// processes racing to make it agree: the second insert does nothing and
// both read the first one's secret.
func unsubscribeSecret(ctx context.Context, ext sqlx.ExtContext) ([]byte, error) {
	var vals []string
	if err := sqlx.SelectContext(ctx, ext, &vals, `SELECT value FROM settings WHERE key = ?`, unsubscribeKey); err != nil {
		return nil, fmt.Errorf("unsubscribe secret: %w", err)
	}
	if len(vals) == 0 {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		if _, err := ext.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
			unsubscribeKey, hex.EncodeToString(b)); err != nil {
			return nil, fmt.Errorf("unsubscribe secret: %w", err)
		}
		if err := sqlx.SelectContext(ctx, ext, &vals, `SELECT value FROM settings WHERE key = ?`, unsubscribeKey); err != nil {
			return nil, fmt.Errorf("unsubscribe secret: %w", err)
		}
	}
	if len(vals) == 0 {
		return nil, errors.New("unsubscribe secret: missing after insert")
	}
	secret, err := hex.DecodeString(vals[0])
	if err != nil || len(secret) < 16 {
		return nil, errors.New("unsubscribe secret: malformed settings row")
	}
	return secret, nil
}

func unsubscribeMAC(secret []byte, payload string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("kliv-unsubscribe\x00" + payload))
	return h.Sum(nil)[:macLen]
}

// UnsubscribeToken signs "member memberID stops mail of scope". The token
// does not expire: a link in an old mail must still work.
func (s *Store) UnsubscribeToken(ctx context.Context, ext sqlx.ExtContext, memberID int64, scope string) (string, error) {
	if !validScope(scope) {
		return "", fmt.Errorf("unsubscribe token: unknown scope %q", scope)
	}
	secret, err := unsubscribeSecret(ctx, ext)
	if err != nil {
		return "", err
	}
	payload := strconv.FormatInt(memberID, 10) + "." + scope
	return payload + "." + base64.RawURLEncoding.EncodeToString(unsubscribeMAC(secret, payload)), nil
}

// UnsubscribeURL is the absolute one-click unsubscribe link for a mail.
func (s *Store) UnsubscribeURL(ctx context.Context, ext sqlx.ExtContext, memberID int64, scope string) (string, error) {
	tok, err := s.UnsubscribeToken(ctx, ext, memberID, scope)
	if err != nil {
		return "", err
	}
	return s.BaseURL + "/unsubscribe?t=" + url.QueryEscape(tok), nil
}

// errBadUnsubscribe is a link that was not made here, was changed, or
// belongs to an account that is gone.
var errBadUnsubscribe = Refuse(ErrNotFound, "error.unsubscribe.invalid")

// CheckUnsubscribe verifies an unsubscribe token without changing
// anything (the confirmation page, which mail scanners may fetch).
func (s *Store) CheckUnsubscribe(ctx context.Context, tok string) (*Unsubscribe, error) {
	return s.checkUnsubscribe(ctx, s.DB, tok)
}

func (s *Store) checkUnsubscribe(ctx context.Context, ext sqlx.ExtContext, tok string) (*Unsubscribe, error) {
	if len(tok) > 200 {
		return nil, errBadUnsubscribe
	}
	idText, rest, ok1 := strings.Cut(tok, ".")
	scope, sig, ok2 := strings.Cut(rest, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok1 || !ok2 || err != nil || id <= 0 || !validScope(scope) {
		return nil, errBadUnsubscribe
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(mac) != macLen {
		return nil, errBadUnsubscribe
	}
	secret, err := unsubscribeSecret(ctx, ext)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(mac, unsubscribeMAC(secret, idText+"."+scope)) {
		return nil, errBadUnsubscribe
	}
	m, err := s.memberWhere(ctx, ext, "id = ?", id)
	if errors.Is(err, ErrNotFound) || (err == nil && m.Status == StatusDeleted) {
		return nil, errBadUnsubscribe
	}
	if err != nil {
		return nil, err
	}
	return &Unsubscribe{Member: m, Scope: scope}, nil
}

// Unsubscribe applies a token: the kinds of its scope (every kind when
// all is set) are set to "never". Applying it twice changes nothing more.
func (s *Store) Unsubscribe(ctx context.Context, tok string, all bool) (*Unsubscribe, error) {
	var u *Unsubscribe
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var err error
		if u, err = s.checkUnsubscribe(ctx, tx, tok); err != nil {
			return err
		}
		if all {
			u.Scope = ScopeAll
		}
		prefs, err := s.mailPrefs(ctx, tx, u.Member.ID)
		if err != nil {
			return err
		}
		for _, k := range MailKinds {
			mode := prefs.Mode(k)
			hit := u.Scope == ScopeAll || u.Scope == k ||
				(u.Scope == ScopeDigest && (mode == MailDaily || mode == MailWeekly))
			if hit && mode != MailNever {
				if err := setMailMode(ctx, tx, u.Member.ID, k, MailNever); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
