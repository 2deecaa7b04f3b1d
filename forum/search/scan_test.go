package search

import (
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

// TestMatcherAgreesWithFTS4 runs queries both through FTS4 and through
// Matcher over the same rows: the same rows must match, with the same
// tokens per column and the same hits of each required phrase.
func TestMatcherAgreesWithFTS4(t *testing.T) {
	db := openFTS(t)
	long := strings.Repeat("lång", 20) // 80 letters: longer than MaxWordRunes
	extra := []struct{ title, body string }{
		{"Ledarskap, ledare och ledarskapet", "Ledarskapet i ledarskapsgruppen: ledare ledare LEDARE"}, // 11
		{"", "Det är det är det. Det är bra att det är så, det."},                                      // 12
		{"", "Ord " + long + " och " + long[:MaxWordRunes] + " slut"},                                  // 13
		{"", "Éclair café ÅÄÖ åäö naïve 123 x2 e-post/covid-19; tillitsbaserad styrning"},              // 14
	}
	for i, r := range extra {
		if _, err := db.Exec(`INSERT INTO t (docid, title, body) VALUES (?, ?, ?)`, len(testRows)+i+1, r.title, r.body); err != nil {
			t.Fatal(err)
		}
	}
	var rows []struct {
		ID    int    `db:"docid"`
		Title string `db:"title"`
		Body  string `db:"body"`
	}
	if err := db.Select(&rows, `SELECT docid, title, body FROM t ORDER BY docid`); err != nil {
		t.Fatal(err)
	}
	var tokens []string
	if err := db.Select(&tokens, `SELECT DISTINCT term FROM taux WHERE col = '*'`); err != nil {
		t.Fatal(err)
	}
	queries := []string{
		"led*", "ledare", "ledarskap", "ledarskapet", "det", "det är", `"det är"`, `"det är det"`, "det -bra",
		`"tillitsbaserad sty*"`, "styrning -kommunen", `styrning -"i kommunen"`, "led* -med*", "e-post", "covid-19",
		"skolverket.se", "malmö", "ma*", "åsa", "ÅÄÖ", "éclair", "naïve", "123", "x2", "lång*", long, long[:MaxWordRunes],
		"ord " + long[:MaxWordRunes] + "*", "ledare medarbetare", "in:title ledare", "i:rubrik led*", "in:title det",
	}
	for _, in := range queries {
		q := Parse(in)
		forms := make([][]string, len(q.Terms))
		for i, term := range q.Terms {
			for _, tok := range tokens {
				if term.IsForm(tok) {
					forms[i] = append(forms[i], tok)
				}
			}
			slices.Sort(forms[i])
		}
		expr, _ := q.MatchForms(forms)
		m := q.Matcher(forms)
		if expr == "" {
			if m != nil {
				t.Errorf("%q: no expression but a matcher", in)
			}
			continue
		}
		col := "t"
		if q.InTitle {
			col = "t.title"
		}
		var fts []struct {
			ID   int    `db:"docid"`
			Info []byte `db:"mi"`
		}
		if err := db.Select(&fts, `SELECT docid, matchinfo(t, 'pcnaly') AS mi FROM t WHERE `+col+` MATCH ? ORDER BY docid`, expr); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		var got []int
		var r Row
		hits := make([]uint32, 2*m.Phrases())
		for _, row := range rows {
			ok, lens, _ := m.Match(&r, row.Title, row.Body, q.InTitle, hits)
			if !ok {
				continue
			}
			got = append(got, row.ID)
			i := slices.IndexFunc(fts, func(f struct {
				ID   int    `db:"docid"`
				Info []byte `db:"mi"`
			}) bool {
				return f.ID == row.ID
			})
			if i < 0 {
				continue
			}
			mi := make([]uint32, len(fts[i].Info)/4)
			for k := range mi {
				mi[k] = binary.NativeEndian.Uint32(fts[i].Info[4*k:])
			}
			if l := mi[3+2 : 3+4]; l[0] != lens[0] || l[1] != lens[1] {
				t.Errorf("%q, row %d: tokens %v, FTS4 %v", in, row.ID, lens, l)
			}
			if y := mi[3+4 : 3+4+len(hits)]; !slices.Equal(y, hits) {
				t.Errorf("%q (%s), row %d: hits %v, FTS4 %v", in, expr, row.ID, hits, y)
			}
		}
		var want []int
		for _, f := range fts {
			want = append(want, f.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q (%s): matcher %v, FTS4 %v", in, expr, got, want)
		}
	}
}

// TestIndexTokensFast checks the ASCII and Latin-1 shortcuts of
// indexTokens against the general rule for each of those characters.
func TestIndexTokensFast(t *testing.T) {
	var s strings.Builder
	for c := rune(0); c < 0x180; c++ {
		s.WriteString("a")
		s.WriteRune(c)
		s.WriteString("b ")
	}
	var fast, slow []string
	indexTokens(s.String(), func(tok []byte) { fast = append(fast, string(tok)) })
	tokenize(s.String(), func(tok string, _ int, _ bool) { slow = append(slow, tok) })
	if !slices.Equal(fast, slow) {
		t.Errorf("indexTokens %q\ntokenize %q", fast, slow)
	}
}
