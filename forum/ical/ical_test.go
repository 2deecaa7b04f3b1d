package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"
)

func TestEscapeText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{`a,b;c\d`, `a\,b\;c\\d`},
		{"line1\nline2\r\nline3\rline4", `line1\nline2\nline3\nline4`},
		{"tab\there", "tab\there"},
		{"bell\x07gone\x7f", "bellgone"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"Möte på Sergels torg, plan 3; sal B", `Möte på Sergels torg\, plan 3\; sal B`},
	}
	for _, c := range cases {
		if got := EscapeText(c.in); got != c.want {
			t.Errorf("EscapeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func checkFolded(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\r") {
		t.Fatalf("bare CR or LF in %q", out)
	}
	if !strings.HasSuffix(out, "\r\n") {
		t.Fatalf("no CRLF at the end of %q", out)
	}
	for i, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > MaxLine {
			t.Fatalf("line %d is %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line %d splits a UTF-8 sequence: %q", i, l)
		}
		if i > 0 && !strings.HasPrefix(l, " ") {
			t.Fatalf("continuation line %d does not start with a space: %q", i, l)
		}
	}
}

func TestFold(t *testing.T) {
	for _, s := range []string{
		"SHORT:x",
		"DESCRIPTION:" + strings.Repeat("a", 63),  // exactly 75
		"DESCRIPTION:" + strings.Repeat("a", 64),  // 76
		"DESCRIPTION:" + strings.Repeat("å", 200), // two-octet runes
		"DESCRIPTION:" + strings.Repeat("€", 101), // three-octet runes
		"DESCRIPTION:" + strings.Repeat("😀", 77),  // four-octet runes
		"X:" + strings.Repeat("ab€", 50),
	} {
		out := Fold(s)
		checkFolded(t, out)
		if got := Unfold(out); len(got) != 1 || got[0] != s {
			t.Fatalf("unfold(fold(%q)) = %q", s, got)
		}
	}
	if got := Fold("DESCRIPTION:" + strings.Repeat("a", 63)); strings.Count(got, "\r\n") != 1 {
		t.Errorf("a 75-octet line was folded: %q", got)
	}
	if got := Fold("DESCRIPTION:" + strings.Repeat("a", 64)); strings.Count(got, "\r\n") != 2 {
		t.Errorf("a 76-octet line was not folded once: %q", got)
	}
}

func sample() *Calendar {
	start := time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC) // 18:00 in Stockholm
	return &Calendar{
		Name:  "Kliv: träffar",
		Stamp: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC),
		Events: []Event{{
			UID: "event-12@kliv.test", Start: start, End: start.Add(3 * time.Hour),
			Summary:     "Nätverksträff, jul; \\ fest",
			Description: strings.Repeat("Föreläsning och mingel. ", 20) + "\nVälkomna!",
			Location:    "Kulturhuset, Sergels torg 3, Stockholm",
			URL:         "https://kliv.test/t/12",
			Sequence:    2, Created: start.Add(-72 * time.Hour), LastModified: start.Add(-24 * time.Hour),
			Organizer: "Anna Berg", Categories: []string{"Nätverksträff"},
		}, {
			UID: "event-13@kliv.test", Start: start.AddDate(0, 6, 0), End: start.AddDate(0, 6, 0).Add(time.Hour),
			Summary: "Inställd fika", Cancelled: true,
		}},
	}
}

