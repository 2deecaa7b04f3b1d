package pnr

import "testing"

func TestFind(t *testing.T) {
	cases := []struct {
		name string
		text string
		want []Kind
	}{
		{"short with dash", "Klienten 811218-9876 har", []Kind{Personal}},
		{"short without dash", "8112189876", []Kind{Personal}},
		{"long with dash", "född 19811218-9876.", []Kind{Personal}},
		{"long without dash", "198112189876", []Kind{Personal}},
		{"space instead of dash", "811218 9876", []Kind{Personal}},
		{"spaces around dash", "811218 - 9876", []Kind{Personal}},
		{"en dash", "811218–9876", []Kind{Personal}},
		{"plus, over 100", "121212+1212", []Kind{Personal}},
		{"long plus is wrong", "19121212+1212", nil},
		{"samordningsnummer", "701063-2391", []Kind{Coordination}},
		{"samordningsnummer long", "19701063-2391", []Kind{Coordination}},
		{"wrong check digit", "811218-9875", nil},
		{"month 13", "811318-9873", nil},
		{"day 32", "811232-9870", nil},
		{"30 February", "800230-1236", nil},
		{"29 February in a leap year", "000229-0005", []Kind{Personal}},
		{"29 February 1900 is no date", "19000229-0005", nil},
		{"29 February 2000", "20000229-0005", []Kind{Personal}},
		{"day 60 is no day", "811260-9875", nil},
		{"inside a longer number", "12811218-98761", nil},
		{"eleven digits", "81121898761", nil},
		{"phone number", "070-123 45 67", nil},
		{"amount", "kostade 1 200 000 kronor", nil},
		{"two numbers", "811218-9876 och 121212-1212", []Kind{Personal, Personal}},
		{"in a word", "ärende811218-9876x", []Kind{Personal}},
		{"century 17", "17811218-9876", nil},
		{"empty", "", nil},
		{"only dash", "811218-", nil},
		{"date only", "Mötet 2024-03-01 kl 10", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Find(tc.text)
			if len(got) != len(tc.want) {
				t.Fatalf("Find(%q) = %v, want %v", tc.text, got, tc.want)
			}
			for i := range got {
				if got[i].Kind != tc.want[i] {
					t.Errorf("match %d kind %s, want %s", i, got[i].Kind, tc.want[i])
				}
			}
			if Contains(tc.text) != (len(tc.want) > 0) {
				t.Errorf("Contains(%q) disagrees with Find", tc.text)
			}
		})
	}
}

func TestMask(t *testing.T) {
	if got := Mask("Hon, 811218-9876, sa"); got != "Hon, 811218-XXXX, sa" {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("inget"); got != "inget" {
		t.Errorf("Mask = %q", got)
	}
}

// FuzzFind: Find never panics, its matches lie in order inside the text
// on digits, each holds a valid number again, and masking removes them.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"811218-9876", "19811218 - 9876", "701063-2391", "121212+1212", "000229-0005", "070-123 45 67", "811218–9876", "1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms := Find(s)
		prev := 0
		for _, m := range ms {
			if m.Start < prev || m.End <= m.Start || m.End > len(s) {
				t.Fatalf("bad match %v in %q", m, s)
			}
			if !isDigit(s[m.Start]) || !isDigit(s[m.End-1]) {
				t.Fatalf("match %v of %q does not start and end on digits", m, s)
			}
			if again := Find(s[m.Start:m.End]); len(again) != 1 {
				t.Fatalf("match %q alone gives %v", s[m.Start:m.End], again)
			}
			prev = m.End
		}
		if Contains(s) != (len(ms) > 0) {
			t.Fatalf("Contains disagrees on %q", s)
		}
		if masked := Mask(s); len(Find(masked)) > 0 || (len(ms) == 0 && masked != s) {
			t.Fatalf("Mask(%q) = %q", s, masked)
		}
	})
}
