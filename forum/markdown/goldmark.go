package markdown

import (
	"bytes"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// newGoldmark configures goldmark.
//
// Raw HTML: goldmark runs with html.WithUnsafe(), i.e. it passes raw HTML and
// every URL through untouched. That is safe here only because nothing goldmark
// writes reaches a browser directly: the tree pass (sanitize.go) and the
// bluemonday policy strip every element, attribute and URL scheme not on
// Kliv's allowlists. We chose this over goldmark's default (replace all raw
// HTML with "<!-- raw HTML omitted -->") because it is strictly closer to the
// CommonMark spec: inline <em>, <a href>, <code> … written by members survive
// exactly as the spec says, and only what the policy forbids is removed (the
// conformance test lists each such difference with its reason).
func newGoldmark() goldmark.Markdown {
	return goldmark.New(
		// extension.GFM spelled out, because the table extension needs an
		// option: alignment as align="…" (what the GFM spec shows) instead
		// of goldmark's default style="text-align:…", so the policy does not
		// have to let style attributes through at all.
		//
		// Deliberately absent: extension.Typographer (keeps quotes and
		// dashes as typed, as the spec does) and parser.WithAutoHeadingID
		// (members' headings must not collide with the page's own IDs).
		goldmark.WithExtensions(
			extension.Linkify,
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.TaskList,
			mentionExtension{},
		),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(lineEndTrimmer{}, 1000))),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
}

// lineEndTrimmer works around a goldmark quirk with the GFM autolink
// extension: its parser triggers on every space, which splits "foo   \n" into
// the text nodes "foo  " and "" (the latter carrying the line break), and
// goldmark then trims only the last one. CommonMark strips spaces at the end
// of a line before both soft and hard breaks (spec examples 226 and 635), so
// this transformer trims them from the preceding text nodes too.
type lineEndTrimmer struct{}

// Transform implements parser.ASTTransformer.
func (lineEndTrimmer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		t, ok := n.(*ast.Text)
		if !entering || !ok || !(t.SoftLineBreak() || t.HardLineBreak()) {
			return ast.WalkContinue, nil
		}
		for cur := t; isBlankText(cur, source); {
			prev, ok := cur.PreviousSibling().(*ast.Text)
			if !ok || prev.IsRaw() {
				break
			}
			prev.Segment = prev.Segment.TrimRightSpace(source)
			cur = prev
		}
		return ast.WalkContinue, nil
	})
}

func isBlankText(t *ast.Text, source []byte) bool {
	return len(bytes.TrimRight(t.Segment.Value(source), " \t")) == 0
}
