package markdown

import "strings"

// Reasons, one per kind of deliberate deviation. Each entry of
// acceptedDifferences starts with one of these and adds what is specific to
// the example, so the table can be read (and counted) by kind.
const (
	whyRawElement = "raw HTML element not on the allowlist: tags removed, text kept"
	whyRawAttr    = "raw HTML attribute not on the allowlist removed"
	whyInvisible  = "raw <script>/<style> removed together with its content"
	whyComment    = "HTML comment / processing instruction / declaration / CDATA removed"
	whyImage      = "image src is not an absolute http(s) URL: image replaced by its alt text"
	whyScheme     = "link URL scheme is not http, https or mailto: link replaced by its text"
	whyNoHref     = "raw <a> without an allowed href: element replaced by its content"
	whyEmptyHref  = "empty link destination: bluemonday refuses empty URLs, link replaced by its text"
	whyUnparsable = "URL that net/url cannot parse (bluemonday requires parseable URLs): link replaced by its text"
	whyReencoded  = "bluemonday re-serialises the URL through net/url (same target, different escaping)"
	whyTrimmed    = "whitespace at the end of a post is not kept (Source): trailing spaces of the last line"
	whyGFMLinkify = "GFM autolink extension (enabled for the forum) links a bare URL/address the CommonMark-only example leaves as text"
)

func why(kind, detail string) string { return kind + " — " + detail }

