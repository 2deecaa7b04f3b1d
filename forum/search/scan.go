package search

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Matcher decides in Go what the expression of MatchForms matches and
// counts what FTS4's matchinfo reports of a row (its tokens per column,
// each phrase's hits per column). It lets the forum search a narrow range
// of old posts that FTS4 could only reach by reading a common word's
// doclist from its newest entry down: tokenizing a few thousand posts
// costs less than skipping over most of a million entries.
type Matcher struct {
	groups   [][]phrase // the required terms, each its phrases, in MatchForms' order
	excluded []phrase
	phrases  int
	// words are the expression's words, each once, as one-word phrases:
	// the doclists FTS4 reads.
	words []phrase
}

type phrase struct {
	words  []string
	prefix bool
}

// Matcher builds the matcher of q.MatchForms(forms): the same required
// terms, the same forms and the same exclusions, cut at MaxTerms alike.
// It returns nil when the expression would be "".
func (q Query) Matcher(forms [][]string) *Matcher {
	m := &Matcher{}
	n := 0
	for i, t := range q.Terms {
		if n >= MaxTerms {
			break
		}
		words, prefix := t.clean()
		if len(words) == 0 {
			continue
		}
		g := []phrase{{words, prefix}}
		if i < len(forms) {
			for _, f := range forms[i] {
				if e := (Term{Words: []string{f}}).expr(); e != "" && !strings.Contains(e, " ") && t.IsForm(e) {
					g = append(g, phrase{words: []string{e}})
				}
			}
		}
		m.groups = append(m.groups, g)
		m.phrases += len(g)
		n++
	}
	if n == 0 {
		return nil
	}
	for _, t := range q.Excluded {
		if n >= MaxTerms {
			break
		}
		if words, prefix := t.clean(); len(words) > 0 {
			m.excluded = append(m.excluded, phrase{words, prefix})
			n++
		}
	}
	for _, g := range append(m.groups, m.excluded) {
		for _, p := range g {
			for k, w := range p.words {
				wp := phrase{words: []string{w}, prefix: p.prefix && k == len(p.words)-1}
				if !slices.ContainsFunc(m.words, func(o phrase) bool { return o.words[0] == w && o.prefix == wp.prefix }) {
					m.words = append(m.words, wp)
				}
			}
		}
	}
	return m
}

// Words is how many different words (and prefixes) the expression holds.
func (m *Matcher) Words() int { return len(m.words) }

// Phrases is the number of required phrases, the length of Match's hits
// divided by two.
func (m *Matcher) Phrases() int { return m.phrases }

// Row is a reusable buffer for Match: one row's tokens.
type Row struct {
	buf  []byte
	ends [2][]int // token end offsets in buf, per column
	cols [2]int   // where each column's tokens start in buf
}

// Match tokenizes a row's title and body as the index does and reports
// whether the expression matches it, against the title alone when
// titleOnly (as "post_search.title MATCH" does). hits receives, for each
// required phrase i, its hits in the title (hits[2i]) and the body
// (hits[2i+1]); lens the tokens of each column; touched how many of the
// expression's words the row holds, matched or not (each word's doclist
// has an entry for it).
func (m *Matcher) Match(r *Row, title, body string, titleOnly bool, hits []uint32) (ok bool, lens [2]uint32, touched int) {
	r.buf = r.buf[:0]
	for c, text := range [2]string{title, body} {
		r.cols[c] = len(r.buf)
		r.ends[c] = r.ends[c][:0]
		indexTokens(text, func(tok []byte) {
			r.buf = append(r.buf, tok...)
			r.ends[c] = append(r.ends[c], len(r.buf))
		})
		lens[c] = uint32(len(r.ends[c]))
	}
	cols := 2
	if titleOnly {
		cols = 1
	}
	for _, p := range m.words {
		for c := range cols {
			if r.count(c, p, true) > 0 {
				touched++
				break
			}
		}
	}
	for _, p := range m.excluded {
		for c := range cols {
			if r.count(c, p, true) > 0 {
				return false, lens, touched
			}
		}
	}
	clear(hits)
	ok = true
	i := 0
	for _, g := range m.groups {
		found := false
		for _, p := range g {
			for c := range cols {
				n := r.count(c, p, false)
				hits[2*i+c] = uint32(n)
				found = found || n > 0
			}
			i++
		}
		ok = ok && found
	}
	return ok, lens, touched
}

// token returns token j of column c.
func (r *Row) token(c, j int) []byte {
	start := r.cols[c]
	if j > 0 {
		start = r.ends[c][j-1]
	}
	return r.buf[start:r.ends[c][j]]
}

// count returns how often phrase p occurs in column c (stopping at the
// first when any).
func (r *Row) count(c int, p phrase, any bool) int {
	n := 0
	toks := len(r.ends[c])
	for j := 0; j+len(p.words) <= toks; j++ {
		hit := true
		for k, w := range p.words {
			tok := r.token(c, j+k)
			if p.prefix && k == len(p.words)-1 {
				hit = len(tok) >= len(w) && string(tok[:len(w)]) == w
			} else {
				hit = string(tok) == w
			}
			if !hit {
				break
			}
		}
		if hit {
			n++
			if any {
				return n
			}
		}
	}
	return n
}

// indexTokens calls fn with each token of s as the index stores it:
// tokenize's rules without its cut at MaxWordRunes. The slice is reused.
func indexTokens(s string, fn func(tok []byte)) {
	var b []byte
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			// ASCII: letters and digits are token characters, the rest
			// separates (as alnumRanges says for the first 128 code points).
			if !isASCIIAlnum(c) {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRuneInString(s[i:]); !isLatin1Letter(r) && !isTokenChar(sqliteRune(r)) {
			i += size
			continue
		}
		b = b[:0]
		n := 0
		for i < len(s) {
			if c := s[i]; c < utf8.RuneSelf {
				if !isASCIIAlnum(c) {
					break
				}
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				b = append(b, c)
				i++
				n++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if isLatin1Letter(r) {
				// À–Þ fold to à–þ; ß–ÿ are lower case already.
				if r <= 0xDE {
					r += 0x20
				}
				b = utf8.AppendRune(b, r)
				n++
				i += size
				continue
			}
			c := sqliteRune(r)
			if n > 0 && !isTokenChar(c) && !isDiacritic(c) {
				break
			}
			b = utf8.AppendRune(b, fold(c))
			n++
			i += size
		}
		fn(b)
	}
}

// isLatin1Letter reports a letter of U+00C0–U+00FF (not × or ÷): å, ä,
// ö, é and their capitals, the commonest non-ASCII letters of the forum.
func isLatin1Letter(r rune) bool {
	return 0xC0 <= r && r <= 0xFF && r != 0xD7 && r != 0xF7
}

func isASCIIAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
