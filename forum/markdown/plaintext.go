package markdown

import (
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText returns the visible text of html – the output of Render, or
// Markdown source, which for this purpose is mostly text – for the search
// index, snippets and quote previews: tags removed, entities decoded,
// whitespace collapsed to single spaces and trimmed.
//
// Block boundaries (paragraphs, list items, table cells, <br>, …) become a
// space so words of adjacent blocks do not run together; inline elements do
// not, so "fo<em>o</em>" stays one word. The content of elements that are
// never visible (script, style, template, …) is skipped, which matters when
// PlainText is given HTML that did not come from Render.
func PlainText(html string) string {
	z := xhtml.NewTokenizer(strings.NewReader(html))
	var b strings.Builder
	b.Grow(len(html))
	skip := 0 // depth inside invisible elements
	space := func() { b.WriteByte(' ') }
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case xhtml.TextToken:
			if skip == 0 {
				b.Write(z.Text()) // Text() decodes entities
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if invisible[a] && tt == xhtml.StartTagToken {
				skip++
			} else if blockish[a] {
				space()
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if invisible[a] {
				if skip > 0 {
					skip--
				}
			} else if blockish[a] {
				space()
			}
		}
	}
}

var invisible = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Head: true,
	atom.Title: true, atom.Noscript: true, atom.Iframe: true, atom.Object: true,
	atom.Svg: true, atom.Math: true,
}

var blockish = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Hr: true, atom.Div: true, atom.Blockquote: true,
	atom.Pre: true, atom.Ul: true, atom.Ol: true, atom.Li: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tr: true, atom.Th: true, atom.Td: true,
	atom.Img: true, atom.Input: true, atom.Section: true, atom.Article: true,
	atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Figure: true, atom.Figcaption: true,
}
