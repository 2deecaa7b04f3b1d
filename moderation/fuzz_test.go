package moderation

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseEmails(t *testing.T) {
	got := ParseEmails("Gun Berg <gun@skola.se>, hanna@stat.se\n\"Ida\";ida@region.se\tnamn utan adress\r\n'eva@kommun.se'")
	want := "gun@skola.se hanna@stat.se ida@region.se eva@kommun.se"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q", got)
	}
}

// Whatever is pasted or uploaded, the parser returns only tokens with an
// @, never empty ones, and never panics.
func FuzzParseEmails(f *testing.F) {
	for _, s := range []string{"a@b.se", "Anna <anna@x.se>, b@y.se", "\"x\";y@z", "", "@@@", "<>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, e := range ParseEmails(s) {
			if e == "" || !strings.Contains(e, "@") || strings.ContainsAny(e, " \n\t,;") {
				t.Fatalf("token %q from %q", e, s)
			}
		}
	})
}

// Answers read from any JSON either fail or round-trip to the same
// answers.
func FuzzAnswersJSON(f *testing.F) {
	for _, s := range []string{`{"workplace":"Mölndals stad","staff_responsibility":true,"q6":"ja","q7":false}`, `{}`, `{"role":1}`, `[]`, `null`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var a Answers
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			return
		}
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var again Answers
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatalf("%s → %s: %v", s, b, err)
		}
		if !utf8.ValidString(again.Workplace) || again.Workplace != a.Workplace || again.Role != a.Role || len(again.Extra) != len(a.Extra) {
			t.Fatalf("%s → %s → %+v", s, b, again)
		}
	})
}
