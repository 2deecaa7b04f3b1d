package markdown

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The pre-check limits. Each one exists because goldmark (like most Markdown
// parsers) has a measured super-linear case for that shape; the limits are far
// above anything a real post needs, and refusing deterministically is better
// than letting the time budget refuse the same post only when the server is
// busy. limits_test.go measures every class.
const (
	// MaxNesting is the deepest nesting of block quotes and lists
	// ("> > > …", "- - - …", "1. 1. …"). goldmark is quadratic in the depth
	// of containers opened on one line (25 000 "- " took ~0.9 s).
	MaxNesting = 32

	// MaxRefDefs is the most link reference definitions ("[x]: /url") one
	// source may hold.
	MaxRefDefs = 500

	// MaxDelimiterRuns is the most emphasis/strikethrough delimiter runs
	// (runs of *, _ or ~ that could open or close) in one paragraph, heading
	// or table cell. Unmatched mixes such as "*a_ *a_ …" make
	// goldmark's delimiter processing quadratic (~0.3 s at 50 000 chars).
	MaxDelimiterRuns = 5_000

	// MaxBrackets is the most "[" in one paragraph, heading or table cell.
	// Unclosed link destinations ("[a](b[a](b…", "[a](<b…") and deep
	// bracket nesting make link parsing quadratic (~0.3 s at 50 000 chars).
	MaxBrackets = 2_000

	// MaxTableColumns is the widest GFM table accepted. Every body row is
	// padded to the header's width, so a 3 000-column header over 15 000
	// one-character rows asks for 45 million cells (goldmark ran > 20 s).
	MaxTableColumns = 100

	// MaxTableCells is the most table cells in one source, counted as
	// columns × rows, i.e. after padding (see MaxTableColumns).
	MaxTableCells = 20_000
)

// precheck scans src once, line by line, for the shapes that are expensive
// already in goldmark's block parser: deep nesting on one line, many
// reference definitions, wide or long tables. It is deliberately approximate
// but errs only towards counting too much (it does not know about code
// blocks, for instance): a real post stays far below every limit, and an
// over-count can only refuse a post that is absurd anyway. The limits on
// inline content (MaxDelimiterRuns, MaxBrackets) are checked by
// checkInlineBlocks, which knows exactly where paragraphs begin and end.
func precheck(src string) error {
	var (
		refDefs   int
		tableCols int // > 0 while inside something that may be a table
		cells     int // whole source
	)
	for len(src) > 0 {
		line := src
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = ""
		}
		if strings.TrimSpace(line) == "" {
			tableCols = 0
			continue
		}

		depth, rest := containerPrefix(line)
		if depth > MaxNesting {
			return fmt.Errorf("%w: blocks nested %d deep, at most %d allowed", ErrTooComplex, depth, MaxNesting)
		}

		if isRefDefStart(rest) {
			refDefs++
			if refDefs > MaxRefDefs {
				return fmt.Errorf("%w: more than %d link reference definitions", ErrTooComplex, MaxRefDefs)
			}
		}

		if tableCols > 0 {
			cells += tableCols
		} else if n := delimiterRowColumns(rest); n > 0 {
			if n > MaxTableColumns {
				return fmt.Errorf("%w: table with %d columns, at most %d allowed", ErrTooComplex, n, MaxTableColumns)
			}
			tableCols = n
			cells += 2 * n // header and delimiter row
		}
		if cells > MaxTableCells {
			return fmt.Errorf("%w: tables with more than %d cells", ErrTooComplex, MaxTableCells)
		}
	}
	return nil
}

// containerPrefix counts the block quote and list markers that open a line
// ("> - 1. > text" is 4 deep) and returns the rest of the line.
func containerPrefix(line string) (depth int, rest string) {
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) {
			return depth, ""
		}
		switch c := line[i]; {
		case c == '>':
			depth++
			i++
			continue
		case c == '-' || c == '*' || c == '+':
			if i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t' {
				depth++
				i++
				continue
			}
		case c >= '0' && c <= '9':
			j := i
			for j < len(line) && j-i < 9 && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			if j < len(line) && (line[j] == '.' || line[j] == ')') &&
				(j+1 == len(line) || line[j+1] == ' ' || line[j+1] == '\t') {
				depth++
				i = j + 1
				continue
			}
		}
		return depth, line[i:]
	}
}

