package markdown

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestRenderGoodPath(t *testing.T) {
	r := New()
	cases := []struct {
		name    string
		src     string
		want    []string // substrings of the output
		notWant []string
	}{
		{
			name: "link gets rel and keeps title",
			src:  `[Kliv](https://kliv.example/t/1 "Om Kliv")`,
			want: []string{`<a href="https://kliv.example/t/1" title="Om Kliv" rel="nofollow ugc noopener">Kliv</a>`},
		},
		{
			name:    "raw link gets our rel, never a target",
			src:     `<a href="https://x.example" rel="opener" target="_blank">x</a>`,
			want:    []string{`<a href="https://x.example" rel="nofollow ugc noopener">x</a>`},
			notWant: []string{"target", `rel="opener"`},
		},
		{
			name: "relative and anchor links",
			src:  "[tråd](/t/42) [upp](#top)",
			want: []string{`<a href="/t/42" rel="nofollow ugc noopener">tråd</a>`, `<a href="#top" rel="nofollow ugc noopener">upp</a>`},
		},
		{
			name: "ordered list start kept",
			src:  "3. tre\n4. fyra",
			want: []string{`<ol start="3">`, "<li>tre</li>"},
		},
		{
			name: "task list",
			src:  "- [ ] köpa mjölk\n- [x] diska",
			want: []string{`<li><input disabled="" type="checkbox"/> köpa mjölk</li>`, `<li><input checked="" disabled="" type="checkbox"/> diska</li>`},
		},
		{
			name: "table with alignment",
			src:  "| Namn | Antal |\n|:-----|------:|\n| äpple | 3 |",
			want: []string{"<table>", `<th align="left">Namn</th>`, `<th align="right">Antal</th>`, `<td align="right">3</td>`},
		},
		{
			name: "strikethrough",
			src:  "~~gammalt~~ nytt",
			want: []string{"<del>gammalt</del> nytt"},
		},
		{
			name: "bare URL autolink",
			src:  "Se https://example.com/a?b=1 och www.example.se.",
			want: []string{`<a href="https://example.com/a?b=1" rel="nofollow ugc noopener">https://example.com/a?b=1</a>`, `<a href="http://www.example.se" rel="nofollow ugc noopener">www.example.se</a>.`},
		},
		{
			name: "angle autolink",
			src:  "<https://example.com>",
			want: []string{`<a href="https://example.com" rel="nofollow ugc noopener">https://example.com</a>`},
		},
		{
			name: "mailto link and e-mail autolink",
			src:  "[skriv](mailto:info@kliv.example) eller anna@example.se",
			want: []string{`<a href="mailto:info@kliv.example" rel="nofollow ugc noopener">skriv</a>`, `<a href="mailto:anna@example.se" rel="nofollow ugc noopener">anna@example.se</a>`},
		},
		{
			name: "https image with title",
			src:  `![katt](https://img.example/katt.jpg "Min katt")`,
			want: []string{`<img src="https://img.example/katt.jpg" alt="katt" title="Min katt"/>`},
		},
		{
			name: "http image",
			src:  `![k](http://img.example/k.png)`,
			want: []string{`<img src="http://img.example/k.png" alt="k"/>`},
		},
		{
			name:    "relative image becomes its alt text",
			src:     `![en katt](/uploads/katt.jpg)`,
			want:    []string{"<p>en katt</p>"},
			notWant: []string{"<img"},
		},
		{
			name: "mention linked",
			src:  "Tack @Anna_B och @erik.s!",
			want: []string{
				`<a class="mention" href="/u/anna_b" rel="nofollow ugc noopener">@Anna_B</a>`,
				`<a class="mention" href="/u/erik.s" rel="nofollow ugc noopener">@erik.s</a>!`,
			},
		},
		{
			name:    "mention not linked in code",
			src:     "`@anna`\n\n```\n@erik\n```\n\n    @olle",
			want:    []string{"<code>@anna</code>", "@erik\n</code></pre>", "@olle\n</code></pre>"},
			notWant: []string{"/u/"},
		},
		{
			name:    "mention not linked inside a link",
			src:     "[fråga @anna](/t/1) <a href=\"/t/2\">@erik</a>",
			want:    []string{`<a href="/t/1" rel="nofollow ugc noopener">fråga @anna</a>`, `<a href="/t/2" rel="nofollow ugc noopener">@erik</a>`},
			notWant: []string{"/u/"},
		},
		{
			name:    "mention not in e-mail",
			src:     "anna.b@example.se eller bo@localhost",
			notWant: []string{"/u/"},
		},
		{
			name: "code block language class",
			src:  "```go\nfmt.Println(\"hej\")\n```",
			want: []string{`<pre><code class="language-go">fmt.Println(&#34;hej&#34;)`},
		},
		{
			name: "headings, quote, emphasis, rule, hard break",
			src:  "# Rubrik\n\n> citat *kursiv* **fet**\n\n---\n\nrad ett  \nrad två",
			want: []string{"<h3>Rubrik</h3>", "<blockquote>", "<em>kursiv</em>", "<strong>fet</strong>", "<hr/>", "rad ett<br/>\nrad två"},
		},
		{
			name: "allowed inline raw HTML survives",
			src:  "a <em>b</em> <strong>c</strong> <code>d</code> <del>e</del>",
			want: []string{"<em>b</em>", "<strong>c</strong>", "<code>d</code>", "<del>e</del>"},
		},
		{
			name:    "unclosed raw tags are closed inside the post",
			src:     "<em>open\n\n<table><tr><td>x\n\n</li></ul></div>",
			notWant: []string{"</li>", "</ul>", "</div>"},
		},
		{
			name: "Swedish text and entities",
			src:  "Åsa & Örjan &copy; &lt;3",
			want: []string{"Åsa &amp; Örjan © &lt;3"},
		},
		{
			name:    "typographer off",
			src:     `"citat" -- och...`,
			want:    []string{"&#34;citat&#34; -- och..."},
			notWant: []string{"“", "–", "…"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("Render(%q) = %q\nmissing %q", tc.src, out, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("Render(%q) = %q\nmust not contain %q", tc.src, out, w)
				}
			}
			if err := checkMarkup(out); err != nil {
				t.Errorf("Render(%q) = %q: %v", tc.src, out, err)
			}
		})
	}
}

