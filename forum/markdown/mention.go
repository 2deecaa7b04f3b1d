package markdown

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Usernames are 3–30 characters of [a-z0-9_.-] starting with a letter or a
// digit. Mentions are matched case-insensitively (members type "@Anna") and
// reported lower-cased.
const (
	minUsername = 3
	maxUsername = 30
)

// mentionNode is an @username in running text. Its only child is the text
// "@Name" as typed, so anything that reads a node's text (image alt text,
// PlainText of the output) sees the mention as written.
type mentionNode struct {
	ast.BaseInline
	Name string // lower-cased username
}

var kindMention = ast.NewNodeKind("Mention")

// Kind implements ast.Node.
func (n *mentionNode) Kind() ast.NodeKind { return kindMention }

// Dump implements ast.Node.
func (n *mentionNode) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Name": n.Name}, nil)
}

// mentionExtension wires the inline parser, the "not inside links or raw
// <a>/<code>" transformer and the renderer into goldmark.
type mentionExtension struct{}

// Extend implements goldmark.Extender.
func (mentionExtension) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(
		parser.WithInlineParsers(util.Prioritized(mentionParser{}, 999)),
		parser.WithASTTransformers(util.Prioritized(mentionTransformer{}, 999)),
	)
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(mentionRenderer{}, 999)))
}

// mentionParser recognises @username. Code spans and code blocks are never
// inline-parsed, so mentions cannot appear there; links are handled by
// mentionTransformer because link text is parsed before goldmark knows it is
// inside a link.
type mentionParser struct{}

// Trigger implements parser.InlineParser.
func (mentionParser) Trigger() []byte { return []byte{'@'} }

// Parse implements parser.InlineParser: it consumes "@name" when the text
// before and after allows a mention, and returns nil otherwise.
func (mentionParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	if len(line) < 1+minUsername || line[0] != '@' {
		return nil
	}
	before := block.Source()[:seg.Start]
	if !mentionMayStartAfter(before) {
		return nil
	}
	// In "_@anna_" the last underscore closes the emphasis the first one
	// opened; it is not part of the name.
	n := usernameLen(line[1:], bytes.HasSuffix(before, []byte("_")))
	if n == 0 {
		return nil
	}
	name := line[1 : 1+n]
	node := &mentionNode{Name: strings.ToLower(string(name))}
	node.AppendChild(node, ast.NewTextSegment(text.NewSegment(seg.Start, seg.Start+1+n)))
	block.Advance(1 + n)
	return node
}

func isUsernameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '.' || c == '-'
}

func isAlnumByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// usernameLen returns the length of the username at the start of s, or 0 if
// there is none. Trailing dots are not part of it ("thanks @anna." mentions
// anna); a name that runs on into "@" (a fediverse handle or an address) or
// into a non-ASCII letter or digit (it is not one of our usernames, just
// looks like one's prefix) is no mention at all. With trimUnderscores,
// trailing underscores are dropped as well (see Parse).
func usernameLen(s []byte, trimUnderscores bool) int {
	if len(s) == 0 || !isAlnumByte(s[0]) {
		return 0
	}
	end := 0
	for end < len(s) && isUsernameByte(s[end]) {
		end++
	}
	if end < len(s) {
		if s[end] == '@' {
			return 0
		}
		if r, _ := utf8.DecodeRune(s[end:]); r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return 0
		}
	}
	n := end
	for n > 0 && (s[n-1] == '.' || trimUnderscores && s[n-1] == '_') {
		n--
	}
	if n < minUsername || n > maxUsername {
		return 0
	}
	return n
}

// mentionMayStartAfter decides from the text before "@" whether it can be a
// mention. It cannot when "@" continues a word: an e-mail address
// (anna.b@example.se, x+y@z, x_@z), a path (example.com/@anna) or another
// handle (a@@b).
func mentionMayStartAfter(before []byte) bool {
	if len(before) == 0 {
		return true
	}
	r, size := utf8.DecodeLastRune(before)
	switch {
	case r < utf8.RuneSelf && (isAlnumByte(byte(r)) || strings.ContainsRune(".+-/@=\\", r)):
		return false
	case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		return false
	case r == '_':
		// "_@anna_" is emphasis, "x_@example.se" is an address: the
		// underscore opens emphasis only when not glued to a word.
		r2, _ := utf8.DecodeLastRune(before[:len(before)-size])
		return len(before) == size || !(r2 < utf8.RuneSelf && isUsernameByte(byte(r2)) ||
			unicode.IsLetter(r2) || unicode.IsDigit(r2))
	}
	return true
}

// mentionTransformer turns mentions back into plain text where a link would
// be wrong: inside Markdown links and images (link text is inline-parsed
// before the parser knows it is link text) and between raw <a>…</a>,
// <code>…</code>, <pre>…</pre>, <kbd> or <samp> tags written by the member.
type mentionTransformer struct{}

var rawOpenClose = regexp.MustCompile(`(?i)<(/?)(a|code|pre|kbd|samp)(?:[\s/>]|$)`)

// Transform implements parser.ASTTransformer.
func (mentionTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	var demote []*mentionNode
	rawDepth := 0 // raw <a>/<code>/… currently open, as far as we can tell
	countRaw := func(segs *text.Segments) {
		for i := 0; i < segs.Len(); i++ {
			seg := segs.At(i)
			for _, m := range rawOpenClose.FindAllSubmatch(seg.Value(source), -1) {
				if len(m[1]) == 0 {
					rawDepth++
				} else if rawDepth > 0 {
					rawDepth--
				}
			}
		}
	}
	inLink := 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Link, *ast.Image:
			if entering {
				inLink++
			} else {
				inLink--
			}
		case *ast.RawHTML:
			if entering {
				countRaw(n.Segments)
			}
		case *ast.HTMLBlock:
			if entering {
				countRaw(n.Lines())
			}
		case *mentionNode:
			if entering && (inLink > 0 || rawDepth > 0) {
				demote = append(demote, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, m := range demote {
		child := m.FirstChild()
		m.RemoveChild(m, child)
		m.Parent().ReplaceChild(m.Parent(), m, child)
	}
}

// collectMentions lists the distinct usernames of the mention nodes in doc.
func collectMentions(doc ast.Node) []string {
	var names []string
	seen := map[string]bool{}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if m, ok := n.(*mentionNode); ok && entering && !seen[m.Name] {
			seen[m.Name] = true
			names = append(names, m.Name)
		}
		return ast.WalkContinue, nil
	})
	return names
}

// mentionRenderer writes <a href="/u/name" class="mention">@Name</a>. The
// rel attribute is added with every other link's by the tree pass.
type mentionRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (mentionRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMention, func(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString(`<a href="/u/`)
			_, _ = w.WriteString(node.(*mentionNode).Name) // [a-z0-9_.-] only: nothing to escape
			_, _ = w.WriteString(`" class="mention">`)
		} else {
			_, _ = w.WriteString(`</a>`)
		}
		return ast.WalkContinue, nil
	})
}
