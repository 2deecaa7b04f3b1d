package search

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// filters is the part of a Query that is not terms, for table tests.
type filters struct {
	Category, Kind, Author, After, Before string
	InTitle                               bool
}

func filtersOf(q Query) filters {
	return filters{q.Category, q.Kind, q.Author, q.After, q.Before, q.InTitle}
}

func TestParseMatch(t *testing.T) {
	long := strings.Repeat("å", 70)
	tests := []struct {
		name, in, match string
		filters         filters
		empty           bool
	}{
		// Plain words and letters.
		{name: "word", in: "ledarskap", match: "ledarskap"},
		{name: "two words", in: "ledarskap  äldreomsorg", match: "ledarskap äldreomsorg"},
		{name: "surrounding space", in: " \t ledare\n", match: "ledare"},
		{name: "swedish letters", in: "åsa läser öst", match: "åsa läser öst"},
		{name: "upper-case åäö fold", in: "ÅSA LÄSER ÖST", match: "åsa läser öst"},
		{name: "mixed case", in: "LedarSkap", match: "ledarskap"},
		{name: "accented", in: "Élise Müller café", match: "élise müller café"},
		{name: "digits", in: "2026 lpfö98", match: "2026 lpfö98"},
		{name: "decomposed ö is composed", in: "o\u0308st", match: "öst"},
		{name: "duplicate words once", in: "ledare Ledare LEDARE", match: "ledare"},

		// Prefixes.
		{name: "prefix", in: "led*", match: "led*"},
		{name: "two-letter prefix", in: "le*", match: "le*"},
		{name: "one-letter prefix is plain", in: "l*", match: "l"},
		{name: "prefix upper-case", in: "ÄLDRE*", match: "äldre*"},
		{name: "double star", in: "led**", match: "led*"},
		{name: "leading star", in: "*led", match: "led"},
		{name: "lone star", in: "*", empty: true},
		{name: "star in the middle", in: "le*d", match: `"le d"`},

		// Phrases.
		{name: "phrase", in: `"tillitsbaserad styrning"`, match: `"tillitsbaserad styrning"`},
		{name: "phrase case", in: `"Tillitsbaserad STYRNING"`, match: `"tillitsbaserad styrning"`},
		{name: "phrase with prefix", in: `"tillitsbaserad sty*"`, match: `"tillitsbaserad sty*"`},
		{name: "star inside phrase", in: `"sty* i"`, match: `"sty i"`},
		{name: "one-word phrase", in: `"ledare"`, match: `"ledare"`},
		{name: "phrase and word", in: `ledare "god kultur" chef`, match: `ledare "god kultur" chef`},
		{name: "phrase glued to word", in: `ledare"god kultur"chef`, match: `ledare "god kultur" chef`},
		{name: "typographic quotes", in: `”tillitsbaserad styrning”`, match: `"tillitsbaserad styrning"`},
		{name: "curly quotes", in: `“god kultur”`, match: `"god kultur"`},
		{name: "operators inside phrase", in: `"ledare AND chef OR NOT"`, match: `"ledare and chef or not"`},
		{name: "empty phrase", in: `""`, empty: true},
		{name: "punctuation phrase", in: `"(*)"`, empty: true},

		// Unbalanced quotes close at the end.
		{name: "unbalanced quote", in: `"tillitsbaserad styrning`, match: `"tillitsbaserad styrning"`},
		{name: "word then unbalanced", in: `ledare "god kultur`, match: `ledare "god kultur"`},
		{name: "three quotes", in: `"a b" "c`, match: `"a b" "c"`},
		{name: "lone quote", in: `"`, empty: true},
		{name: "quote at end", in: `ledare"`, match: "ledare"},

		// Exclusions, written with NOT (enhanced syntax).
		{name: "exclude", in: "ledare -medarbetare", match: "ledare NOT medarbetare"},
		{name: "exclude phrase", in: `ledare -"god kultur"`, match: `ledare NOT "god kultur"`},
		{name: "exclude prefix", in: "ledare -med*", match: "ledare NOT med*"},
		{name: "exclude first", in: "-medarbetare ledare", match: "ledare NOT medarbetare"},
		{name: "two exclusions", in: "a -b -c", match: "a NOT b NOT c"},
		{name: "en dash excludes", in: "ledare –chef", match: "ledare NOT chef"},
		{name: "double minus", in: "ledare --chef", match: "ledare NOT chef"},
		{name: "only exclusion", in: "-ledare", match: ""},
		{name: "lone minus", in: "ledare - chef", match: "ledare chef"},
		{name: "minus only", in: "-", empty: true},
		{name: "hyphenated word", in: "e-post", match: `"e post"`},
		{name: "hyphenated prefix", in: "e-pos*", match: `"e pos*"`},
		{name: "exclude hyphenated", in: "ledare -e-post", match: `ledare NOT "e post"`},

		// Operators typed by the member never reach SQLite as operators.
		{name: "AND", in: "ledare AND chef", match: "ledare and chef"},
		{name: "OR", in: "ledare OR chef", match: "ledare or chef"},
		{name: "NOT", in: "ledare NOT chef", match: "ledare not chef"},
		{name: "leading NOT", in: "NOT ledare", match: "not ledare"},
		{name: "trailing AND", in: "ledare AND", match: "ledare and"},
		{name: "only AND", in: "AND", match: "and"},
		{name: "NEAR", in: "ledare NEAR chef", match: "ledare near chef"},
		{name: "NEAR/3", in: "ledare NEAR/3 chef", match: `ledare "near 3" chef`},
		{name: "parentheses", in: "(ledare OR chef)", match: "ledare or chef"},
		{name: "unbalanced parenthesis", in: "(ledare", match: "ledare"},
		{name: "closing parenthesis", in: "ledare)", match: "ledare"},
		{name: "caret", in: "^ledare", match: "ledare"},
		{name: "column syntax", in: "title:ledare", match: `"title ledare"`},
		{name: "column syntax body", in: "body:chef", match: `"body chef"`},
		{name: "trailing colon", in: "ledare:", match: "ledare"},
		{name: "sql quote", in: "ledare'; DROP TABLE t; --", match: "ledare drop table t"},
		{name: "dotted", in: "skolverket.se", match: `"skolverket se"`},
		{name: "digits dash", in: "covid-19", match: `"covid 19"`},

		// Nothing to search for.
		{name: "empty", in: "", empty: true},
		{name: "spaces", in: "   \t\n", empty: true},
		{name: "only punctuation", in: `()"-*^:!?.,;`, empty: true},
		{name: "only operators' punctuation", in: `"(" ")" -* ^ :`, empty: true},
		{name: "symbols", in: "🎉 ★ © → § €", empty: true},
		// SQLite's tables predate this emoji, and unassigned code points
		// count as letters there; Parse follows SQLite, not Go.
		{name: "newer emoji is a letter to sqlite", in: "🙂", match: "🙂"},
		{name: "invalid utf8", in: "\xff\xfeledare\xc3", match: "ledare"},
		{name: "control characters", in: "led\x00are\x1b[31m", match: `"led are 31m"`},
		{name: "noncharacter", in: "le\uffffd", match: `"le d"`},

		// Filters, English and Swedish.
		{name: "category", in: "kategori:skola ledare", match: "ledare", filters: filters{Category: "skola"}},
		{name: "category english", in: "category:forskola-och-skola", match: "", filters: filters{Category: "forskola-och-skola"}},
		{name: "category slugified", in: "Kategori:Förskola", match: "", filters: filters{Category: "forskola"}},
		{name: "category invalid", in: "kategori:a_b", match: `"kategori a b"`},
		{name: "kind", in: "kind:question", filters: filters{Kind: KindQuestion}},
		{name: "kind sv", in: "typ:fråga ledare", match: "ledare", filters: filters{Kind: KindQuestion}},
		{name: "kind sv upper", in: "TYP:TRÄFF", filters: filters{Kind: KindEvent}},
		{name: "kind sv no dots", in: "typ:lank", filters: filters{Kind: KindLink}},
		{name: "kind tips", in: "typ:tips", filters: filters{Kind: KindTip}},
		{name: "kind diskussion", in: "typ:diskussion", filters: filters{Kind: KindDiscussion}},
		{name: "kind unknown is text", in: "typ:okänd", match: `"typ okänd"`},
		{name: "author at", in: "@anna_b ledare", match: "ledare", filters: filters{Author: "anna_b"}},
		{name: "author", in: "author:Anna.B", filters: filters{Author: "Anna.B"}},
		{name: "author sv", in: "av:anna", filters: filters{Author: "anna"}},
		{name: "author invalid", in: "@a", match: "a"},
		{name: "after", in: "after:2026-01-31", filters: filters{After: "2026-01-31"}},
		{name: "efter före", in: "efter:2026-01-01 före:2026-02-28 ledare", match: "ledare", filters: filters{After: "2026-01-01", Before: "2026-02-28"}},
		{name: "before", in: "before:2025-12-24", filters: filters{Before: "2025-12-24"}},
		{name: "invalid date is text", in: "after:2026-13-45", match: `"after 2026 13 45"`},
		{name: "impossible date is text", in: "före:2026-02-30", match: `"före 2026 02 30"`},
		{name: "short date is text", in: "efter:2026-1-5", match: `"efter 2026 1 5"`},
		{name: "in title", in: "in:title ledare", match: "ledare", filters: filters{InTitle: true}},
		{name: "i rubrik", in: "i:rubrik ledare", match: "ledare", filters: filters{InTitle: true}},
		{name: "in other is text", in: "in:body", match: `"in body"`},
		{name: "excluded filter is text", in: "ledare -kategori:skola", match: `ledare NOT "kategori skola"`},
		{name: "quoted filter value is text", in: `kategori:"skola"`, match: `kategori "skola"`},
		{name: "all filters", in: "@anna kategori:skola typ:tips efter:2026-01-01 före:2026-03-01 i:rubrik", filters: filters{"skola", KindTip, "anna", "2026-01-01", "2026-03-01", true}},

		// Caps.
		{name: "long word becomes prefix", in: long, match: strings.Repeat("å", MaxWordRunes) + "*"},
		{name: "long word in phrase", in: `"` + long + ` x"`, match: `"` + strings.Repeat("å", MaxWordRunes) + ` x"`},
		{name: "twelve terms", in: "a b c d e f g h i j k l m n", match: "a b c d e f g h i j k l"},
		{name: "exclusions count", in: "a -b c -d e -f g -h i -j k -l m -n", match: "a c e g i k NOT b NOT d NOT f NOT h NOT j NOT l"},
		{name: "filters after cap", in: "a b c d e f g h i j k l m typ:tips", match: "a b c d e f g h i j k l", filters: filters{Kind: KindTip}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := Parse(tt.in)
			if got := q.Match(); got != tt.match {
				t.Errorf("Parse(%q).Match() = %q, want %q", tt.in, got, tt.match)
			}
			if got := filtersOf(q); got != tt.filters {
				t.Errorf("Parse(%q) filters = %+v, want %+v", tt.in, got, tt.filters)
			}
			if got := q.Empty(); got != tt.empty {
				t.Errorf("Parse(%q).Empty() = %v, want %v", tt.in, got, tt.empty)
			}
			checkInvariants(t, tt.in, q)
		})
	}
}

