package search

import (
	"reflect"
	"strings"
	"testing"
)

// hostileInputs are things members type, by accident or not, that break a
// naive MATCH: every FTS4 operator, unbalanced quotes and parentheses,
// column filters, stars, minus signs, and odd Unicode.
var hostileInputs = []string{
	``, ` `, `"`, `""`, `"""`, `" "`, `"*"`, `"-"`, `*`, `**`, `-`, `--`, `-*`, `-"`, `- -`, `^`, `:`, `(`, `)`, `()`, `(()`, `)(`,
	`AND`, `OR`, `NOT`, `NEAR`, `NEAR/3`, `NEAR/`, `NEAR/99999999999`, `a AND`, `AND a`, `a OR`, `OR a`, `a NOT`, `NOT a`,
	`a AND b OR c NOT d`, `a NEAR b`, `a NEAR/2 b`, `a NOT NOT b`, `(a OR b) AND (c`, `a) OR (b`, `"a" NEAR "b"`,
	`title:a`, `body:"a b"`, `t:a`, `docid:1`, `title:`, `:a`, `title:*`, `title:-a`, `^a`, `"^a b"`, `a^`,
	`a*`, `a**`, `*a`, `a*b`, `"a* b*"`, `"a"*`, `-a*`, `-"a b"*`, `-a -b -c`, `-(a)`, `--a`, `a -`, `a - b`,
	`'a'`, `a'; DROP TABLE t; --`, `\"a\"`, `a\`, `%`, `_`, `a%b`, `\x00`, "a\x00b", "\x00NOT", "a\tOR\nb",
	"\xff", "\xc3", "a\xc3(", "\ufffe", "\uffff", "\ufeffNOT", "\u00a0AND\u00a0", "NOT\u2028a", "a\u0308", "\u0308a", "\u0308\u0308",
	`“a ”b” „c“`, `«a» -«b»`, `–a —b −c`, `@`, `@@a`, `kategori:`, `typ:`, `av:@`, `efter:2026-02-29`, `i:`,
	`𝔞𝔟𝔠 OR 𝔡`, `ﬁ ﬂ`, `ǅ ǈ`, `İstanbul ıi`, `ΣΑΣ σας`, `ẞ ß`, `Ⅻ ⅻ`, `ⓐ Ⓐ`, `Ａ Ｂ`, `𐐀𐐨`, `🙂 OR 🙂`,
	strings.Repeat(`"`, 501), strings.Repeat(`a `, 300), strings.Repeat(`a OR `, 100), strings.Repeat(`(`, 1000),
	strings.Repeat(`-a `, 20) + `b`, strings.Repeat("ö", 1000), strings.Repeat(`NEAR/1 `, 50),
}

// TestFTS4Syntax establishes the facts Match relies on, against the
// SQLite that mattn/go-sqlite3 actually builds: the enhanced query syntax
// is on, "-" does not exclude there but NOT does, and raw member input is
// unsafe.
func TestFTS4Syntax(t *testing.T) {
	db := openFTS(t)
	var on int
	if err := db.Get(&on, `SELECT sqlite_compileoption_used('ENABLE_FTS3_PARENTHESIS')`); err != nil || on != 1 {
		t.Fatalf("ENABLE_FTS3_PARENTHESIS = %d, %v; Match assumes the enhanced syntax", on, err)
	}
	for _, tt := range []struct {
		expr string
		want []int
	}{
		{"ledare", []int{2}},
		{"ledare -medarbetare", []int{2}}, // minus is ignored, not an exclusion
		{"ledare NOT medarbetare", nil},   // NOT excludes
		{"ledarskap NOT äldreomsorgen", []int{10}},
		{"ledarskap OR ledare", []int{1, 2, 10}},
		{"title:ledarskap", []int{1}}, // a column filter, which Match must never produce
	} {
		got, err := matchIDs(t, db, "t", tt.expr)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("MATCH %q = %v, %v; want %v", tt.expr, got, err, tt.want)
		}
	}
	for _, expr := range []string{`ledare AND`, `NOT ledare`, `"ledare`, `(ledare`, `ledare)`, `AND`, `NEAR/3`} {
		if _, err := matchIDs(t, db, "t", expr); err == nil {
			t.Errorf("raw MATCH %q did not fail; the hostile list no longer proves anything", expr)
		}
	}
}

