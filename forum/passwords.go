package forum

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are argon2id's cost settings.
type PasswordParams struct {
	Time    uint32
	MemoryK uint32
	Threads uint8
}

// DefaultPasswordParams follow OWASP's argon2id minimum (19 MiB, 2 passes).
var DefaultPasswordParams = PasswordParams{Time: 2, MemoryK: 19 * 1024, Threads: 1}

// TestPasswordParams are cheap, for tests only.
var TestPasswordParams = PasswordParams{Time: 1, MemoryK: 64, Threads: 1}

// Password length bounds: a minimum for strength, a maximum far above
// what any passphrase needs but low enough to bound hashing work.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// HashPassword returns an encoded argon2id hash of pw.
func HashPassword(p PasswordParams, pw string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryK, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", p.MemoryK, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether pw matches the encoded hash.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryK, &p.Time, &p.Threads); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryK, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the account does not exist, so a
// wrong username costs as long as a wrong password.
var dummyHash = HashPassword(DefaultPasswordParams, "no such member, no such password")
