package markdown

import (
	"bufio"
	"os"
	"testing"
)

func TestTry(t *testing.T) {
	r := New()
	sc := bufio.NewScanner(os.Stdin)
	_ = sc
	for _, s := range []string{
		"Hej @Anna och @bob.! mail anna@example.se, `@code` [@linked](/x) *@emph* _@und_ \\@esc @x @åsa @anna_åberg @a@b.c",
		"[x](javascript:alert(1)) <a href=\"http://x\" onclick=\"y\">k</a> <script>alert(1)</script> <javascript:alert(1)>",
		"- [ ] a\n- [x] b\n\n| a | b |\n|:-|-:|\n| c | d |\n\n~~del~~ www.example.com https://x.se mailto:a@b.se <a@b.se>\n\n![i](https://x/y.png \"t\") ![rel](/y.png)\n\n3. three\n4. four\n\n```go\nx\n```\n",
		"<div><em>unclosed <strong>x\n\n</li></ul></div></div>",
	} {
		out, err := r.Render(s)
		t.Logf("%q\n=> %v\n%s\nplain: %s\nmentions: %v", s, err, out, PlainText(out), Mentions(s))
	}
}
