package markdown

import (
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// normalizeHTML makes two HTML fragments comparable in the spirit of the
// CommonMark test suite's normalize.py: both are parsed as a browser would
// (so <br /> and <br>, &quot; and &#34;, attribute order, implied end tags no
// longer matter), whitespace in text is collapsed except inside <pre>, and
// whitespace next to block-level tags is dropped.
//
// One attribute is removed on purpose: rel="nofollow ugc noopener", which
// Render adds to every link and which the spec of course never shows.
// Without this every example with a link would be listed as a difference and
// the accepted list would hide the real ones.
func normalizeHTML(t testing.TB, s string) string {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		t.Fatalf("normalizeHTML: %v", err)
	}
	var toks []normTok
	for _, n := range nodes {
		toks = appendNorm(toks, n, false)
	}
	// Drop whitespace at block boundaries.
	var b strings.Builder
	for i, tk := range toks {
		if tk.text && !tk.pre {
			s := tk.s
			if i == 0 || toks[i-1].block {
				s = strings.TrimLeft(s, " ")
			}
			if i == len(toks)-1 || toks[i+1].block {
				s = strings.TrimRight(s, " ")
			}
			b.WriteString(s)
			continue
		}
		if tk.block {
			b.WriteString("\n")
		}
		b.WriteString(tk.s)
	}
	return strings.TrimSpace(b.String())
}

type normTok struct {
	s     string
	text  bool // a text node
	pre   bool // text inside <pre>
	block bool // a block-level tag
}

var normBlock = map[string]bool{
	"article": true, "header": true, "aside": true, "hgroup": true, "blockquote": true,
	"hr": true, "iframe": true, "body": true, "li": true, "map": true, "button": true,
	"object": true, "canvas": true, "ol": true, "caption": true, "output": true, "col": true,
	"p": true, "colgroup": true, "pre": true, "dd": true, "progress": true, "div": true,
	"section": true, "dl": true, "table": true, "td": true, "dt": true, "tbody": true,
	"embed": true, "textarea": true, "fieldset": true, "tfoot": true, "figcaption": true,
	"th": true, "figure": true, "thead": true, "footer": true, "tr": true, "form": true,
	"ul": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"video": true, "script": true, "style": true,
}

func appendNorm(toks []normTok, n *html.Node, inPre bool) []normTok {
	switch n.Type {
	case html.TextNode:
		s := n.Data
		if !inPre {
			s = strings.Join(strings.FieldsFunc(s, isHTMLSpace), " ")
			if n.Data != "" && isHTMLSpace(rune(n.Data[0])) {
				s = " " + s
			}
			if n.Data != "" && isHTMLSpace(rune(n.Data[len(n.Data)-1])) && strings.TrimFunc(n.Data, isHTMLSpace) != "" {
				s += " "
			}
		}
		return append(toks, normTok{s: html.EscapeString(s), text: true, pre: inPre})
	case html.CommentNode:
		return append(toks, normTok{s: "<!--" + n.Data + "-->"})
	case html.ElementNode:
		attrs := make([]html.Attribute, 0, len(n.Attr))
		for _, a := range n.Attr {
			if n.Data == "a" && a.Key == "rel" && a.Val == linkRel {
				continue
			}
			attrs = append(attrs, a)
		}
		sort.Slice(attrs, func(i, j int) bool { return attrs[i].Key < attrs[j].Key })
		var b strings.Builder
		b.WriteString("<" + n.Data)
		for _, a := range attrs {
			b.WriteString(" " + a.Key + `="` + html.EscapeString(a.Val) + `"`)
		}
		b.WriteString(">")
		block := normBlock[n.Data]
		toks = append(toks, normTok{s: b.String(), block: block})
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			toks = appendNorm(toks, c, inPre || n.Data == "pre")
		}
		if !isVoid(n.Data) {
			toks = append(toks, normTok{s: "</" + n.Data + ">", block: block})
		}
	}
	return toks
}

func isHTMLSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' }

func isVoid(tag string) bool {
	switch tag {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr":
		return true
	}
	return false
}