// acceptedDifferences lists every spec example whose rendering differs from
// the spec's HTML (after normalizeHTML, which ignores the rel attribute Kliv
// adds to links), with the reason. TestSpecConformance fails on an unlisted
// difference and on a listed example that no longer differs.
var acceptedDifferences = map[string]string{
	// Raw HTML the forum does not allow. Members can still use the allowed
	// inline tags (em, strong, code, a href, …); everything else loses its
	// tags but keeps its text.
	"commonmark/150": why(whyRawElement, "<div>, <foo> (and an <a> without href)"),
	"commonmark/152": why(whyRawElement, "<div class>"),
	"commonmark/153": why(whyRawElement, "<div id class>"),
	"commonmark/154": why(whyRawElement, "<div id class>"),
	"commonmark/155": why(whyRawElement, "<div>"),
	"commonmark/159": why(whyRawElement, "<div> around a relative raw link"),
	"commonmark/161": why(whyRawElement, "<div></div>"),
	"commonmark/163": why(whyRawElement, "<Warning> custom element"),
	"commonmark/164": why(whyRawElement, "<i class>"),
	"commonmark/171": why(whyRawElement, "<textarea>"),
	"commonmark/174": why(whyRawElement, "<div> in a block quote"),
	"commonmark/175": why(whyRawElement, "<div> in a list item"),
	"commonmark/184": why(whyRawElement, "<div>"),
	"commonmark/185": why(whyRawElement, "<div>"),
	"commonmark/186": why(whyRawElement, "<div>"),
	"commonmark/188": why(whyRawElement, "<div>"),
	"commonmark/189": why(whyRawElement, "<div>"),
	"commonmark/201": why(whyRawElement, "<bar>"),
	"commonmark/491": why(whyRawElement, "<foo bar>"),
	"commonmark/494": why(whyRawElement, "<b>"),
	"commonmark/524": why(whyRawElement, "<bar attr>"),
	"commonmark/536": why(whyRawElement, "<bar attr>"),
	"commonmark/617": why(whyRawElement, "<responsive-image> custom element"),
	"commonmark/169": why(whyRawAttr, `language="haskell" on <pre>`),

	"commonmark/170": why(whyInvisible, "<script type=text/javascript>"),
	"commonmark/172": why(whyInvisible, "<style type=text/css>"),
	"commonmark/173": why(whyInvisible, "unclosed <style>"),
	"commonmark/176": why(whyInvisible, "<style>"),
	"commonmark/178": why(whyInvisible, "<script>"),
	"gfm/653": why(whyInvisible, "<title> and <style> are removed with the rest of the post they swallow "+
		"instead of being shown escaped (tag filter); <xmp> loses its tags"),

	"commonmark/177": why(whyComment, "<!-- foo -->"),
	"commonmark/179": why(whyComment, "multi-line comment"),
	"commonmark/180": why(whyComment, "<?php … ?> processing instruction"),
	"commonmark/182": why(whyComment, "<![CDATA[ … ]]>"),
	"commonmark/183": why(whyComment, "<!-- foo -->"),
	"commonmark/308": why(whyComment, "<!-- --> separating two lists"),
	"commonmark/309": why(whyComment, "<!-- --> separating a list and code"),
	"commonmark/625": why(whyComment, "comment containing --"),
	"commonmark/626": why(whyComment, "<!--> and <!--->"),
	"commonmark/627": why(whyComment, "<?php … ?> processing instruction"),
	"commonmark/628": why(whyComment, "<!ELEMENT …> declaration"),
	"commonmark/629": why(whyComment, "<![CDATA[ … ]]>"),

	"commonmark/475": why(whyImage, `raw <img src="foo"> (no alt, so nothing remains)`),
	"commonmark/517": why(whyImage, "moon.jpg inside a link"),
	"commonmark/520": why(whyImage, "uri3"),
	"commonmark/531": why(whyImage, "moon.jpg inside a reference link"),
	"commonmark/572": why(whyImage, "/url"),
	"commonmark/573": why(whyImage, "train.jpg via reference"),
	"commonmark/574": why(whyImage, "/url2"),
	"commonmark/575": why(whyImage, "/url2"),
	"commonmark/576": why(whyImage, "train.jpg via collapsed reference"),
	"commonmark/577": why(whyImage, "train.jpg via full reference"),
	"commonmark/578": why(whyImage, "train.jpg"),
	"commonmark/579": why(whyImage, "/path/to/train.jpg"),
	"commonmark/580": why(whyImage, "<url>"),
	"commonmark/581": why(whyImage, "/url with empty alt (nothing remains)"),
	"commonmark/582": why(whyImage, "/url via reference"),
	"commonmark/583": why(whyImage, "/url via case-insensitive reference"),
	"commonmark/584": why(whyImage, "/url via collapsed reference"),
	"commonmark/585": why(whyImage, "/url via collapsed reference"),
	"commonmark/586": why(whyImage, "/url via collapsed reference"),
	"commonmark/587": why(whyImage, "/url via shortcut reference"),
	"commonmark/588": why(whyImage, "/url via shortcut reference"),
	"commonmark/589": why(whyImage, "/url via shortcut reference"),
	"commonmark/591": why(whyImage, "/url via shortcut reference"),

	"commonmark/596": why(whyScheme, "irc:"),
	"commonmark/598": why(whyScheme, "a+b+c:"),
	"commonmark/599": why(whyScheme, "made-up-scheme:"),
	"commonmark/601": why(whyScheme, "localhost: (parsed as a scheme)"),
	"gfm/628":        why(whyScheme, "ftp: (the http and https autolinks of the example match)"),

	"commonmark/613": why(whyNoHref, "<a> followed by unknown <bab><c2c>"),
	"commonmark/614": why(whyNoHref, "<a/> followed by unknown <b2/>"),
	"commonmark/615": why(whyNoHref, "<a /> followed by unknown <b2 data>"),
	"commonmark/616": why(whyNoHref, "<a> with only unknown attributes"),

	"commonmark/200": why(whyEmptyHref, "[foo]: <>"),
	"commonmark/485": why(whyEmptyHref, "[link]()"),
	"commonmark/486": why(whyEmptyHref, "[link](<>)"),
	"commonmark/487": why(whyEmptyHref, "[]()"),
	"commonmark/567": why(whyEmptyHref, "[foo]() takes precedence over the reference"),

	"commonmark/346": why(whyUnparsable, "percent-escape %60 in the host of https://foo.bar.`baz"),
	"commonmark/500": why(whyUnparsable, `relative "foo):" has a colon in its first path segment`),
	"commonmark/642": why(whyUnparsable, "raw href containing a line break"),
	"commonmark/643": why(whyUnparsable, "raw href containing a line break"),

	"commonmark/21":  why(whyReencoded, `raw href "/bar\/)" becomes "/bar%5C/%29"`),
	"commonmark/31":  why(whyReencoded, `raw href "öö.html" becomes "%C3%B6%C3%B6.html"`),
	"commonmark/344": why(whyReencoded, "raw href \"`\" becomes \"%60\""),
	"commonmark/597": why(whyReencoded, "scheme MAILTO: lower-cased to mailto:"),
	"commonmark/630": why(whyReencoded, `raw href "ö" becomes "%C3%B6"`),
	"commonmark/631": why(whyReencoded, `raw href "\*" becomes "%5C%2A"`),

	"commonmark/118": why(whyTrimmed, "the two spaces after foo at the end of an indented code block"),

	"commonmark/608": why(whyGFMLinkify, "https://foo.bar inside < … >"),
	"commonmark/611": why(whyGFMLinkify, "https://example.com"),
	"commonmark/612": why(whyGFMLinkify, "foo@bar.example.com"),
}

// acceptedKind returns the kind prefix of a reason (for reporting counts).
func acceptedKind(reason string) string {
	kind, _, _ := strings.Cut(reason, " — ")
	return kind
}
