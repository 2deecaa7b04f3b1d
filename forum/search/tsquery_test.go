package search

import (
	"strings"
	"testing"
	"unicode"
)

func TestTSQuery(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"", ""},
		{"och", "'och'"},
		{"ÖPPEN", "'öppen'"},
		{"led*", "'led':*"},
		{"le*", "'le':*"},
		{"l*", "'l'"},
		{`"tillit och omtanke"`, "( 'tillit' <-> 'och' <-> 'omtanke' )"},
		{`"ledar*"`, "'ledar':*"},
		{"e-post", "( 'e' <-> 'post' )"},
		{"skolverket.se", "( 'skolverket' <-> 'se' )"},
		{"öppen -stängd", "'öppen' & !( 'stängd' )"},
		{`äldreomsorg -"öppen fråga"`, "'äldreomsorg' & !( ( 'öppen' <-> 'fråga' ) )"},
		{"-bara -uteslutna", ""},
		{`a & b | c ! d <-> 'x' \ :*`, "'a' & 'b' & 'c' & 'd' & 'x'"},
		{"kategori:ledarskap @ada typ:fråga", ""},
		{"2025 covid19", "'2025' & 'covid19'"},
	} {
		if got := Parse(tt.in).TSQuery(nil); got != tt.want {
			t.Errorf("TSQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Forms: only those that are forms of the word, re-tokenized.
	for _, tt := range []struct {
		in    string
		forms [][]string
		want  string
	}{
		{"förskola", [][]string{{"förskolan", "förskolor", "förslag", "förskola", "för'skolan"}}, "( 'förskola' | 'förskolan' | 'förskolor' )"},
		{"äldreomsorg chef", [][]string{{"äldreomsorgen"}, {"chefer", "chefs"}}, "( 'äldreomsorg' | 'äldreomsorgen' ) & ( 'chef' | 'chefer' | 'chefs' )"},
		{"ledare", [][]string{{"ledaren", "ledarskap"}}, "( 'ledare' | 'ledaren' )"},
		{`"ledare"`, [][]string{{"ledaren"}}, "'ledare'"},
		{"led*", [][]string{{"ledaren"}}, "'led':*"},
	} {
		if got := Parse(tt.in).TSQuery(tt.forms); got != tt.want {
			t.Errorf("TSQuery(%q, %v) = %q, want %q", tt.in, tt.forms, got, tt.want)
		}
	}
	// A Query made by hand with hostile words is re-tokenized.
	q := Query{Terms: []Term{{Words: []string{"a'b", `c\`, "!", "<->"}, Phrase: true}}, Excluded: []Term{{Words: []string{"'"}}}}
	if got := q.TSQuery(nil); got != "( 'a' <-> 'b' <-> 'c' )" {
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
		for _, forms := range [][][]string{nil, {{"ledaren", "x'y", in}}} {
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
