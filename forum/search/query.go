// Package search turns what a member types into the search box into a
// parsed Query and a SQLite FTS4 MATCH expression that is safe to bind as a
// parameter: whatever the input, the expression never contains an FTS
// operator, column filter or unbalanced quote the member did not get from
// this package, so SQLite never answers with "malformed MATCH expression".
//
// The forum's full-text table is FTS4 (compiled into mattn/go-sqlite3 by
// default; FTS5 is not) created with
//
//	tokenize=unicode61 "remove_diacritics=0", prefix="2,3,4"
//
// so å, ä and ö are letters of their own ("öst" is not "ost").
//
// mattn/go-sqlite3 compiles SQLite with SQLITE_ENABLE_FTS3_PARENTHESIS, so
// MATCH uses the "enhanced" query syntax: AND, OR, NOT and NEAR are
// upper-case keywords, parentheses group, and exclusion is written with the
// binary operator NOT ("a NOT b"). The standard syntax's unary minus
// ("a -b") does not exist there: the minus is silently dropped and "-b"
// means plain "b". Match therefore writes exclusions with NOT.
package search

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on a query. Input beyond them is dropped rather than rejected, so
// a member pasting a whole paragraph still gets results for its start.
const (
	// MaxInputBytes is how much of the typed text Parse looks at.
	MaxInputBytes = 500
	// MaxTerms is how many terms and phrases (required and excluded
	// together) a query keeps; it also keeps the FTS expression tree far
	// below SQLite's depth limit of 12 levels.
	MaxTerms = 12
	// MaxWordRunes is the longest word kept; longer words are cut and, when
	// they stand alone, searched as a prefix so they still find the
	// original word.
	MaxWordRunes = 64
	// MinPrefixRunes is the shortest prefix honoured for "word*"; the
	// table's smallest prefix index is 2 characters, and a 1-character
	// prefix would match half the dictionary.
	MinPrefixRunes = 2
)

// Topic kinds a Query can filter on; the values match the topics.kind
// column.
const (
	// KindQuestion is kind:question, typ:fråga.
	KindQuestion = "question"
	// KindTip is kind:tip, typ:tips.
	KindTip = "tip"
	// KindLink is kind:link, typ:länk.
	KindLink = "link"
	// KindDiscussion is kind:discussion, typ:diskussion.
	KindDiscussion = "discussion"
	// KindEvent is kind:event, typ:träff.
	KindEvent = "event"
)

// Query is a parsed search.
type Query struct {
	// Terms are the required terms and phrases (implicit AND).
	Terms []Term
	// Excluded are the terms and phrases typed with a leading minus.
	Excluded []Term

	// The filters below are parsed out of the text Discourse-style; the
	// caller may also set them from form fields. Match ignores them: the
	// caller turns them into SQL conditions.

	// Category is a category slug, from category:slug or kategori:slug.
	Category string
	// Kind is one of the Kind constants, from kind:question or the
	// Swedish typ:fråga (tips, länk, diskussion, träff).
	Kind string
	// Author is a username, from @name, author:name or av:name.
	Author string
	// After and Before are YYYY-MM-DD dates, from after:/efter: and
	// before:/före:. Invalid dates are not filters but plain text.
	After, Before string
	// InTitle limits the search to titles, from in:title or i:rubrik.
	// Match never names a column (FTS4 cannot attach a column to a quoted
	// phrase); the caller runs the expression against the title column
	// instead: "WHERE fts.title MATCH ?".
	InTitle bool
}

// Term is one search term: a single word, possibly a prefix, or a phrase of
// consecutive words. Words are already tokenized and case-folded exactly as
// the unicode61 tokenizer stores them in the index.
type Term struct {
	// Words are the tokens; a non-phrase term has exactly one.
	Words []string
	// Prefix makes the last word match any word starting with it.
	Prefix bool
	// Phrase requires the words to appear next to each other, in order.
	Phrase bool
}

// Parse reads what a member typed. It never fails: text it cannot use is
// ignored, and an input with nothing searchable gives a Query whose Match
// is "".
func Parse(input string) Query {
	input = truncateUTF8(input, MaxInputBytes)
	// NFC so that a decomposed "ö" (o + combining diaeresis, as some Mac
	// keyboards send) becomes the same token as the precomposed one.
	input = norm.NFC.String(strings.ToValidUTF8(input, "\uFFFD"))

	var q Query
	p := parser{s: input}
	for {
		p.skipSpace()
		if p.eof() {
			break
		}
		neg := false
		for !p.eof() && isMinus(p.peek()) {
			neg = true
			p.next()
		}
		if p.eof() || unicode.IsSpace(p.peek()) {
			continue // a lone "-" excludes nothing
		}
		var t Term
		var ok bool
		if isQuote(p.peek()) {
			p.next()
			t, ok = makeTerm(p.until(isQuote), true)
			if !p.eof() {
				p.next() // the closing quote; an unbalanced one closes at the end
			}
		} else {
			chunk := p.until(func(r rune) bool { return unicode.IsSpace(r) || isQuote(r) })
			if !neg && q.filter(chunk) {
				continue
			}
			t, ok = makeTerm(chunk, false)
		}
		if !ok || len(q.Terms)+len(q.Excluded) >= MaxTerms {
			continue
		}
		if neg {
			q.Excluded = addTerm(q.Excluded, t)
		} else {
			q.Terms = addTerm(q.Terms, t)
		}
	}
	return q
}

