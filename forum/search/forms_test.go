package search

import (
	"strings"
	"testing"
)

func TestForms(t *testing.T) {
	for _, tt := range []struct {
		in     string
		prefix string
		forms  []string // are forms
		not    []string // are not
	}{
		{"hemtjänst", "hemtjänst", []string{"hemtjänsten", "hemtjänstens"}, []string{"hemtjänst", "hemma"}},
		{"hemtjänsten", "hemtjänst", []string{"hemtjänst", "hemtjänstens", "hemtjänstpersonal"}, []string{"hemtjänsten"}},
		{"semester", "semest", []string{"semestern", "semesterschemat"}, []string{"semafor"}},
		{"chef", "chef", []string{"chefen", "chefer", "cheferna"}, []string{"chefsroll"}},
		{"skolor", "skol", []string{"skolan", "skola"}, []string{"skolverket"}},
		{"möte", "möte", []string{"mötet", "möten"}, []string{"mötesplats"}},
		{"ledare", "ledare", []string{"ledaren", "ledares"}, []string{"ledarskap"}},
		{"och", "", nil, []string{"ochså"}},
		{"hem", "", nil, []string{"hemma"}},
		{"2025", "", nil, []string{"20251"}},
		{`"hemtjänst"`, "", nil, []string{"hemtjänsten"}},
		{"hemtj*", "", nil, []string{"hemtjänsten"}},
	} {
		q := Parse(tt.in)
		if len(q.Terms) != 1 {
			t.Fatalf("%q: %d terms", tt.in, len(q.Terms))
		}
		term := q.Terms[0]
		if got := term.FormsPrefix(); got != tt.prefix {
			t.Errorf("%q: prefix %q, want %q", tt.in, got, tt.prefix)
		}
		for _, f := range tt.forms {
			if !term.IsForm(f) {
				t.Errorf("%q: %q should be a form", tt.in, f)
			}
		}
		for _, f := range tt.not {
			if term.IsForm(f) {
				t.Errorf("%q: %q should not be a form", tt.in, f)
			}
		}
	}
}

func TestMatchForms(t *testing.T) {
	q := Parse(`hemtjänst "i kommunen" led* -semester`)
	expr, groups := q.MatchForms([][]string{{"hemtjänsten", "bogus", "a b", "hemtjänstens"}, {"ignored"}, {"ledare"}})
	want := `(hemtjänst OR hemtjänsten OR hemtjänstens) "i kommunen" led* NOT semester`
	if expr != want || len(groups) != 3 || groups[0] != 3 || groups[1] != 1 || groups[2] != 1 {
		t.Errorf("MatchForms = %q %v, want %q [3 1 1]", expr, groups, want)
	}
	if e, g := q.MatchForms(nil); e != q.Match() || len(g) != 3 {
		t.Errorf("without forms: %q %v", e, g)
	}
	// Whatever the forms, nothing but whole lower-case tokens gets in.
	e, _ := Parse("chef").MatchForms([][]string{{`chefen" OR x`, "CHEFEN", "chefer:"}})
	if strings.ContainsAny(e, `":`) || strings.Contains(e, "OR x") {
		t.Errorf("hostile forms: %q", e)
	}
}

// A real FTS4 index: a word with its forms finds them, and the expression
// is valid for SQLite.
func TestMatchFormsOnIndex(t *testing.T) {
	db := openFTS(t)
	q := Parse("ledare")
	expr, _ := q.MatchForms([][]string{{"ledaren"}})
	if _, err := matchIDs(t, db, "t", expr); err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	ids, _ := matchIDs(t, db, "t", "(tillit OR tillitsbaserad)")
	if len(ids) != 3 {
		t.Errorf("tillit with its compound: %v", ids)
	}
}
