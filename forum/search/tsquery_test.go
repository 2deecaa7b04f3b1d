package search

import (
	"strings"
	"testing"
	"unicode"
)

func TestTSQuery(t *testing.T) {
	for _, tt := range []struct {
		in, want, forms string
	}{
		{"", "", ""},
		{"och", "'och'", "'och'"},
		{"Ledare", "'ledare'", "( 'ledare' | 'ledare':* )"},
		{"led*", "'led':*", "'led':*"},
		{"le*", "'le':*", "'le':*"},
		{"l*", "'l'", "'l'"},
		{`"tillit och omtanke"`, "( 'tillit' <-> 'och' <-> 'omtanke' )", "( 'tillit' <-> 'och' <-> 'omtanke' )"},
		{`"ledar*"`, "'ledar':*", "'ledar':*"},
		{"e-post", "( 'e' <-> 'post' )", "( 'e' <-> 'post' )"},
		{"skolverket.se", "( 'skolverket' <-> 'se' )", "( 'skolverket' <-> 'se' )"},
		{"ÖPPEN -stängd", "'öppen' & !( 'stängd' )", "( 'öppen' | 'öppena' | 'öppenan' | 'öppenans' | 'öppenar' | 'öppenarna' | 'öppenarnas' | 'öppenas' | 'öppene' | 'öppenen' | 'öppenens' | 'öppener' | 'öppenerna' | 'öppenernas' | 'öppenet' | 'öppenets' | 'öppenn' | 'öppenna' | 'öppennas' | 'öppenor' | 'öppenorna' | 'öppenornas' | 'öppens' | 'öppent' | 'öppents' ) & !( 'stängd' )"},
		{"förskola", "'förskola'", "( 'förskola' | 'förskol':* )"},
		{"äldreomsorg", "'äldreomsorg'", "( 'äldreomsorg' | 'äldreomsorg':* )"},
		{"-bara -uteslutna", "", ""},
		{`a & b | c ! d <-> 'x' \ :*`, "'a' & 'b' & 'c' & 'd' & 'x'", "'a' & 'b' & 'c' & 'd' & 'x'"},
		{"kategori:ledarskap @ada typ:fråga", "", ""},
		{"2025 covid19", "'2025' & 'covid19'", "'2025' & ( 'covid19' | 'covid19':* )"},
	} {
		q := Parse(tt.in)
		if got := q.TSQuery(false); got != tt.want {
			t.Errorf("TSQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := q.TSQuery(true); got != tt.forms {
			t.Errorf("TSQuery(%q, forms) = %q, want %q", tt.in, got, tt.forms)
		}
	}
	// A Query made by hand with hostile words is re-tokenized.
	q := Query{Terms: []Term{{Words: []string{"a'b", `c\`, "!", "<->"}, Phrase: true}}, Excluded: []Term{{Words: []string{"'"}}}}
	if got := q.TSQuery(true); got != "( 'a' <-> 'b' <-> 'c' )" {
		t.Errorf("hand-made query: %q", got)
	}
}

// FuzzTSQuery: whatever is typed, the tsquery is empty or well formed:
// quoted lexemes of unicode61 token characters joined by the operators, brackets
// balanced. forum's FuzzSearchPG runs them on PostgreSQL too.
func FuzzTSQuery(f *testing.F) {
	for _, s := range []string{"ledare", `"a b" -c led*`, "'", `\'`, "( ) ! & | <->", "öppen -\"stängd dörr\"", "x*:*", strings.Repeat("ord ", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		q := Parse(in)
		for _, forms := range []bool{false, true} {
			if s := q.TSQuery(forms); s != "" {
				checkTSQuery(t, s)
			} else if q.Match() != "" {
				t.Fatalf("%q: FTS4 expression %q but no tsquery", in, q.Match())
			}
		}
	})
}

func checkTSQuery(t *testing.T, s string) {
	t.Helper()
	depth := 0
	for i, tok := range strings.Fields(s) {
		switch tok {
		case "(", "!(":
			depth++
		case ")":
			depth--
		case "&", "|", "<->":
		default:
			lex, ok := strings.CutPrefix(tok, "'")
			if !ok {
				t.Fatalf("%q: token %d %q", s, i, tok)
			}
			lex = strings.TrimSuffix(lex, ":*")
			lex, ok = strings.CutSuffix(lex, "'")
			// unicode61's token characters: nothing that could end the
			// lexeme (a quote, a backslash) or split it (a space).
			if !ok || lex == "" || strings.IndexFunc(lex, func(r rune) bool {
				return unicode.IsSpace(r) || r == '\'' || r == '\\'
			}) >= 0 {
				t.Fatalf("%q: lexeme %q", s, tok)
			}
		}
		if depth < 0 {
			t.Fatalf("%q: unbalanced", s)
		}
	}
	if depth != 0 {
		t.Fatalf("%q: unbalanced", s)
	}
}
