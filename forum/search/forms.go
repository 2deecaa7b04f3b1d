package search

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kljensen/snowball/swedish"
)

// Swedish word forms. A word typed alone (not in quotes, not as a
// prefix) also finds its other forms: "hemtjänst" finds "hemtjänsten",
// "chef" finds "cheferna", and a long enough word finds the compounds it
// begins ("semester" finds "semesterschemat"). The Swedish Snowball
// stemmer (github.com/kljensen/snowball) gives the word's stem; the
// words of the index that begin with the stem (forum reads them from the
// index's term list) and have the same stem, or are compounds of the
// word, are searched for by name beside the word: "(hemtjänst OR
// hemtjänsten OR hemtjänstens)".
//
// The forms are taken from the index rather than stems added to it: the
// Swedish stemmer only strips endings ("-en", "-erna", "-ens"), so every
// form of a word begins with its stem and is found in the term list under
// it; and compounds, which stems in the index could never find
// ("semesterschemat" stems to "semesterschem", not "semest"), are found
// the same way. The index stays as it is, so nothing has to be rebuilt,
// and each form is read as a word of its own, newest first, as a plain
// word is (a prefix query would merge the whole doclists of every word
// under it first).
//
// The word as typed stays the first phrase of the group, so a post with
// it ranks above one with only another form (forum.Search weighs the
// other forms lower).

// MinFormRunes is the shortest stem forms are looked for under; under a
// shorter stem ("led" of "ledare") the whole word is (forms that begin
// with "ledare"), and a word that short finds only itself.
const MinFormRunes = 4

// FormsPrefix returns the prefix under which the term's other forms are
// looked for among the indexed words, or "" when the term is searched as
// typed: a phrase, a prefix, a stop word ("och", "inte"), a number or a
// word too short.
func (t Term) FormsPrefix() string {
	w, stem := t.formsStem()
	if w == "" {
		return ""
	}
	return stem
}

// formsStem returns the term's word and the stem it is looked for under.
func (t Term) formsStem() (word, stem string) {
	words, prefix := t.clean()
	if len(words) != 1 || prefix || t.Phrase {
		return "", ""
	}
	w := words[0]
	if swedish.IsStopWord(w) || !hasLetter(w) {
		return "", ""
	}
	if s := swedish.Stem(w, false); utf8.RuneCountInString(s) >= MinFormRunes && strings.HasPrefix(w, s) {
		return w, s
	}
	if utf8.RuneCountInString(w) >= MinFormRunes {
		return w, w
	}
	return "", ""
}

// MinCompoundRunes is the shortest stem whose compounds are forms too
// ("semester", stem "semest", finds "semesterschemat"; "barn" does not
// find "barnbok").
const MinCompoundRunes = 6

// IsForm reports whether the indexed word other is another form of the
// term's word: the same Swedish stem, the stem with a noun ending, or,
// under a stem of MinCompoundRunes or more, a compound that begins with
// it. The word itself is not.
func (t Term) IsForm(other string) bool {
	w, stem := t.formsStem()
	if w == "" || other == w || !strings.HasPrefix(other, stem) || !hasLetter(other) {
		return false
	}
	if swedish.Stem(other, false) == swedish.Stem(w, false) || slices.Contains(endings, other[len(stem):]) {
		return true
	}
	return utf8.RuneCountInString(stem) >= MinCompoundRunes
}

// endings are the Swedish noun endings (definite, plural, genitive) that
// make a form of a stem where the stemmer misses it: it leaves "skolan"
// and "mötet" as they are, though "skola" stems to "skol" and "möte" to
// "möt".
var endings = []string{"a", "an", "ans", "ar", "arna", "arnas", "as", "e", "en", "ens", "er", "erna", "ernas",
	"et", "ets", "n", "na", "nas", "or", "orna", "ornas", "s", "t", "ts"}

func hasLetter(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return true
		}
	}
	return false
}

// MatchForms is Match with other forms of the words: forms[i] are the
// indexed words that are forms of required term i (Term.IsForm), and a
// word w with forms f1, f2 becomes "(w OR f1 OR f2)". It also returns,
// for each required term in order, how many of the expression's phrases
// it wrote (1 + its forms), which is how FTS4's matchinfo counts them.
// The forms must be whole index tokens; each is tokenized again here.
func (q Query) MatchForms(forms [][]string) (string, []int) {
	var b strings.Builder
	var groups []int
	n := 0
	for i, t := range q.Terms {
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
		g := 1
		var alts []string
		if i < len(forms) {
			for _, f := range forms[i] {
				if e := (Term{Words: []string{f}}).expr(); e != "" && !strings.Contains(e, " ") && t.IsForm(e) {
					alts = append(alts, e)
				}
			}
		}
		if len(alts) > 0 {
			b.WriteString("(" + s + " OR " + strings.Join(alts, " OR ") + ")")
			g += len(alts)
		} else {
			b.WriteString(s)
		}
		groups = append(groups, g)
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
