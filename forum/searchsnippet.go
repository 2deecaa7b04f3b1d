package forum

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"kliv/forum/search"
)

// snippetWords is how many words a result's snippet shows.
const snippetWords = 32

// Fragment is a piece of a highlighted text; Mark pieces are words that
// were searched for.
type Fragment struct {
	Text string
	Mark bool
}

// Highlight is a text cut into fragments. Templates range over it and
// let html/template escape each piece, so no HTML is ever trusted; HTML
// gives the same as an escaped string for the API.
type Highlight []Fragment

// HTML returns the text HTML-escaped, with the marked words in <mark>.
func (h Highlight) HTML() string {
	var b strings.Builder
	for _, f := range h {
		if f.Mark {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(f.Text))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(f.Text))
		}
	}
	return b.String()
}

// String returns the plain text.
func (h Highlight) String() string {
	var b strings.Builder
	for _, f := range h {
		b.WriteString(f.Text)
	}
	return b.String()
}

// highlighter finds the query's words in a text as the index tokenized
// them: letters and digits, case-folded, prefixes for "led*".
type highlighter struct {
	words    map[string]bool
	prefixes []string
}

func newHighlighter(q search.Query, forms [][]string) *highlighter {
	h := &highlighter{words: map[string]bool{}}
	for _, w := range q.Words() {
		h.words[w] = true
	}
	for _, t := range q.Terms {
		if n := len(t.Words); t.Prefix && n > 0 && utf8.RuneCountInString(t.Words[n-1]) >= search.MinPrefixRunes {
			h.prefixes = append(h.prefixes, strings.ToLower(t.Words[n-1]))
		}
	}
	// Other forms of a word are hits too ("hemtjänsten" for "hemtjänst").
	for _, fs := range forms {
		for _, f := range fs {
			h.words[f] = true
		}
	}
	return h
}

// token is a word of a text: its byte range and the query word it
// matches ("" for none).
type token struct {
	start, end int
	match      string
}

// tokens splits text into words the way SQLite's unicode61 tokenizer
// does, near enough for marking: a word starts at a letter or digit and
// goes on over letters, digits and combining marks.
func (h *highlighter) tokens(text string) []token {
	var out []token
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			i += size
			continue
		}
		start := i
		for i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) {
				break
			}
			i += size
		}
		out = append(out, token{start: start, end: i, match: h.match(strings.ToLower(text[start:i]))})
	}
	return out
}

// match returns the query word or prefix that a folded word matches.
func (h *highlighter) match(w string) string {
	if h.words[w] {
		return w
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(w, p) {
			return p + "*"
		}
	}
	return ""
}

// mark returns the whole text with the query's words marked.
func (h *highlighter) mark(text string) Highlight {
	text = norm.NFC.String(text)
	return h.fragments(text, h.tokens(text), 0, len(text))
}

// snippet returns about n words of text around the passage with the most
// different query words (the first such), with "…" where it was cut.
func (h *highlighter) snippet(text string, n int) Highlight {
	text = norm.NFC.String(text)
	toks := h.tokens(text)
	if len(toks) <= n {
		return h.fragments(text, toks, 0, len(text))
	}
	best, bestWords, bestHits := 0, 0, 0
	for i, t := range toks {
		if t.match == "" {
			continue
		}
		// A little context before the first word.
		from := max(0, i-4)
		from = max(0, min(from, len(toks)-n))
		seen := map[string]bool{}
		hits := 0
		for _, u := range toks[from : from+n] {
			if u.match != "" {
				seen[u.match] = true
				hits++
			}
		}
		if len(seen) > bestWords || (len(seen) == bestWords && hits > bestHits) {
			best, bestWords, bestHits = from, len(seen), hits
		}
	}
	start, end := 0, len(text)
	if best > 0 {
		start = toks[best].start
	}
	if best+n < len(toks) {
		end = toks[best+n-1].end
		// Keep the punctuation that closes the last word: "ord." "(ord)".
		rest := text[end:toks[best+n].start]
		if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
			rest = rest[:i]
		}
		end += len(rest)
	}
	out := h.fragments(text, toks[best:best+n], start, end)
	if start > 0 {
		out = append(Highlight{{Text: "…"}}, out...)
	}
	if end < len(text) {
		out = append(out, Fragment{Text: "…"})
	}
	return out
}

// fragments cuts text[start:end] at the matched tokens among toks.
func (h *highlighter) fragments(text string, toks []token, start, end int) Highlight {
	var out Highlight
	at := start
	for _, t := range toks {
		if t.match == "" || t.start < start || t.end > end {
			continue
		}
		if t.start > at {
			out = append(out, Fragment{Text: text[at:t.start]})
		}
		out = append(out, Fragment{Text: text[t.start:t.end], Mark: true})
		at = t.end
	}
	if at < end {
		out = append(out, Fragment{Text: text[at:end]})
	}
	return out
}
