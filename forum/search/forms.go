package search

import (
	"strings"
	"unicode/utf8"

	"github.com/kljensen/snowball/swedish"
)

// Swedish word forms. A word typed alone (not in quotes, not as a
// prefix) also finds its other forms: "hemtjänst" finds "hemtjänsten",
// "chef" finds "cheferna", and a long enough word finds the compounds it
// begins ("semester" finds "semesterschemat"). The Swedish Snowball
// stemmer (github.com/kljensen/snowball) cuts the word to its stem, and
// the stem is searched as a prefix of the indexed words.
//
// A prefix of the stem rather than stems in the index: the Swedish
// stemmer only strips endings ("-en", "-erna", "-ens"), so every form of a
// word begins with its stem, and the prefix finds each form the stemmer
// would have folded together, plus the compounds that begin with the
// word, which stems in the index could never find ("semesterschemat"
// stems to "semesterschem", not "semest"). The index stays as it is, so
// nothing has to be rebuilt.
//
// The exact word stays a phrase of its own in the expression, so a post
// with the word as typed ranks above one with only another form
// (forum.Search weighs the form phrase lower).

// MinFormRunes is the shortest stem searched as a prefix; a shorter stem
// ("led" of "ledare") would find unrelated words, so the whole word is
// the prefix then ("ledare*"), and a word that short finds only itself.
const MinFormRunes = 4

// formsPrefix returns the prefix that finds the term's other forms, or ""
// when the term is searched as typed: a phrase, a prefix, a stop word
// ("och", "inte"), a number or a word too short.
func (t Term) formsPrefix() string {
	words, prefix := t.clean()
	if len(words) != 1 || prefix || t.Phrase {
		return ""
	}
	w := words[0]
	if swedish.IsStopWord(w) || !hasLetter(w) {
		return ""
	}
	if s := swedish.Stem(w, false); utf8.RuneCountInString(s) >= MinFormRunes && strings.HasPrefix(w, s) {
		return s
	}
	if utf8.RuneCountInString(w) >= MinFormRunes {
		return w
	}
	return ""
}

func hasLetter(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return true
		}
	}
	return false
}

// MatchForms is Match with each word's other forms: a word w becomes
// "(w OR stem*)". It also returns, for each required term in order, how
// many of the expression's phrases it wrote (1: the word as typed; 2: the
// word and its forms), which is how FTS4's matchinfo counts them.
func (q Query) MatchForms() (string, []int) {
	var b strings.Builder
	var groups []int
	n := 0
	for _, t := range q.Terms {
		if n >= MaxTerms {
			break
		}
		s := t.expr()
		if s == "" {
			continue
		}
		if n > 0 {
			b.WriteByte(' ')
		}
		if p := t.formsPrefix(); p != "" {
			b.WriteString("(" + s + " OR " + p + "*)")
			groups = append(groups, 2)
		} else {
			b.WriteString(s)
			groups = append(groups, 1)
		}
		n++
	}
	if n == 0 {
		return "", nil
	}
	for _, t := range q.Excluded {
		if n >= MaxTerms {
			break
		}
		if s := t.expr(); s != "" {
			b.WriteString(" NOT ")
			b.WriteString(s)
			n++
		}
	}
	return b.String(), groups
}

// FormsPrefixes returns the prefixes MatchForms searches the required
// words' forms with, for highlighting.
func (q Query) FormsPrefixes() []string {
	var out []string
	for _, t := range q.Terms {
		if p := t.formsPrefix(); p != "" {
			out = append(out, p)
		}
	}
	return out
}