// isRefDefStart reports whether rest looks like the start of a link
// reference definition: "[label]:".
func isRefDefStart(rest string) bool {
	if !strings.HasPrefix(rest, "[") {
		return false
	}
	end := strings.Index(rest, "]:")
	return end > 1
}

// delimiterRuns counts the runs of *, _ and ~ in line that CommonMark's
// flanking rules would let open or close emphasis. Intraword underscores
// (snake_case) can do neither, so they are not counted.
func delimiterRuns(line string) int {
	n := 0
	for i := 0; i < len(line); {
		c := line[i]
		if c != '*' && c != '_' && c != '~' {
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] == c {
			j++
		}
		prev, next := ' ', ' ' // line ends count as whitespace
		if i > 0 {
			prev, _ = utf8.DecodeLastRuneInString(line[:i])
		}
		if j < len(line) {
			next, _ = utf8.DecodeRuneInString(line[j:])
		}
		left := !isSpace(next) && (!isPunct(next) || isSpace(prev) || isPunct(prev))
		right := !isSpace(prev) && (!isPunct(prev) || isSpace(next) || isPunct(next))
		if c == '_' {
			canOpen := left && (!right || isPunct(prev))
			canClose := right && (!left || isPunct(next))
			left, right = canOpen, canClose
		}
		if left || right {
			n++
		}
		i = j
	}
	return n
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

func isPunct(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

// delimiterRowColumns returns the number of columns if rest looks like a GFM
// table delimiter row ("| --- | :-: |"), else 0. It only looks at the
// characters, not at the header row, so it may count rows that goldmark will
// not treat as a table: that only makes the limit stricter.
func delimiterRowColumns(rest string) int {
	if !strings.Contains(rest, "|") || !strings.Contains(rest, "-") {
		return 0
	}
	cols, inCell := 0, false
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '-', ':':
			if !inCell {
				cols++
				inCell = true
			}
		case '|':
			inCell = false
		case ' ', '\t':
		default:
			return 0
		}
	}
	return cols
}

// blockScanner is goldmark's parser with the same block parsers and
// paragraph transformers as the real one (so it finds exactly the same
// paragraphs, headings and table cells, and skips exactly the same code and
// HTML blocks) but without inline parsers: a linear pass that tells
// checkInlineBlocks where each piece of inline content is.
var blockScanner = parser.NewParser(
	parser.WithBlockParsers(parser.DefaultBlockParsers()...),
	parser.WithParagraphTransformers(append(parser.DefaultParagraphTransformers(),
		util.Prioritized(extension.NewTableParagraphTransformer(), 200))...),
)

// checkInlineBlocks enforces MaxDelimiterRuns and MaxBrackets for each
// piece of inline content separately, because goldmark's super-linear
// emphasis and link processing is confined to one paragraph, heading or
// table cell. Counting per block rather than per stretch of text between
// blank lines means a long list of links, a big table or a pasted JSON file in
// a code block are never refused.
func checkInlineBlocks(src []byte) error {
	doc := blockScanner.Parse(text.NewReader(src))
	var err error
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Type() != ast.TypeBlock {
			return ast.WalkContinue, nil
		}
		if n.IsRaw() { // code and HTML blocks: no inline parsing
			return ast.WalkSkipChildren, nil
		}
		lines := n.Lines()
		delims, brackets := 0, 0
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			line := util.BytesToReadOnlyString(seg.Value(src))
			delims += delimiterRuns(line)
			brackets += strings.Count(line, "[")
		}
		switch {
		case delims > MaxDelimiterRuns:
			err = fmt.Errorf("%w: more than %d emphasis delimiters in one paragraph", ErrTooComplex, MaxDelimiterRuns)
		case brackets > MaxBrackets:
			err = fmt.Errorf("%w: more than %d brackets in one paragraph", ErrTooComplex, MaxBrackets)
		default:
			return ast.WalkContinue, nil
		}
		return ast.WalkStop, nil
	})
	return err
}