// Match returns the FTS4 MATCH expression, or "" when there is nothing to
// search for (only filters or only exclusions: FTS4 cannot match a pure
// NOT). The expression is meant to be bound as a parameter, never spliced
// into SQL. Words are re-tokenized here, so a Query built by hand from
// untrusted fields is as safe as one from Parse.
func (q Query) Match() string {
	var b strings.Builder
	n := 0
	for _, t := range q.Terms {
		if n >= MaxTerms {
			break
		}
		if s := t.expr(); s != "" {
			if n > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
			n++
		}
	}
	if n == 0 {
		return ""
	}
	for _, t := range q.Excluded {
		if n >= MaxTerms {
			break
		}
		// NOT binds tighter than the implicit AND between the required
		// terms, so "a b NOT c NOT d" means a AND b AND NOT c AND NOT d.
		if s := t.expr(); s != "" {
			b.WriteString(" NOT ")
			b.WriteString(s)
			n++
		}
	}
	return b.String()
}

// Words returns the required words without duplicates, in the order typed,
// for highlighting hits in titles and snippets. Prefix words are returned
// without the star; excluded words are left out as they cannot occur in a
// hit.
func (q Query) Words() []string {
	var out []string
	for _, t := range q.Terms {
		words, _ := t.clean()
		for _, w := range words {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// Empty reports whether the query asks for nothing at all: no terms, no
// exclusions and no filters, as when the input was only punctuation.
func (q Query) Empty() bool {
	return len(q.Terms) == 0 && len(q.Excluded) == 0 &&
		q.Category == "" && q.Kind == "" && q.Author == "" &&
		q.After == "" && q.Before == "" && !q.InTitle
}

// clean re-tokenizes the term's words, so that nothing but whole index
// tokens reaches SQLite, and returns them with the effective prefix flag.
func (t Term) clean() (words []string, prefix bool) {
	for _, w := range t.Words {
		tokenize(w, func(tok string, _ int, _ bool) {
			words = append(words, tok)
		})
	}
	prefix = t.Prefix && len(words) > 0 &&
		utf8.RuneCountInString(words[len(words)-1]) >= MinPrefixRunes
	return words, prefix
}

// expr writes the term in FTS4 syntax: a bare lower-case token (which can
// never be one of the upper-case keywords and contains no ':' so it cannot
// name a column) or a double-quoted phrase, with "*" after a prefix word.
func (t Term) expr() string {
	words, prefix := t.clean()
	if len(words) == 0 {
		return ""
	}
	s := strings.Join(words, " ")
	if prefix {
		s += "*"
	}
	if t.Phrase || len(words) > 1 {
		s = `"` + s + `"`
	}
	return s
}

// makeTerm tokenizes a chunk of typed text. A chunk that splits into
// several tokens ("e-post", "covid-19", "skolverket.se") becomes a phrase,
// because that is how the tokenizer indexed those words: next to each other.
func makeTerm(text string, phrase bool) (Term, bool) {
	var t Term
	truncated := false
	tokenize(text, func(tok string, end int, cut bool) {
		t.Words = append(t.Words, tok)
		truncated = cut
		t.Prefix = end < len(text) && text[end] == '*'
	})
	if len(t.Words) == 0 {
		return t, false
	}
	t.Phrase = phrase || len(t.Words) > 1
	// An over-long last word was cut to MaxWordRunes; as a prefix it still
	// finds the word the member typed.
	if truncated {
		t.Prefix = true
	}
	if t.Prefix && utf8.RuneCountInString(t.Words[len(t.Words)-1]) < MinPrefixRunes {
		t.Prefix = false
	}
	return t, true
}

// addTerm appends t unless an identical term is already there, so
// "ledare ledare" does not cost two of the MaxTerms.
func addTerm(list []Term, t Term) []Term {
	for _, o := range list {
		if o.Prefix == t.Prefix && o.Phrase == t.Phrase && slices.Equal(o.Words, t.Words) {
			return list
		}
	}
	return append(list, t)
}

// tokenize calls fn for each token of s as SQLite's unicode61 tokenizer
// (remove_diacritics=0) would produce it: a token starts at a letter or
// digit and continues over letters, digits and combining diacritics;
// everything else separates. fn gets the folded token, the byte offset in s
// just after it, and whether it was cut to MaxWordRunes.
func tokenize(s string, fn func(tok string, end int, cut bool)) {
	var b strings.Builder
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isTokenChar(sqliteRune(r)) {
			i += size
			continue
		}
		b.Reset()
		n := 0
		for i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
			c := sqliteRune(r)
			if n > 0 && !isTokenChar(c) && !isDiacritic(c) {
				break
			}
			if n < MaxWordRunes {
				b.WriteRune(fold(c))
			}
			n++
			i += size
		}
		fn(b.String(), i, n > MaxWordRunes)
	}
}

// sqliteRune maps a decoded rune to the code point SQLite's UTF-8 reader
// sees: it turns U+FFFE and U+FFFF (and Go's invalid-byte marker, already
// U+FFFD) into U+FFFD, which separates tokens.
func sqliteRune(r rune) rune {
	if r == 0xFFFE || r == 0xFFFF {
		return utf8.RuneError
	}
	return r
}

// Filter values accepted in the text; each maps what a member may type in
// English or Swedish (with or without å, ä, ö) to the stored value.
var kindNames = map[string]string{
	"question": KindQuestion, "questions": KindQuestion, "fråga": KindQuestion, "fraga": KindQuestion, "frågor": KindQuestion, "fragor": KindQuestion,
	"tip": KindTip, "tips": KindTip,
	"link": KindLink, "links": KindLink, "länk": KindLink, "lank": KindLink, "länkar": KindLink, "lankar": KindLink,
	"discussion": KindDiscussion, "discussions": KindDiscussion, "diskussion": KindDiscussion, "diskussioner": KindDiscussion,
	"event": KindEvent, "events": KindEvent, "träff": KindEvent, "traff": KindEvent, "träffar": KindEvent, "traffar": KindEvent,
}

var (
	// usernameRE and slugRE repeat the forum package's rules (importing
	// it would make a cycle once the store uses this package): a value
	// that cannot be a username or slug is text, not a filter.
	usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{2,29}$`)
	slugRE     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// slugFold mirrors forum.Slugify, so "kategori:Förskola" finds the
	// category whose slug is "forskola".
	slugFold = strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "é", "e", "ü", "u")
)

// filter applies chunk to q if it is a filter with a valid value and
// reports whether it was one.
func (q *Query) filter(chunk string) bool {
	var key, val string
	if strings.HasPrefix(chunk, "@") {
		key, val = "author", chunk[1:]
	} else {
		k, v, ok := strings.Cut(chunk, ":")
		if !ok || v == "" {
			return false
		}
		key, val = strings.ToLower(k), v
	}
	switch key {
	case "category", "kategori":
		slug := slugFold.Replace(strings.ToLower(val))
		if len(slug) > 60 || !slugRE.MatchString(slug) {
			return false
		}
		q.Category = slug
	case "kind", "typ":
		kind, ok := kindNames[strings.ToLower(val)]
		if !ok {
			return false
		}
		q.Kind = kind
	case "author", "av":
		if !usernameRE.MatchString(val) {
			return false
		}
		q.Author = val
	case "after", "efter", "before", "före":
		if _, err := time.Parse(time.DateOnly, val); err != nil {
			return false
		}
		if key == "after" || key == "efter" {
			q.After = val
		} else {
			q.Before = val
		}
	case "in", "i":
		switch strings.ToLower(val) {
		case "title", "rubrik", "titel":
			q.InTitle = true
		default:
			return false
		}
	default:
		return false
	}
	return true
}

// parser walks the input rune by rune.
type parser struct {
	s string
	i int
}

func (p *parser) eof() bool { return p.i >= len(p.s) }

func (p *parser) peek() rune {
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	return r
}

func (p *parser) next() {
	_, size := utf8.DecodeRuneInString(p.s[p.i:])
	p.i += size
}

func (p *parser) skipSpace() {
	for !p.eof() && unicode.IsSpace(p.peek()) {
		p.next()
	}
}

// until consumes and returns the text up to (not including) the first rune
// for which stop is true, or to the end.
func (p *parser) until(stop func(rune) bool) string {
	start := p.i
	for !p.eof() && !stop(p.peek()) {
		p.next()
	}
	return p.s[start:p.i]
}

// isQuote accepts the straight quote and the typographic ones phone
// keyboards substitute (Swedish typesetting uses ” on both sides).
func isQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '„', '«', '»':
		return true
	}
	return false
}

// isMinus accepts the hyphen-minus and the minus sign and dashes that
// autocorrect turns it into.
func isMinus(r rune) bool {
	switch r {
	case '-', '−', '–', '—':
		return true
	}
	return false
}

// truncateUTF8 cuts s to at most n bytes without splitting a UTF-8
// sequence.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
