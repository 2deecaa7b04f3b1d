package forum

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"kliv/forum/dbtest"
	"kliv/forum/search"
)

// TestSearchSwedishWords: å, ä and ö are letters of their own, whatever
// the case, and the Swedish words of the forum find their forms, on both
// engines (on PostgreSQL through the 'simple' configuration and ICU
// folding, migrations_pg/0200_search.sql).
func TestSearchSwedishWords(t *testing.T) {
	e := newSrEnv(t)
	forskola := e.topic(e.ada, 0, KindDiscussion, "Förskolan i centrum", "Vi bygger en ny FÖRSKOLA.")
	aldre := e.topic(e.bea, 0, KindDiscussion, "Äldreomsorgen", "ÄLDREOMSORG på landsbygden, äldreomsorgens chefer.")
	oppen := e.topic(e.ada, 1, KindQuestion, "Öppen fråga", "Är dörren öppen? Den stod öppet.")
	ledare := e.topic(e.bea, 1, KindDiscussion, "Ledare", "Ledaren och ledarna träffas.")
	ledarskap := e.topic(e.ada, 1, KindDiscussion, "Ledarskap", "Om ledarskapet i vården.")
	ost := e.topic(e.bea, 0, KindDiscussion, "Ost", "Ost till fikat.")
	ost2 := e.topic(e.ada, 0, KindDiscussion, "Öst", "Vi i öst.")
	for _, tt := range []struct {
		in   string
		want []int64
	}{
		{"förskola", srIDs(forskola)},
		{"FÖRSKOLAN", srIDs(forskola)},
		{"forskola", srIDs()},
		{"äldreomsorg", srIDs(aldre)},
		{"äldreomsorgens", srIDs(aldre)},
		{"öppen", srIDs(oppen)},
		{`"öppen fråga"`, srIDs(oppen)},
		{`"fråga öppen"`, srIDs()},
		{"ledare", srIDs(ledare)},
		{"ledarskap", srIDs(ledarskap)},
		{"ledar*", srIDs(ledare, ledarskap)},
		{"led*", srIDs(ledare, ledarskap)},
		{"led* -ledarskapet", srIDs(ledare)},
		{"ost", srIDs(ost)},
		{"öst", srIDs(ost2)},
		{"ÖST", srIDs(ost2)},
		{"i:rubrik ost", srIDs(ost)},
	} {
		if got := srSorted(e.search(tt.in)); !slices.Equal(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestTSQueryOnPostgreSQL: the tsquery of anything typed (the fuzz
// corpus of search.FuzzTSQuery and random mixes of operators, quotes and
// Swedish letters) is one PostgreSQL accepts.
func TestTSQueryOnPostgreSQL(t *testing.T) {
	dbtest.OnlyPG(t)
	s, _ := newTestStore(t)
	inputs := []string{"ledare", `"a b" -c led*`, "'", `\'`, "( ) ! & | <->", "öppen -\"stängd dörr\"", "x*:*",
		"⮛", "0\uedb6", "a:* & !b", "''''", `\\`, strings.Repeat("ord ", 30), strings.Repeat("å", 300) + "*"}
	parts := []string{"a", "ö", "Å", "'", `\`, `"`, "-", "*", ":", "!", "&", "|", "(", ")", "<->", " ", "led", "e-post", "x.se",
		"\u0301", "⮛", "\uedb6", "ß", "İ"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1500 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		inputs = append(inputs, b.String())
	}
	for _, in := range inputs {
		q := search.Parse(in)
		for _, forms := range [][][]string{nil, {{"ledaren", "x'y", in}}} {
			tsq := q.TSQuery(forms)
			if tsq == "" {
				continue
			}
			var out string
			if err := s.DB.Get(&out, `SELECT CAST(? AS tsquery)::text`, tsq); err != nil {
				t.Fatalf("%q: tsquery %q: %v", in, tsq, err)
			}
		}
	}
}
