package markdown

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// fill repeats unit up to about n bytes.
func fill(unit string, n int) string { return strings.Repeat(unit, n/len(unit)) }

// lines joins count copies of line with newlines.
func lines(line string, count int) string { return strings.Repeat(line+"\n", count) }

// chunks repeats chunk, separated by blank lines, up to about n bytes.
func chunks(chunk string, n int) string {
	return strings.Repeat(chunk+"\n\n", max(1, n/(len(chunk)+2)))
}

type pathoCase struct {
	name string
	src  string
	// want: "refuse" = a deterministic ErrTooComplex from the limits (never
	// the time budget); "render" = must not be refused by a limit (running
	// out of time on a busy machine is tolerated and logged); "" = either,
	// as long as it is fast.
	want string
}

// pathologicalCases are the known super-linear inputs for Markdown parsers
// (after cmark's pathological_tests.py, plus goldmark- and GFM-specific
// ones), each at the largest size accepted (MaxChars), and the worst cases
// just inside each limit.
func pathologicalCases() []pathoCase {
	const n = MaxChars
	nestedStrong := strings.Repeat("*a **a ", 3500) + "b" + strings.Repeat(" a** a*", 3500)
	var growingRuns strings.Builder
	for i := 1; growingRuns.Len() < n-50; i++ {
		growingRuns.WriteString("a" + strings.Repeat("*", i%40))
	}
	var backticks strings.Builder
	for i := 1; backticks.Len() < n-400; i++ {
		backticks.WriteString("e" + strings.Repeat("`", i))
	}
	var indentList strings.Builder
	for i := 0; indentList.Len()+2*i < n-300; i++ {
		indentList.WriteString(strings.Repeat("  ", i) + "* a\n")
	}
	var refs strings.Builder
	for i := 0; refs.Len() < n-100; i++ {
		fmt.Fprintf(&refs, "[%d]: /u\n", i)
	}
	var refsAtLimit strings.Builder
	for i := range MaxRefDefs {
		fmt.Fprintf(&refsAtLimit, "[r%d]: /u%d\n", i, i)
	}
	for refsAtLimit.Len() < n-1200 {
		refsAtLimit.WriteString("\n" + strings.Repeat("[r1] [r499][] ", 80) + "\n")
	}
	table := func(cols, rows int) string {
		return "|" + strings.Repeat("a|", cols) + "\n|" + strings.Repeat("-|", cols) + "\n" + strings.Repeat("|\n", rows)
	}

	return []pathoCase{
		// Emphasis.
		{"nested strong emphasis", nestedStrong, ""},
		{"emphasis closers without openers", fill("a_ ", n), ""},
		{"emphasis openers without closers", fill("_a ", n), ""},
		{"*a**a*** growing runs", growingRuns.String(), ""},
		{"a*** runs", fill("a***", n), ""},
		{"mismatched *a_", fill("*a_ ", n), "refuse"},
		{"mismatched *a_ at limit, per paragraph", chunks(fill("*a_ ", 2*MaxDelimiterRuns-4), n), "render"},
		{"closers multiple of 3", "a**b" + fill("c* ", n-4), "refuse"},
		{"closers multiple of 3 at limit, per paragraph", chunks("a**b"+fill("c* ", 3*(MaxDelimiterRuns-2)), n), "render"},
		{"strikethrough openers", fill("~~a ", n), ""},
		{"snake_case is not emphasis", fill("snake_case_word ", n), "render"},

		// Links and brackets.
		{"link closers", fill("a]", n), "render"},
		{"link openers", fill("[a", n), "refuse"},
		{"link openers and emphasis closers", fill("[ a_", n), "refuse"},
		{"[ (]( pattern", fill("[ (](", n), "refuse"},
		{"![[]() pattern", fill("![[]()", n), "refuse"},
		{"nested brackets", strings.Repeat("[", n/2) + "a" + strings.Repeat("]", n/2-1), "refuse"},
		{"nested brackets at limit, per paragraph", chunks(strings.Repeat("[", MaxBrackets)+"a"+strings.Repeat("]", MaxBrackets), n), ""},
		{"unclosed link destinations [a](<b", fill("[a](<b", n), "refuse"},
		{"unclosed link destinations [a](b", fill("[a](b", n), "refuse"},
		{"unclosed link destinations at limit, one line", fill("[a]("+strings.Repeat("b", n/MaxBrackets-4), n-10), ""},
		{"unclosed link destination [a](<<<<", "[a](" + fill("<", n-4), ""},
		{"link in link", fill("[[a](b)", n), ""},
		{"unclosed link titles, one line", fill(`[a](b "`, n), "refuse"},
		{"unclosed link titles across lines", lines(`[a](b "x`, n/10), "refuse"},
		{"unclosed link titles at limit", chunks(strings.Repeat(`[a](b "x`+"\n", MaxBrackets), n), ""},
		{"unclosed reference titles", lines(`[a]: /b "x`, n/11), "refuse"},

		// Block structure.
		{"nested block quotes on one line", fill("> ", n-1) + "a", "refuse"},
		{"nested bullet lists on one line", fill("- ", n-1) + "a", "refuse"},
		{"nested ordered lists on one line", fill("1. ", n-1) + "a", "refuse"},
		{"block quotes at limit on every line", lines(strings.Repeat("> ", MaxNesting)+"a", n/(2*MaxNesting+2)), "render"},
		{"lists at limit on every line", lines(strings.Repeat("- ", MaxNesting)+"a", n/(2*MaxNesting+2)), "render"},
		{"block quotes deepening line by line", func() string {
			var b strings.Builder
			for i := 1; b.Len() < n-400; i++ {
				b.WriteString(strings.Repeat(">", i) + " a\n")
			}
			return b.String()
		}(), "refuse"},
		{"lists nested by indentation", indentList.String(), "refuse"},
		{"lazy block quote continuation", fill("> a\nb\n", n), "render"},
		{"many list items", fill("- a\n", n), "render"},
		{"many setext headings", fill("a\n=\n", n), "render"},
		{"many fences", fill("```\n", n), "render"},

		// References.
		{"thousands of reference definitions", refs.String(), "refuse"},
		{"reference definitions at limit, used", refsAtLimit.String(), "render"},
		{"reference with long URL used thousands of times", "[a]: /" + strings.Repeat("x", 38000) + "\n\n" + fill("[a] ", n-38020), "refuse"},

		// GFM tables and autolinks.
		{"table padded to 3000 columns", table(3000, 15000), "refuse"},
		{"table at column limit", table(MaxTableColumns, MaxTableCells/MaxTableColumns-3), "render"},
		{"table padded at cell limit", table(40, MaxTableCells/40-3), "render"},
		{"many table rows", "a|b\n-|-\n" + fill("c|d\n", n-8), "refuse"},
		{"bare URLs", fill("www.a.b ", n), "render"},
		{"unterminated www", fill("www.a", n), "render"},
		{"e-mail addresses", fill("a@b.c ", n), "render"},
		{"mentions", fill("@abc ", n), "render"},

		// Raw HTML and the rest.
		{"unclosed comments", "</" + fill("<!--", n-2), ""},
		{"unclosed tags", fill("<a ", n), ""},
		{"many attributes", "<a " + fill("b=c ", n-3), ""},
		{"deep raw HTML nesting", fill("<em>", n), "refuse"},
		{"deep raw HTML nesting with blocks", fill("<em><p>", n), ""},
		{"entities", fill("&#1", n), "render"},
		{"backtick runs", backticks.String(), ""},
		{"NUL bytes", fill("abc\x00de\x00", n), "render"},
	}
}