func TestParseTerms(t *testing.T) {
	q := Parse(`Ledare -chef "god kultur" äldre* -"dålig stämning" e-post`)
	want := Query{
		Terms: []Term{
			{Words: []string{"ledare"}},
			{Words: []string{"god", "kultur"}, Phrase: true},
			{Words: []string{"äldre"}, Prefix: true},
			{Words: []string{"e", "post"}, Phrase: true},
		},
		Excluded: []Term{
			{Words: []string{"chef"}},
			{Words: []string{"dålig", "stämning"}, Phrase: true},
		},
	}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("Parse = %+v\nwant    %+v", q, want)
	}
	if got, want := q.Words(), []string{"ledare", "god", "kultur", "äldre", "e", "post"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Words() = %q, want %q", got, want)
	}
}

func TestWords(t *testing.T) {
	if got := Parse("").Words(); got != nil {
		t.Errorf("Words of empty = %q", got)
	}
	if got, want := Parse(`"god kultur" god -kultur GOD*`).Words(), []string{"god", "kultur"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Words() = %q, want %q", got, want)
	}
}

// TestMatchHandBuilt covers a Query filled in by a caller from form fields
// rather than by Parse: Match must still emit nothing but tokens.
func TestMatchHandBuilt(t *testing.T) {
	tests := []struct {
		q    Query
		want string
	}{
		{Query{Terms: []Term{{Words: []string{"AND"}}}}, "and"},
		{Query{Terms: []Term{{Words: []string{`"`, "OR", "title:x", "(", ")"}}}}, `"or title x"`},
		{Query{Terms: []Term{{Words: []string{"Ledare"}, Prefix: true}}}, "ledare*"},
		{Query{Terms: []Term{{Words: []string{"L"}, Prefix: true}}}, "l"},
		{Query{Terms: []Term{{Words: []string{"NEAR/2"}}}}, `"near 2"`},
		{Query{Terms: []Term{{Words: []string{"*"}, Prefix: true}}}, ""},
		{Query{Terms: []Term{{Words: nil, Phrase: true}}, Excluded: []Term{{Words: []string{"x"}}}}, ""},
		{Query{Terms: []Term{{Words: []string{"a"}}}, Excluded: []Term{{Words: []string{"-"}}, {Words: []string{"NOT b"}}}}, `a NOT "not b"`},
	}
	for _, tt := range tests {
		if got := tt.q.Match(); got != tt.want {
			t.Errorf("%+v.Match() = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestEmpty(t *testing.T) {
	if !(Query{}).Empty() {
		t.Error("zero Query is not Empty")
	}
	if (Query{InTitle: true}).Empty() || (Query{Author: "anna"}).Empty() {
		t.Error("a filter-only Query is Empty")
	}
	if Parse("-ledare").Empty() {
		t.Error("an exclusion-only Query is Empty")
	}
}

func TestInputCap(t *testing.T) {
	// 600 bytes of a two-byte letter: the cut must stop at MaxInputBytes
	// without splitting a rune, and the word is then cut to MaxWordRunes.
	q := Parse(strings.Repeat("ö", 300))
	if got, want := q.Match(), strings.Repeat("ö", MaxWordRunes)+"*"; got != want {
		t.Errorf("Match() = %q, want %q", got, want)
	}
	in := strings.Repeat("x", MaxInputBytes-1) + "ö" + " tail"
	q = Parse(in)
	if len(q.Terms) != 1 || utf8.RuneCountInString(q.Terms[0].Words[0]) != MaxWordRunes {
		t.Errorf("over-long input: %+v", q.Terms)
	}
	if strings.Contains(q.Match(), "tail") || strings.Contains(q.Match(), "\uFFFD") {
		t.Errorf("input not cut at %d bytes: %q", MaxInputBytes, q.Match())
	}
}

// checkInvariants asserts what must hold for any input: the limits, words
// that are whole tokens, and an expression built only of tokens, spaces,
// balanced quotes, stars and the NOT keyword.
func checkInvariants(t *testing.T, in string, q Query) {
	t.Helper()
	if n := len(q.Terms) + len(q.Excluded); n > MaxTerms {
		t.Fatalf("Parse(%q): %d terms", in, n)
	}
	for _, list := range [][]Term{q.Terms, q.Excluded} {
		for _, term := range list {
			if len(term.Words) == 0 {
				t.Fatalf("Parse(%q): empty term", in)
			}
			if !term.Phrase && len(term.Words) != 1 {
				t.Fatalf("Parse(%q): non-phrase term %q", in, term.Words)
			}
			if term.Prefix && utf8.RuneCountInString(term.Words[len(term.Words)-1]) < MinPrefixRunes {
				t.Fatalf("Parse(%q): short prefix %q", in, term.Words)
			}
			for _, w := range term.Words {
				if utf8.RuneCountInString(w) > MaxWordRunes {
					t.Fatalf("Parse(%q): long word %q", in, w)
				}
				var toks []string
				tokenize(w, func(tok string, _ int, _ bool) { toks = append(toks, tok) })
				if len(toks) != 1 || toks[0] != w {
					t.Fatalf("Parse(%q): word %q is not one token but %q", in, w, toks)
				}
			}
		}
	}
	m := q.Match()
	if !utf8.ValidString(m) {
		t.Fatalf("Parse(%q).Match() = %q is not UTF-8", in, m)
	}
	if strings.Count(m, `"`)%2 != 0 {
		t.Fatalf("Parse(%q).Match() = %q has unbalanced quotes", in, m)
	}
	for _, f := range strings.Fields(strings.ReplaceAll(m, `"`, " ")) {
		if f == "NOT" {
			continue
		}
		f = strings.TrimSuffix(f, "*")
		var toks []string
		tokenize(f, func(tok string, _ int, _ bool) { toks = append(toks, tok) })
		if len(toks) != 1 || toks[0] != f {
			t.Fatalf("Parse(%q).Match() = %q: %q is not a token", in, m, f)
		}
	}
	if m != "" && (len(q.Terms) == 0 || strings.HasPrefix(m, "NOT") || strings.HasSuffix(m, "NOT")) {
		t.Fatalf("Parse(%q).Match() = %q without a required term", in, m)
	}
}

// FuzzParse checks the invariants on arbitrary input without a database;
// FuzzMatchSafe runs the expressions against SQLite.
func FuzzParse(f *testing.F) {
	for _, s := range hostileInputs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkInvariants(t, in, Parse(in))
	})
}
