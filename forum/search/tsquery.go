package search

import (
	"strings"
)

// PostgreSQL. The forum's PostgreSQL index (forum/migrations_pg/
// 0200_search.sql) stores the words as unicode61 makes them, with the
// 'simple' configuration, so the terms of a Query are its lexemes as they
// are. TSQuery writes them in tsquery syntax, to be bound as a parameter
// and cast (?::tsquery), never parsed again by to_tsquery: a word is a
// quoted lexeme ('ledare'), a prefix 'led':*, a phrase 'e' <-> 'post',
// terms are joined with &, and an excluded term is & !term.

// TSQuery returns the tsquery of q, or "" when there is nothing to search
// for (only filters, only exclusions). As MatchForms on SQLite, forms[i]
// are indexed words that are other forms of required term i
// (Term.IsForm), and a word w with forms f1, f2 becomes ( 'w' | 'f1' |
// 'f2' ). Words and forms are re-tokenized here, so a Query built by hand
// from untrusted fields gives a valid tsquery too.
func (q Query) TSQuery(forms [][]string) string {
	var b strings.Builder
	n := 0
	for i, t := range q.Terms {
		if n >= MaxTerms {
			break
		}
		s := t.tsExpr()
		if s == "" {
			continue
		}
		var alts []string
		if i < len(forms) {
			for _, f := range forms[i] {
				if e := (Term{Words: []string{f}}).tsExpr(); e != "" && !strings.Contains(e, " ") && t.IsForm(f) {
					alts = append(alts, e)
				}
			}
		}
		if len(alts) > 0 {
			s = "( " + s + " | " + strings.Join(alts, " | ") + " )"
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

// tsLexeme quotes a lexeme. The words of a Query are letters and digits
// only, but a quote or backslash would be escaped all the same.
func tsLexeme(w string) string {
	w = strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(w)
	return "'" + w + "'"
}
