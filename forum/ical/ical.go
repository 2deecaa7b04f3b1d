// Package ical writes iCalendar (RFC 5545) calendars of events: one event
// as an .ics file, or a member's feed of several. Text values are escaped
// (backslash, semicolon, comma, newlines), control characters dropped,
// lines folded at 75 octets without splitting a UTF-8 sequence, and every
// line ends with CRLF. Times are written in Europe/Stockholm with a
// VTIMEZONE that defines it, so calendar programs need no zone database
// of their own.
package ical

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// TZID is the zone every event's times are written in.
const TZID = "Europe/Stockholm"

// Stockholm is TZID as a location (a fixed CET if the system has no zone
// database, which tests would notice).
var Stockholm = func() *time.Location {
	loc, err := time.LoadLocation(TZID)
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// Event is one VEVENT.
type Event struct {
	// UID is stable for the event's life, so an edit updates the entry
	// in a calendar instead of adding one.
	UID         string
	Start, End  time.Time
	Summary     string
	Description string
	Location    string
	URL         string
	// Sequence grows with each significant edit (RFC 5545 3.8.7.4).
	Sequence  int
	Cancelled bool
	// Stamp is the event's DTSTAMP; zero takes the calendar's.
	Stamp        time.Time
	Created      time.Time
	LastModified time.Time
	// Organizer names the organisers. ORGANIZER needs an address, which
	// a member's calendar must not leak, so the names go in CONTACT.
	Organizer string
	// Categories are written as one CATEGORIES line (e.g. "Nätverksträff").
	Categories []string
}

// Calendar is a VCALENDAR.
type Calendar struct {
	// Name is the calendar's display name (X-WR-CALNAME), or "".
	Name   string
	Events []Event
	// Stamp is DTSTAMP: when the calendar was made.
	Stamp time.Time
	// Method is "PUBLISH" when set to anything but "".
	Method string
}

// ProdID names the program that made the calendar.
const ProdID = "-//Kliv//Kliv events//SV"

// vtimezone defines Europe/Stockholm: CET with summer time from the last
// Sunday of March to the last Sunday of October (EU rules since 1996).
var vtimezone = []string{
	"BEGIN:VTIMEZONE",
	"TZID:" + TZID,
	"X-LIC-LOCATION:" + TZID,
	"BEGIN:DAYLIGHT",
	"TZOFFSETFROM:+0100",
	"TZOFFSETTO:+0200",
	"TZNAME:CEST",
	"DTSTART:19700329T020000",
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
	"END:DAYLIGHT",
	"BEGIN:STANDARD",
	"TZOFFSETFROM:+0200",
	"TZOFFSETTO:+0100",
	"TZNAME:CET",
	"DTSTART:19701025T030000",
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
	"END:STANDARD",
	"END:VTIMEZONE",
}

// Marshal writes the calendar.
func Marshal(c *Calendar) []byte {
	var b bytes.Buffer
	w := func(line string) { b.WriteString(Fold(line)) }
	w("BEGIN:VCALENDAR")
	w("VERSION:2.0")
	w("PRODID:" + ProdID)
	w("CALSCALE:GREGORIAN")
	if c.Method != "" {
		w("METHOD:PUBLISH")
	}
	if c.Name != "" {
		w("X-WR-CALNAME:" + EscapeText(c.Name))
		w("X-WR-TIMEZONE:" + TZID)
	}
	for _, l := range vtimezone {
		w(l)
	}
	for i := range c.Events {
		e := &c.Events[i]
		stamp := c.Stamp
		if !e.Stamp.IsZero() {
			stamp = e.Stamp
		}
		w("BEGIN:VEVENT")
		w("UID:" + EscapeText(e.UID))
		w("DTSTAMP:" + utc(stamp))
		w("DTSTART;TZID=" + TZID + ":" + local(e.Start))
		w("DTEND;TZID=" + TZID + ":" + local(e.End))
		if !e.Created.IsZero() {
			w("CREATED:" + utc(e.Created))
		}
		if !e.LastModified.IsZero() {
			w("LAST-MODIFIED:" + utc(e.LastModified))
		}
		w("SEQUENCE:" + strconv.Itoa(max(0, e.Sequence)))
		if e.Cancelled {
			w("STATUS:CANCELLED")
		} else {
			w("STATUS:CONFIRMED")
		}
		w("SUMMARY:" + EscapeText(e.Summary))
		if e.Description != "" {
			w("DESCRIPTION:" + EscapeText(e.Description))
		}
		if e.Location != "" {
			w("LOCATION:" + EscapeText(e.Location))
		}
		if u := cleanURI(e.URL); u != "" {
			w("URL:" + u)
		}
		if e.Organizer != "" {
			w("CONTACT:" + EscapeText(e.Organizer))
		}
		if len(e.Categories) > 0 {
			cs := make([]string, len(e.Categories))
			for i, s := range e.Categories {
				cs[i] = EscapeText(s)
			}
			w("CATEGORIES:" + strings.Join(cs, ","))
		}
		w("TRANSP:OPAQUE")
		w("END:VEVENT")
	}
	w("END:VCALENDAR")
	return b.Bytes()
}

func utc(t time.Time) string   { return t.UTC().Format("20060102T150405Z") }
func local(t time.Time) string { return t.In(Stockholm).Format("20060102T150405") }

// cleanURI keeps a URI value free of what would break the line: a URI
// is not TEXT and is not escaped, so characters no URI has are dropped.
func cleanURI(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x21 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// EscapeText escapes a TEXT value (RFC 5545 3.3.11): backslash,
// semicolon and comma get a backslash, a line break (CRLF, CR or LF)
// becomes \n, other control characters but tab are dropped (TEXT has no
// place for them), and invalid UTF-8 is replaced.
func EscapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch ch {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteByte(ch)
		default:
			if ch < 0x20 || ch == 0x7f {
				continue
			}
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// UnescapeText reverses EscapeText (for tests and readers of our own
// output): \n and \N are a newline, \\ \; \, the character.
func UnescapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// MaxLine is the longest line in octets, CRLF not counted (RFC 5545 3.1).
const MaxLine = 75

// Fold splits a content line into lines of at most MaxLine octets, each
// continuation starting with one space, never inside a UTF-8 sequence,
// and ends each with CRLF.
func Fold(line string) string {
	if len(line) <= MaxLine {
		return line + "\r\n"
	}
	var b strings.Builder
	b.Grow(len(line) + len(line)/MaxLine*3 + 2)
	limit := MaxLine
	for len(line) > limit {
		cut := limit
		// Back off to the start of a rune: a continuation byte is
		// 10xxxxxx.
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 {
			cut = limit // not UTF-8 at all; EscapeText never lets it happen
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		// The leading space counts toward the next line's octets.
		limit = MaxLine - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

// Unfold joins folded lines (CRLF followed by a space or tab) and splits
// the result at CRLF.
func Unfold(data string) []string {
	data = strings.ReplaceAll(data, "\r\n ", "")
	data = strings.ReplaceAll(data, "\r\n\t", "")
	lines := strings.Split(data, "\r\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	return lines
}
