package markdown

import "strings"

// Source tidies a post's Markdown as it is saved and previewed: it drops
// whitespace at the end (trailing spaces and blank lines a textarea or a
// phone keyboard leaves) and blank lines at the start, and nothing else.
// Leading whitespace of the first line is kept, because in Markdown it is
// meaning, not noise: four spaces or a tab start a code block, and
// indentation nests a list. Line endings become "\n".
func Source(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimRight(s, " \t\n\r\f\v")
	// Drop whole leading lines that hold only whitespace.
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.Trim(s[:i], " \t\r\f\v") != "" {
			break
		}
		s = s[i+1:]
	}
	if strings.Trim(s, " \t\r\f\v") == "" {
		return ""
	}
	return s
}
