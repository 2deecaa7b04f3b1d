package i18n

import (
	"strings"
	"testing"
	"time"
)

func TestLoadAndTranslate(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Keys()) == 0 || !b.Has("site.name") || b.Has("no.such.key") {
		t.Fatal("catalog not loaded")
	}
	for _, k := range b.Keys() {
		for _, lang := range Langs {
			if strings.TrimSpace(b.T(lang, k)) == "" {
				t.Errorf("%s: %s is empty", lang, k)
			}
		}
	}
	if got := b.T("en", "error.field.long", 30); got != "Write at most 30 characters." {
		t.Errorf("T with args: %q", got)
	}
	if got := b.T("xx", "login.title"); got != "Logga in" {
		t.Errorf("unknown language falls back to Swedish: %q", got)
	}
	if got := b.T("sv", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key: %q", got)
	}
	l := Localizer{B: b, Lang: "sv"}
	if got := l.N("queue.waited.days", 1); got != "1 dag" {
		t.Errorf("N one: %q", got)
	}
	if got := l.N("queue.waited.days", 3); got != "3 dagar" {
		t.Errorf("N other: %q", got)
	}
}

func TestMatch(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "sv",
		"en":                      "en",
		"EN-gb":                   "en",
		"sv-SE,sv;q=0.9,en;q=0.8": "sv",
		"de-DE,de;q=0.9,en;q=0.5": "en",
		"en;q=0.3,sv;q=0.7":       "sv",
		"en-US,en;q=0.9,sv;q=0.1": "sv",
		"en,sv;q=0":               "en",
		"en;q=0":                  "sv",
		"nb-NO,en;q=0.5":          "sv",
		"da":                      "sv",
		"fr, de":                  "sv",
		"*":                       "sv",
		";;,,q=":                  "sv",
	} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
	if !Supported("sv") || !Supported("en") || Supported("") || Supported("de") {
		t.Error("Supported")
	}
}

func TestWhen(t *testing.T) {
	b := MustLoad()
	sv, en := Localizer{B: b, Lang: "sv"}, Localizer{B: b, Lang: "en"}
	now := time.Date(2025, 3, 14, 15, 0, 0, 0, Stockholm) // a Friday
	for _, tc := range []struct {
		t      time.Time
		sv, en string
	}{
		{now.Add(-20 * time.Second), "nyss", "just now"},
		{now.Add(-5 * time.Minute), "för 5 minuter sedan", "5 minutes ago"},
		{now.Add(-1 * time.Minute), "för 1 minut sedan", "1 minute ago"},
		{time.Date(2025, 3, 14, 9, 5, 0, 0, Stockholm), "i dag 09:05", "today 09:05"},
		{time.Date(2025, 3, 13, 14, 5, 0, 0, Stockholm), "i går 14:05", "yesterday 14:05"},
		{time.Date(2025, 3, 11, 9, 30, 0, 0, Stockholm), "tisdag 09:30", "Tuesday 09:30"},
		{time.Date(2025, 3, 3, 9, 30, 0, 0, Stockholm), "3 mars", "March 3"},
		{now.Add(time.Hour), "14 mars", "March 14"},
	} {
		if got := sv.When(tc.t, now); got != tc.sv {
			t.Errorf("When(%v) = %q, want %q", tc.t, got, tc.sv)
		}
		if got := en.When(tc.t, now); got != tc.en {
			t.Errorf("English When(%v) = %q, want %q", tc.t, got, tc.en)
		}
	}
	if got := sv.When(time.Date(2024, 12, 24, 9, 30, 0, 0, Stockholm), now); got != "24 december 2024" {
		t.Errorf("another year: %q", got)
	}
	// Stored times are UTC; they are shown in Swedish time.
	utc := time.Date(2025, 7, 1, 22, 30, 0, 0, time.UTC)
	if got := sv.Exact(utc); !strings.Contains(got, "2 juli 2025") || !strings.Contains(got, "00:30") {
		t.Errorf("Exact in Stockholm time: %q", got)
	}
}