// TestMatchFTS4 runs parsed queries against a real FTS4 table.
func TestMatchFTS4(t *testing.T) {
	db := openFTS(t)
	tests := []struct {
		in   string
		want []int
	}{
		{"led*", []int{1, 2, 10}},  // ledarskap, leder, ledare
		{"LED*", []int{1, 2, 10}},  // the star survives folding
		{"l*", nil},                // too short a prefix: plain "l"
		{"äldreomsorg*", []int{1}}, // prefix with ä
		{"äldreomsorg", nil},       // without the star only whole words match
		{"öst", []int{5}},          // ö is its own letter...
		{"ost", []int{4}},          // ...and o is not ö
		{"ÖST", []int{5}},          // upper-case Ö folds to ö
		{"ÅSA", []int{3}},          // upper-case Å folds to å
		{"åsa", []int{3}},
		{"Malmö", []int{6, 7}},
		{"Malmo", []int{7}},     // no diacritic removal
		{"ma*", []int{1, 6, 7}}, // man, malmö, malmo
		{"tillitsbaserad styrning", []int{2, 3}},
		{`"tillitsbaserad styrning"`, []int{2}}, // phrase: adjacent and in order
		{`"tillitsbaserad sty*"`, []int{2}},     // phrase with prefix
		{`"tillitsbaserad styrning`, []int{2}},  // unbalanced quote
		{"styrning -kommunen", []int{3}},        // exclusion
		{`styrning -"i kommunen"`, []int{3}},    // excluded phrase
		{"led* -medarbetare", []int{1, 10}},     // excluded word, prefix kept
		{"led* -med*", []int{10}},               // excluded prefix (med in 1)
		{"ledare -medarbetare", nil},
		{"-ledare", nil}, // only exclusion: no MATCH at all
		{"e-post", []int{8}},
		{"covid-19", []int{8}},
		{"skolverket.se", []int{10}},
		{"AND", []int{9}}, // the word, not the operator
		{"NOT OR", []int{9}},
		{"near NEAR/3", nil},           // "near 3" as a phrase
		{"title:ledarskap", nil},       // the phrase "title ledarskap", not a column filter
		{"(ledarskap OR ledare)", nil}, // AND of ledarskap, or, ledare
		{"^ledare", []int{2}},
		{`ledare"`, []int{2}},
		{"kategori:skola typ:tips ledarskap", []int{1, 10}}, // filters do not become terms
	}
	for _, tt := range tests {
		q := Parse(tt.in)
		expr := q.Match()
		var got []int
		if expr != "" {
			var err error
			if got, err = matchIDs(t, db, "t", expr); err != nil {
				t.Errorf("Parse(%q).Match() = %q: %v", tt.in, expr, err)
				continue
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q).Match() = %q found %v, want %v", tt.in, expr, got, tt.want)
		}
	}
}

// TestInTitle shows how the caller honours in:title: the same expression
// matched against the title column instead of the whole row.
func TestInTitle(t *testing.T) {
	db := openFTS(t)
	q := Parse("i:rubrik ledarskap")
	if !q.InTitle {
		t.Fatal("InTitle not set")
	}
	got, err := matchIDs(t, db, "title", q.Match())
	if err != nil || !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("title MATCH %q = %v, %v; want [1] (10 has it only in the body)", q.Match(), got, err)
	}
}

// TestHostileInputs runs every hostile input through Parse and SQLite,
// both against the row and against one column.
func TestHostileInputs(t *testing.T) {
	db := openFTS(t)
	for _, in := range hostileInputs {
		matchSafe(t, db, in)
	}
}

// matchSafe fails the test if the expressions made from in, by Parse or
// by a caller filling Query in by hand, make SQLite return an error.
func matchSafe(t *testing.T, db interface {
	Select(any, string, ...any) error
}, in string) {
	t.Helper()
	queries := []Query{
		Parse(in),
		{Terms: []Term{{Words: strings.Fields(in), Prefix: true}}, Excluded: []Term{{Words: []string{in}}}},
		{Terms: []Term{{Words: []string{"a"}}, {Words: []string{in}, Phrase: true, Prefix: true}}, Excluded: []Term{{Words: []string{in}, Phrase: true}}},
	}
	for _, q := range queries {
		expr := q.Match()
		if expr == "" {
			continue
		}
		for _, col := range []string{"t", "title"} {
			var ids []int
			if err := db.Select(&ids, `SELECT docid FROM t WHERE `+col+` MATCH ?`, expr); err != nil {
				t.Fatalf("input %q: %s MATCH %q: %v", in, col, expr, err)
			}
		}
	}
}

// FuzzMatchSafe runs whatever the fuzzer invents through Parse and a real
// FTS4 table and fails on any SQL error (fts4 syntax error, malformed
// MATCH, expression too deep).
func FuzzMatchSafe(f *testing.F) {
	for _, s := range hostileInputs {
		f.Add(s)
	}
	db := openFTS(f)
	f.Fuzz(func(t *testing.T, in string) {
		matchSafe(t, db, in)
	})
}