// TestPathologicalInputs renders every pathological class and checks that
// it is refused deterministically or rendered, and that all the work it
// causes ends without a blow-up. Timings are logged (go test -v -run
// Pathological); the render budget itself is tested on its own.
func TestPathologicalInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: renders ~60 inputs of 50 000 characters")
	}
	// The race detector makes goldmark 5-10x slower, so under -race (as in
	// CI) only the classes the pre-checks refuse are timed, with a looser
	// bound: the refusal must still come before the parser runs. Without
	// -race every class is timed against the real budget.
	// Outcomes, not speed, are asserted: a busy machine must not turn a
	// deterministic refusal into a timeout, so the budget here is far
	// beyond any honest render, and the bound on the work only catches a
	// blow-up (quadratic or worse), not a slow machine. Speed is the
	// benchmarks' business.
	r := New().WithBudget(20 * time.Second)
	for _, tc := range pathologicalCases() {
		if raceEnabled && tc.want != "refuse" {
			continue
		}
		if n := len([]rune(tc.src)); n > MaxChars {
			t.Fatalf("%s: generator made %d characters", tc.name, n)
		}
		r.drain()
		start := time.Now()
		out, err := r.Render(tc.src)
		returned := time.Since(start)
		r.drain() // wait for an abandoned render to finish too
		worked := time.Since(start)

		outcome := "rendered"
		switch {
		case errors.Is(err, errBudget):
			outcome = "TIMED OUT"
		case err != nil:
			outcome = "refused"
		}
		t.Logf("%-50s %-9s returned %7.1fms, work done %7.1fms (out %d bytes)",
			tc.name, outcome, ms(returned), ms(worked), len(out))

		if err != nil && !errors.Is(err, ErrTooComplex) {
			t.Errorf("%s: unexpected error %v", tc.name, err)
		}
		switch tc.want {
		case "refuse":
			if err == nil || errors.Is(err, errBudget) {
				t.Errorf("%s: want a deterministic refusal, got %q", tc.name, outcome)
			}
		case "render":
			if err != nil && !errors.Is(err, errBudget) {
				t.Errorf("%s: want it rendered, got %v", tc.name, err)
			}
		}
		if err == nil {
			if e := checkMarkup(out); e != nil {
				t.Errorf("%s: %v", tc.name, e)
			}
		}
		if worked > 15*time.Second {
			t.Errorf("%s: work took %v: a blow-up, not a slow machine", tc.name, worked)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func TestLimitsAllowRealPosts(t *testing.T) {
	posts := []string{
		typicalPost,
		strings.Repeat(typicalPost, MaxChars/len([]rune(typicalPost))),
		// 4 500 links, one per list item, no blank lines.
		fill("- [a](/b)\n", MaxChars-100),
		fill("- [länk](https://example.com/a_b_c) *kursiv* och _understruken_\n", MaxChars-100),
		// A big but sane table with a link in every row.
		"| a | b | c |\n|---|---|---|\n" + fill("| [x](/y) | *2* | 3 |\n", MaxChars-100),
		// Pasted JSON and C in code blocks: brackets and stars galore.
		"```json\n" + fill("[[1,2],[3,4],[5,6]],\n", 25000) + "```\n\n    " + fill("*p = **q; ", 20000),
		// snake_case in running text is no emphasis.
		fill("my_var_name ", MaxChars-100),
	}
	r := New()
	r.budget = 10 * time.Second // about limits, not speed (-race is slow)
	for i, p := range posts {
		if err := precheck(p); err != nil {
			t.Errorf("post %d refused by precheck: %v", i, err)
		}
		if err := checkInlineBlocks([]byte(p)); err != nil {
			t.Errorf("post %d refused by checkInlineBlocks: %v", i, err)
		}
		if _, err := r.Render(p); err != nil {
			t.Errorf("post %d: %v", i, err)
		}
	}
}

// TestInlineLimitsFollowGoldmarksBlocks makes sure content that only looks
// like a code block to a naive scanner is still counted when goldmark will
// inline-parse it.
func TestInlineLimitsFollowGoldmarksBlocks(t *testing.T) {
	attack := fill("[a](b", MaxChars/2)
	for _, src := range []string{
		"<div>\n```\n\n" + attack,          // the HTML block ends at the blank line
		"    ```\n" + "\n" + attack,        // an indented code line, not a fence
		"```\ncode\n```\n" + attack,        // after a closed fence
		"> ```\n> x\n\n" + attack,          // the fence closes with the block quote
		"| a |\n|---|\n| " + attack + " |", // a table cell
		"# " + attack,                      // a heading
	} {
		if err := checkInlineBlocks([]byte(src)); !errors.Is(err, ErrTooComplex) {
			t.Errorf("checkInlineBlocks(%.40q…) = %v, want ErrTooComplex", src, err)
		}
	}
}

func TestPrecheckHelpers(t *testing.T) {
	for line, want := range map[string]int{
		"a":             0,
		"> a":           1,
		">>> a":         3,
		"> - 1. > a":    4,
		"-a":            0,
		"- - -":         3,
		"* + - a":       3,
		"1) 2. a":       2,
		"1234567890. a": 0, // ten digits: not a list marker
		"  >   -   a":   2,
	} {
		if got, _ := containerPrefix(line); got != want {
			t.Errorf("containerPrefix(%q) = %d, want %d", line, got, want)
		}
	}
	for line, want := range map[string]int{
		"snake_case_name":   0,
		"*a* _b_":           4,
		"**strong** text":   2,
		"a * b":             0,
		"~~del~~":           2,
		"foo*bar*":          2,
		"_(_foo_)_":         4,
		"2 * 3 * 4 = 24 __": 0,
	} {
		if got := delimiterRuns(line); got != want {
			t.Errorf("delimiterRuns(%q) = %d, want %d", line, got, want)
		}
	}
	for line, want := range map[string]int{
		"|---|:-:|--:|": 3,
		"--- | ---":     2,
		"---":           0,
		"| a | b |":     0,
		"|-|":           1,
	} {
		if got := delimiterRowColumns(line); got != want {
			t.Errorf("delimiterRowColumns(%q) = %d, want %d", line, got, want)
		}
	}
}
