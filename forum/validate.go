package forum

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"kliv/forum/markdown"
)

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$`)

// CheckText validates a one-line (multiline=false) or multi-line text
// field of minLen..maxLen characters, adding a message to v on failure.
// It returns the trimmed value.
func CheckText(v *ValidationError, field, s string, minLen, maxLen int, multiline bool) string {
	return checkText(v, field, s, strings.TrimSpace, minLen, maxLen, multiline)
}

// CheckMarkdown validates a post's Markdown source like a multi-line
// CheckText, but trims it as markdown.Source does: only trailing
// whitespace and leading blank lines, since leading indentation is part
// of what she wrote (a code block, a nested list).
func CheckMarkdown(v *ValidationError, field, s string, minLen, maxLen int) string {
	return checkText(v, field, s, markdown.Source, minLen, maxLen, true)
}

func checkText(v *ValidationError, field, s string, trim func(string) string, minLen, maxLen int, multiline bool) string {
	if !utf8.ValidString(s) {
		v.Add(field, "error.field.utf8")
		return s
	}
	// NFC, so that an "ö" typed as o + combining diaeresis is stored,
	// shown and indexed for search as the one letter the query parser
	// makes of it.
	s = norm.NFC.String(trim(s))
	if multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	for _, r := range s {
		if r == '\n' || r == '\t' {
			if !multiline && r == '\n' {
				v.Add(field, "error.field.oneline")
				return s
			}
			continue
		}
		if unicode.IsControl(r) {
			v.Add(field, "error.field.control")
			return s
		}
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && minLen > 0:
		v.Add(field, "error.field.required")
	case n < minLen:
		v.Add(field, "error.field.short", minLen)
	case n > maxLen:
		v.Add(field, "error.field.long", maxLen)
	}
	return s
}

// CheckUsername validates a username: 3–30 letters, digits, '_', '.', '-',
// starting with a letter or digit.
func CheckUsername(v *ValidationError, field, s string) string {
	s = CheckText(v, field, s, 1, 30, false)
	if v.Has(field) {
		return s
	}
	if !usernameRE.MatchString(s) {
		v.Add(field, "error.username.format")
	}
	return s
}

// CheckEmail validates an e-mail address and returns it trimmed.
func CheckEmail(v *ValidationError, field, s string) string {
	s = CheckText(v, field, s, 1, 254, false)
	if v.Has(field) {
		return s
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		v.Add(field, "error.email.format")
	}
	return s
}

// CheckNewPassword validates a new password's length.
func CheckNewPassword(v *ValidationError, field, pw string) {
	if !utf8.ValidString(pw) {
		v.Add(field, "error.field.utf8")
		return
	}
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		v.Add(field, "error.password.short", MinPasswordLen)
	} else if n > MaxPasswordLen {
		v.Add(field, "error.field.long", MaxPasswordLen)
	}
}