func TestMentions(t *testing.T) {
	cases := []struct {
		src  string
		want []string
	}{
		{"hej @anna", []string{"anna"}},
		{"@Anna @ANNA @anna och @bo_b", []string{"anna", "bo_b"}},
		{"tack @erik.s.", []string{"erik.s"}},
		{"(@anna) *@bo1* _@cc_cc_ **@dd-d**", []string{"anna", "bo1", "cc_cc", "dd-d"}},
		{"@1a2 börjar med siffra", []string{"1a2"}},
		{"@ab för kort, @" + strings.Repeat("a", 31) + " för långt, @" + strings.Repeat("b", 30) + " precis", []string{strings.Repeat("b", 30)}},
		{"@_anna @.anna @-anna börjar fel", nil},
		{"mejla anna@example.se eller a.b@c.de eller x_@y.se", nil},
		{"example.com/@anna a@@bo", nil},
		{"@anna@mastodon.example är ett annat nätverk", nil},
		{"@åsa @annaå är inte våra namn", nil},
		{"`@anna` och\n\n```\n@bo\n```", nil},
		{"[@anna](/x) ![@bo](https://i.example/x.png)", nil},
		{"<a href=\"/x\">@anna</a> <code>@bo</code> men @cecilia", []string{"cecilia"}},
		{"\\@anna är escapat", nil},
		{"> citerar @anna\n> - och @bosse", []string{"anna", "bosse"}},
		{"| @anna | x |\n|---|---|\n| @bosse | y |", []string{"anna", "bosse"}},
		{"# Hej @anna", []string{"anna"}},
	}
	for _, tc := range cases {
		got := Mentions(tc.src)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Mentions(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
	// What Mentions reports is exactly what Render links.
	r := New()
	for _, tc := range cases {
		out, err := r.Render(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(out, `class="mention"`); got < len(tc.want) || (len(tc.want) == 0 && got != 0) {
			t.Errorf("Render(%q) = %q: %d mention links, Mentions found %d", tc.src, out, got, len(tc.want))
		}
	}
	if got := Mentions(strings.Repeat("a", MaxChars+1)); got != nil {
		t.Errorf("Mentions of an oversized source = %q, want nil", got)
	}
}

func TestPlainText(t *testing.T) {
	r := New()
	cases := []struct{ src, want string }{
		{"# Rubrik\n\nEtt *stycke* med [länk](https://x.example) & `kod`.", "Rubrik Ett stycke med länk & kod."},
		{"- ett\n- två\n\n> citat", "ett två citat"},
		{"| a | b |\n|---|---|\n| c | d |", "a b c d"},
		{"rad ett  \nrad två", "rad ett rad två"},
		{"hej @anna", "hej @anna"},
		{"fo*o*bar", "foobar"},
		{"&lt;script&gt; &amp;amp; &copy;", "<script> &amp; ©"},
	}
	for _, tc := range cases {
		out, err := r.Render(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := PlainText(out); got != tc.want {
			t.Errorf("PlainText(Render(%q)) = %q, want %q", tc.src, got, tc.want)
		}
	}
	// Arbitrary HTML and Markdown input.
	for in, want := range map[string]string{
		"<p>a</p><script>var x = '<p>';</script><style>p{}</style><p>b</p>": "a b",
		"  många   \n\t mellanslag\u00a0här ":                               "många mellanslag här",
		"*markdown* som **text**":                                           "*markdown* som **text**",
		"":                                                                  "",
	} {
		if got := PlainText(in); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRenderDeterministicAndConcurrent(t *testing.T) {
	r := New()
	src := typicalPost
	want, err := r.Render(src)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				got, err := r.Render(src)
				if err != nil {
					errs <- err
					return
				}
				if got != want {
					errs <- errors.New("concurrent render differs")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestErrBusyWhenAllSlotsHeld(t *testing.T) {
	r := New()
	r.queueWait = 20 * 1e6 // 20ms
	for range cap(r.sem) {
		r.sem <- struct{}{}
	}
	_, err := r.Render("hej")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
	for range cap(r.sem) {
		<-r.sem
	}
	if _, err := r.Render("hej"); err != nil {
		t.Fatal(err)
	}
}

func TestBudgetExceededReturnsErrTooComplexAndReleasesSlot(t *testing.T) {
	r := New()
	r.budget = 1000 // 1µs: a post this size takes milliseconds
	_, err := r.Render(strings.Repeat(typicalPost, 25))
	if !errors.Is(err, ErrTooComplex) || !errors.Is(err, errBudget) {
		t.Fatalf("err = %v, want the budget ErrTooComplex", err)
	}
	// The abandoned render still holds its slot until it really ends;
	// then every slot is free again.
	r.drain()
	if n := len(r.sem); n != 0 {
		t.Fatalf("%d slots still held", n)
	}
}

// drain waits until no render (including abandoned ones) is running.
func (r *Renderer) drain() {
	for range cap(r.sem) {
		r.sem <- struct{}{}
	}
	for range cap(r.sem) {
		<-r.sem
	}
}

const typicalPost = `## Tips inför vandringen i Sarek

Hej alla! Efter förra årets tur fick jag många frågor, så här kommer en sammanfattning.
Tack till @anna_k och @Erik.S för korrläsningen.

### Packlista

- [x] Tält (vindtåligt!)
- [x] Sovsäck, komfort ned till **-5 °C**
- [ ] Myggmedel — *glöm inte*
- [ ] Karta 1:100 000, se [Lantmäteriet](https://www.lantmateriet.se "Kartor")

1. Ta tåget till Gällivare
2. Buss till Ritsem
3. Båt över Akkajaure

> Vädret kan slå om på en timme. Ha alltid torra kläder i en vattentät påse.
> — någon klok

| Dag | Sträcka | Km |
|:----|:--------|---:|
| 1 | Ritsem – Akka | 12 |
| 2 | Akka – Kisuris | 18 |
| 3 | Kisuris – Sitojaure | 21 |

Vattnet kan man dricka direkt ur bäckarna, men ~~koka alltid~~ använd filter nedströms renar.
Mer info på www.sarek.se eller mejla mig på vandrare@example.se.

` + "```" + `text
GPS: 67.4072, 17.5589
` + "```" + `

![Utsikt från Skierfe](https://bilder.example/skierfe.jpg)

Frågor? Skriv här eller i [tråden om utrustning](/t/1234-utrustning#svar-12). Lycka till! 😊
`

// TestHeadingShift checks that members' headings sit below the page's own
// h1 and h2, whether written as Markdown or raw HTML.
func TestHeadingShift(t *testing.T) {
	r := New()
	for _, tc := range []struct{ in, want string }{
		{"# Rubrik", "<h3>Rubrik</h3>"},
		{"## Två", "<h4>Två</h4>"},
		{"#### Fyra", "<h6>Fyra</h6>"},
		{"###### Sex", "<h6>Sex</h6>"},
		{"<h1>Rå</h1>", "<h3>Rå</h3>"},
	} {
		got, err := r.Render(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(got) != tc.want {
			t.Errorf("Render(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
