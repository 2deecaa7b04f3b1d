package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTokenizeMatchesSQLite runs every Unicode code point through both the
// Go port and SQLite's own unicode61 tokenizer (via fts3tokenize) and
// requires identical tokens and offsets. This is what makes "every word
// Parse emits is exactly one index token" true rather than hoped for.
func TestTokenizeMatchesSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("walks all of Unicode")
	}
	db := openFTS(t)
	if _, err := db.Exec(`CREATE VIRTUAL TABLE tok USING fts3tokenize(unicode61, "remove_diacritics=0")`); err != nil {
		t.Fatal(err)
	}
	type tok struct {
		Token      string `db:"token"`
		Start, End int
	}
	const chunk = 4096
	last := rune(utf8.MaxRune)
	if raceEnabled {
		// The race detector makes every cgo call slow; the Basic
		// Multilingual Plane holds every script the forum will see.
		last = 0xFFFF
	}
	for lo := rune(1); lo <= last; lo += chunk {
		// Each code point appears once inside a word and once at the start
		// of one, so both "may continue" and "may start" are compared.
		var b strings.Builder
		for c := lo; c < lo+chunk && c <= utf8.MaxRune; c++ {
			if !utf8.ValidRune(c) {
				continue
			}
			fmt.Fprintf(&b, "x%cx %cx ", c, c)
		}
		input := b.String()
		var got []tok
		rows, err := db.Query(`SELECT token, start, "end" FROM tok WHERE input = ?`, input)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k tok
			if err := rows.Scan(&k.Token, &k.Start, &k.End); err != nil {
				t.Fatal(err)
			}
			got = append(got, k)
		}
		rows.Close()
		var want []tok
		tokenizeAll(input, func(w string, start, end int) {
			want = append(want, tok{w, start, end})
		})
		if !slices.Equal(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("chunk U+%04X: token %d: sqlite %+v, go %+v", lo, i, got[i], want[i])
				}
			}
			t.Fatalf("chunk U+%04X: sqlite %d tokens, go %d", lo, len(got), len(want))
		}
	}
}

// tokenizeAll is tokenize without the MaxWordRunes cut, reporting start
// offsets too, for comparison with fts3tokenize.
func tokenizeAll(s string, fn func(w string, start, end int)) {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isTokenChar(sqliteRune(r)) {
			i += size
			continue
		}
		start := i
		var b strings.Builder
		for i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
			c := sqliteRune(r)
			if i > start && !isTokenChar(c) && !isDiacritic(c) {
				break
			}
			b.WriteRune(fold(c))
			i += size
		}
		fn(b.String(), start, i)
	}
}

// TestFoldStable checks that folded text is a fixed point of the
// tokenizer: re-tokenizing a word Parse produced gives the same single
// word, which Match relies on when it re-tokenizes Query.Terms.
func TestFoldStable(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		c := sqliteRune(r)
		if !isTokenChar(c) && !isDiacritic(c) {
			continue
		}
		f := fold(c)
		if !utf8.ValidRune(f) || f == 0xFFFE || f == 0xFFFF {
			t.Fatalf("fold(U+%04X) = invalid U+%04X", c, f)
		}
		if fold(f) != f {
			t.Fatalf("fold not idempotent at U+%04X", c)
		}
		if isTokenChar(c) != isTokenChar(f) || isDiacritic(c) != isDiacritic(f) {
			t.Fatalf("fold(U+%04X) = U+%04X changes class", c, f)
		}
	}
}

// TestFoldSwedish pins the letters the forum cares about most.
func TestFoldSwedish(t *testing.T) {
	for in, want := range map[rune]rune{'Å': 'å', 'Ä': 'ä', 'Ö': 'ö', 'É': 'é', 'Ü': 'ü', 'Z': 'z', 'å': 'å', '7': '7'} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range "åäöÅÄÖéü09aZ" {
		if !isTokenChar(c) {
			t.Errorf("%q is not a token character", c)
		}
	}
	for _, c := range "\"()*-:^ \t.,/@+&_'" {
		if isTokenChar(c) {
			t.Errorf("%q is a token character", c)
		}
	}
}
