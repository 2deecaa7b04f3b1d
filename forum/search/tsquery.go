package search

import (
	"strings"
	"unicode/utf8"
)

// PostgreSQL. The forum's PostgreSQL index (forum/migrations_pg/
// 0200_search.sql) stores the words as unicode61 makes them, with the
// 'simple' configuration, so the terms of a Query are its lexemes as they
// are. TSQuery writes them in tsquery syntax, to be bound as a parameter
// and cast (?::tsquery), never parsed again by to_tsquery: a word is a
// quoted lexeme ('ledare'), a prefix 'led':*, a phrase 'e' <-> 'post',
// terms are joined with &, and an excluded term is & !term.

// TSQuery returns the tsquery of q, or "" when there is nothing to search
// for (only filters, only exclusions). With forms, a word typed alone
// also finds its other forms (Term.IsForm, as MatchForms does on SQLite):
// under a stem of MinCompoundRunes or more every word beginning with it
// ('semest':*), under a shorter one the stem with the Swedish noun
// endings ('chef' | 'chefen' | 'cheferna' | …). Words are re-tokenized
// here, so a Query built by hand from untrusted fields gives a valid
// tsquery too.
func (q Query) TSQuery(forms bool) string {
	var b strings.Builder
	n := 0
	for _, t := range q.Terms {
		if n >= MaxTerms {
			break
		}
		s := t.tsExpr()
		if s == "" {
			continue
		}
		if forms {
			if alts := t.tsForms(); alts != "" {
				s = "( " + s + " | " + alts + " )"
			}
		}
		if n > 0 {
			b.WriteString(" & ")
		}
		b.WriteString(s)
		n++
	}
	if n == 0 {
		return ""
	}
	for _, t := range q.Excluded {
		if n >= MaxTerms {
			break
		}
		if s := t.tsExpr(); s != "" {
			b.WriteString(" & !( " + s + " )")
			n++
		}
	}
	return b.String()
}

// tsExpr writes the term alone: a lexeme, a prefix, or a phrase of
// lexemes next to each other in brackets.
func (t Term) tsExpr() string {
	words, prefix := t.clean()
	if len(words) == 0 {
		return ""
	}
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = tsLexeme(w)
	}
	if prefix {
		parts[len(parts)-1] += ":*"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "( " + strings.Join(parts, " <-> ") + " )"
}

// tsForms writes the other forms of a word typed alone, joined with |,
// or "" when it is searched as typed (Term.FormsPrefix).
func (t Term) tsForms() string {
	w, stem := t.formsStem()
	if w == "" {
		return ""
	}
	if utf8.RuneCountInString(stem) >= MinCompoundRunes {
		return tsLexeme(stem) + ":*"
	}
	var alts []string
	for _, e := range endings {
		if f := stem + e; f != w && utf8.RuneCountInString(f) <= MaxWordRunes {
			alts = append(alts, tsLexeme(f))
		}
	}
	return strings.Join(alts, " | ")
}

// tsLexeme quotes a lexeme. The words of a Query are letters and digits
// only, but a quote or backslash would be escaped all the same.
func tsLexeme(w string) string {
	w = strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(w)
	return "'" + w + "'"
}
