package forum

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum/markdown"
	"kliv/i18n"
)

// Store is the forum's data access: every method runs its own SQL against
// the shared database. It holds no request state and is safe for
// concurrent use.
type Store struct {
	DB *sqlx.DB
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Hash sets the password hashing cost.
	Hash PasswordParams
	// BaseURL is the site's public address, for links in mail.
	BaseURL string
	// MD is the one Markdown pipeline, for saving and previewing alike.
	MD *markdown.Renderer
	// I18n holds the catalogs that mail is written from, in each
	// recipient's language.
	I18n *i18n.Bundle
	// PostHooks run inside the transaction of every new or edited post
	// (the moderation package flags personal data so).
	PostHooks []PostHook
	// SearchWalkDepth is how many posts below the newest a search's date
	// range must end before it may be walked in Go instead of read from
	// FTS4's doclists (searchscan.go): 0 means scanDepth, a negative
	// value never walks. Tests set it to 1 to walk a small forum.
	SearchWalkDepth int64
	// forms caches the index's words under a stem for search (search.go).
	forms formsCache
	// reads holds the read marks written behind (readbuffer.go).
	reads readBuffer
}

// PostHook is told of a post just written, inside its transaction.
type PostHook func(ctx context.Context, tx *sqlx.Tx, p *Post) error

// NewStore builds a Store with the real clock and production hash cost.
func NewStore(db *sqlx.DB, baseURL string) *Store {
	return &Store{DB: db, Now: time.Now, Hash: DefaultPasswordParams, BaseURL: baseURL, MD: markdown.New()}
}

func (s *Store) now() time.Time { return s.Now().UTC() }

// NewToken returns a random URL-safe secret of 32 bytes.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is how secrets (session ids, API tokens, reset links) are kept
// at rest: a SHA-256, so a leaked database gives no working secret.
func HashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}
