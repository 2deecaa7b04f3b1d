package forum

import (
	"strings"
	"testing"
)

func TestParseRecipients(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"anna":                  "anna",
		"@anna, berit;cecilia":  "anna|berit|cecilia",
		"anna Anna ANNA":        "anna",
		" ,, @ ;\n\t":           "",
		"anna,\r\nberit @berit": "anna|berit",
		"@@anna":                "@anna",
	} {
		if got := strings.Join(ParseRecipients(in), "|"); got != want {
			t.Errorf("ParseRecipients(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseRecipients(f *testing.F) {
	for _, s := range []string{"anna, berit", "@a;@b", " \n", "Åsa,åsa", "@@x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		seen := map[string]bool{}
		for _, name := range ParseRecipients(in) {
			if name == "" || strings.ContainsAny(name, ",; \n\t\r") {
				t.Fatalf("%q: bad name %q", in, name)
			}
			if seen[strings.ToLower(name)] {
				t.Fatalf("%q: %q twice", in, name)
			}
			seen[strings.ToLower(name)] = true
			if !strings.Contains(in, name) {
				t.Fatalf("%q: %q is not in the input", in, name)
			}
		}
	})
}

func TestZeroFor(t *testing.T) {
	for decl, want := range map[string]string{"TEXT": "''", "INTEGER": "0", "": "''", "TIMESTAMP": "'1970-01-01T00:00:00Z'", "BLOB": "X''", "real": "0"} {
		if got := zeroFor(decl); got != want {
			t.Errorf("zeroFor(%q) = %s, want %s", decl, got, want)
		}
	}
}