func TestMarshalRFC5545(t *testing.T) {
	out := string(Marshal(sample()))
	checkLines(t, out)
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "PRODID:" + ProdID + "\r\n",
		"BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\n",
		"DTSTART;TZID=Europe/Stockholm:20261210T180000\r\n", "DTEND;TZID=Europe/Stockholm:20261210T210000\r\n",
		// Summer time: June 10 17:00 UTC is 19:00 in Stockholm.
		"DTSTART;TZID=Europe/Stockholm:20270610T190000\r\n",
		"DTSTAMP:20261201T080000Z\r\n", "SEQUENCE:2\r\n", "STATUS:CANCELLED\r\n", "STATUS:CONFIRMED\r\n",
		`SUMMARY:Nätverksträff\, jul\; \\ fest` + "\r\n", "UID:event-12@kliv.test\r\n",
		"END:VCALENDAR\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("calendar lacks %q:\n%s", want, out)
		}
	}
	// The long description was folded and unfolds to the escaped text.
	var desc string
	for _, l := range Unfold(out) {
		if v, ok := strings.CutPrefix(l, "DESCRIPTION:"); ok {
			desc = v
		}
	}
	if UnescapeText(desc) != sample().Events[0].Description {
		t.Errorf("description round trip: %q", UnescapeText(desc))
	}
}

// checkLines checks the rules every line obeys: CRLF, at most 75 octets,
// whole UTF-8 sequences, balanced BEGIN/END.
func checkLines(t *testing.T, out string) {
	t.Helper()
	if !strings.HasSuffix(out, "\r\n") {
		t.Fatal("calendar does not end with CRLF")
	}
	var stack []string
	for i, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i, l)
		}
		if len(l) > MaxLine {
			t.Fatalf("line %d is %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line %d is not whole UTF-8: %q", i, l)
		}
		if v, ok := strings.CutPrefix(l, "BEGIN:"); ok {
			stack = append(stack, v)
		}
		if v, ok := strings.CutPrefix(l, "END:"); ok {
			if len(stack) == 0 || stack[len(stack)-1] != v {
				t.Fatalf("line %d: END:%s does not match", i, v)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed %v", stack)
	}
}

// TestParser reads the output with a real iCalendar parser.
func TestParser(t *testing.T) {
	cal, err := goical.NewDecoder(bytes.NewReader(Marshal(sample()))).Decode()
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	e := evs[0]
	if s, _ := e.Props.Text(goical.PropSummary); s != "Nätverksträff, jul; \\ fest" {
		t.Errorf("summary = %q", s)
	}
	if s, _ := e.Props.Text(goical.PropDescription); s != sample().Events[0].Description {
		t.Errorf("description = %q", s)
	}
	if s, _ := e.Props.Text(goical.PropLocation); s != "Kulturhuset, Sergels torg 3, Stockholm" {
		t.Errorf("location = %q", s)
	}
	start, err := e.DateTimeStart(nil)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if !start.Equal(sample().Events[0].Start) {
		t.Errorf("start = %v, want %v", start, sample().Events[0].Start)
	}
	if p := e.Props.Get(goical.PropDateTimeStart); p.Params.Get(goical.ParamTimezoneID) != TZID {
		t.Errorf("DTSTART has no TZID: %+v", p)
	}
	if st, _ := evs[1].Status(); st != goical.EventCancelled {
		t.Errorf("status = %q", st)
	}
	var tz int
	for _, c := range cal.Children {
		if c.Name == goical.CompTimezone {
			tz++
		}
	}
	if tz != 1 {
		t.Errorf("%d VTIMEZONE, want 1", tz)
	}
}

// FuzzText: whatever a member types, the escaped and folded line stays
// within the rules and unfolds and unescapes to what she typed (less the
// control characters TEXT cannot carry).
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "a,b;c\\d", "rad ett\nrad två\r\n", strings.Repeat("å€😀", 40), "\xff\xfe", "\t\x00\x1f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc := EscapeText(s)
		line := "DESCRIPTION:" + esc
		out := Fold(line)
		checkFolded(t, out)
		got := Unfold(out)
		if len(got) != 1 || got[0] != line {
			t.Fatalf("unfold(fold(%q)) = %q", line, got)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		want = strings.ReplaceAll(want, "\r\n", "\n")
		want = strings.ReplaceAll(want, "\r", "\n")
		want = strings.Map(func(r rune) rune {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
				return -1
			}
			return r
		}, want)
		if u := UnescapeText(esc); u != want {
			t.Fatalf("unescape(escape(%q)) = %q, want %q", s, u, want)
		}
	})
}
