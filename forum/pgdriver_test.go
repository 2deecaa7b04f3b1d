package forum

import "testing"

func TestRebindPG(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b IN (?, ?)", "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)"},
		{"SELECT '?' || ? FROM t", "SELECT '?' || $1 FROM t"},
		{"SELECT 'it''s ?', ? -- what?\n, ?", "SELECT 'it''s ?', $1 -- what?\n, $2"},
		{`SELECT "odd?name" FROM t WHERE x = ? /* a ? here */ AND y = ?`, `SELECT "odd?name" FROM t WHERE x = $1 /* a ? here */ AND y = $2`},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
		{"SELECT ? -- ends in a comment ?", "SELECT $1 -- ends in a comment ?"},
		{"SELECT ? /* open ?", "SELECT $1 /* open ?"},
		{"UPDATE t SET a = replace(a, ?1, ?2) WHERE instr(a, ?1) > 0", "UPDATE t SET a = replace(a, $1, $2) WHERE instr(a, $1) > 0"},
	} {
		if got := rebindPG(c.in); got != c.want {
			t.Errorf("rebindPG(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzRebindPG(f *testing.F) {
	f.Add("SELECT ? FROM t WHERE a = '?' AND b = ?")
	f.Fuzz(func(t *testing.T, q string) {
		out := rebindPG(q)
		if len(out) < len(q) {
			t.Fatalf("rebindPG(%q) = %q: shorter", q, out)
		}
	})
}

func TestRedactURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://kliv:secret@db:5432/kliv", "postgres://kliv:xxxxx@db:5432/kliv"},
		{"postgres://kliv@db/kliv", "postgres://kliv@db/kliv"},
		{"postgres://kliv:sec[ret@db/x", "postgres://…@db/x"},
	} {
		if got := RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
