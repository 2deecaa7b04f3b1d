package seed

import (
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// newRand returns the random source for one purpose (stream) of one
// thing (n), so that what is generated for it does not depend on the
// order the workers happen to take their work in.
func newRand(seed uint64, n int, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed^(uint64(n)*0x9E3779B97F4A7C15), stream*0xBF58476D1CE4E5B9+uint64(n)))
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// filler fills templates: {s} subject, {p} people one leads, {q} people
// one works with, {o} organisation, {t} span of time, {m} moment, {v}
// verb phrase, {n} noun,
// {a} adjective, {c} city; a capital letter ({S}) capitalises the word.
// Nouns are now and then in bold.
type filler struct {
	r       *rand.Rand
	subject string
	b       *strings.Builder
	used    []string // templates used in this post, not to repeat
}

func (f *filler) fill(tmpl string) {
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 || i+2 >= len(tmpl) || tmpl[i+2] != '}' {
			f.b.WriteString(tmpl)
			return
		}
		f.b.WriteString(tmpl[:i])
		c := tmpl[i+1]
		tmpl = tmpl[i+3:]
		var w string
		bold := false
		switch c | 0x20 {
		case 's':
			w = f.subject
		case 'p':
			w = pick(f.r, people)
		case 'q':
			w = pick(f.r, partners)
		case 'o':
			w = pick(f.r, orgs)
		case 't':
			w = pick(f.r, times)
		case 'm':
			w = pick(f.r, moments)
		case 'v':
			w = pick(f.r, verbs)
		case 'n':
			w = pick(f.r, nouns)
			bold = f.r.IntN(9) == 0
		case 'a':
			w = pick(f.r, adjs)
		case 'c':
			w = pick(f.r, cities)
		}
		if c >= 'A' && c <= 'Z' {
			w = capitalize(w)
		}
		if bold {
			f.b.WriteString("**")
			f.b.WriteString(w)
			f.b.WriteString("**")
		} else {
			f.b.WriteString(w)
		}
	}
}

// fresh picks a template not used yet in this post, if it can.
func (f *filler) fresh(tmpls []string) string {
	t := pick(f.r, tmpls)
	for i := 0; i < 4 && slices.Contains(f.used, t); i++ {
		t = pick(f.r, tmpls)
	}
	f.used = append(f.used, t)
	return t
}

// sentence appends one sentence from tmpls, with a space before it
// unless it starts the text or a line.
func (f *filler) sentence(tmpls []string) {
	if s := f.b.String(); len(s) > 0 && s[len(s)-1] != '\n' && s[len(s)-1] != ' ' {
		f.b.WriteByte(' ')
	}
	f.fill(f.fresh(tmpls))
}

// postText describes one post for the text generator.
type postText struct {
	Voice   *voice
	Subject string
	Kind    string // the topic's kind
	First   bool   // the topic's first post
	Site    *site  // link topics: where the link points
	URL     string // link topics: the link
	Mention string // a username to mention, or ""
	Quote   string // a sentence of the post answered to quote, or ""
	// Welcome is set on the staff's pinned first post in a category:
	// the category's name and description.
	Welcome *[2]string
}

// welcome is the pinned first post of a category.
func welcome(r *rand.Rand, name, description string) []string {
	paras := []string{
		"Välkommen till **" + name + "**! " + description,
		"Några saker att tänka på när du skriver här:",
		"- Dela med dig av erfarenheter, både det som fungerat och det som inte gjort det\n" +
			"- Skriv aldrig något som kan peka ut en enskild medarbetare, brukare, patient eller elev\n" +
			"- Håll god ton, även när vi tycker olika\n" +
			"- Tacka med en **Tack** när ett svar hjälpt dig",
	}
	if r.IntN(2) == 0 {
		paras = append(paras, "Hör av dig till oss moderatorer om du undrar något. Trevligt att du är här!")
	}
	return paras
}

// Post sizes, decided with the opening so a quote can be regenerated.
const (
	sizeShort = iota
	sizeMedium
	sizeLong
)

// opening returns a post's size and its first sentence, drawn from r
// alone: a reply that quotes the post regenerates it with the same r.
func opening(r *rand.Rand, v *voice, subject string, first bool) (size int, open, tmpl string) {
	switch x := r.IntN(100); {
	case first && x < 55, !first && x >= 30 && x < 82:
		size = sizeMedium
	case first, x >= 82:
		size = sizeLong
	default:
		size = sizeShort
	}
	if size == sizeShort && v == defaultVoice {
		return size, pick(r, shortReplies), ""
	}
	var b strings.Builder
	f := filler{r: r, subject: subject, b: &b}
	tmpl = pick(r, v.say(first))
	f.fill(tmpl)
	return size, b.String(), tmpl
}

// body writes a post's Markdown. ra draws the opening (see opening), rb
// the rest. It returns the paragraphs, which an edited post's earlier
// version is made of.
func body(ra, rb *rand.Rand, p *postText) []string {
	v := p.Voice
	size, open, tmpl := opening(ra, v, p.Subject, p.First)
	say := v.say(p.First)
	if p.Welcome != nil {
		return welcome(rb, p.Welcome[0], p.Welcome[1])
	}
	var paras []string
	var b strings.Builder
	f := filler{r: rb, subject: p.Subject, b: &b, used: []string{tmpl}}
	flush := func() {
		if b.Len() > 0 {
			paras = append(paras, b.String())
			b.Reset()
		}
	}
	if p.Quote != "" {
		b.WriteString("> ")
		b.WriteString(p.Quote)
		flush()
	}
	mention := p.Mention
	if mention != "" && rb.IntN(2) == 0 {
		b.WriteString("@" + mention + " ")
		mention = ""
	} else if p.First && rb.IntN(3) == 0 {
		b.WriteString(pick(rb, openers))
		b.WriteByte(' ')
	} else if !p.First && size != sizeShort && p.Quote == "" && rb.IntN(8) == 0 {
		b.WriteString(pick(rb, replyOpeners))
		b.WriteByte(' ')
	}
	if p.First && p.URL != "" {
		// A link topic starts with the link.
		text := pick(rb, linkTexts)
		switch rb.IntN(3) {
		case 0:
			b.WriteString("Jag hittade [" + text + "](" + p.URL + ") från " + p.Site.Name + " och tycker att den är värd att läsa.")
		case 1:
			b.WriteString("Läs gärna " + genitive(p.Site.Name) + " [" + text + "](" + p.URL + "). Den tar upp " + p.Subject + " på ett bra sätt.")
		default:
			b.WriteString("Här är länken:\n" + p.URL)
		}
		flush()
	}
	b.WriteString(open)
	switch size {
	case sizeShort:
		if rb.IntN(3) == 0 {
			f.sentence(say)
		}
	case sizeMedium:
		for range 1 + rb.IntN(3) {
			f.sentence(say)
		}
	case sizeLong:
		for range 1 + rb.IntN(3) {
			f.sentence(say)
		}
		flush()
		for range 1 + rb.IntN(3) {
			f.sentence(say)
		}
	}
	if mention != "" {
		m := pick(rb, mentionSentences)
		b.WriteString(m[0])
		b.WriteString(mention)
		b.WriteString(m[1])
	}
	flush()
	list := v == defaultVoice && (size == sizeLong && rb.IntN(3) == 0 || p.First && p.Kind == "tip" && rb.IntN(10) < 7)
	if list {
		b.WriteString(pick(rb, listIntros))
		flush()
		n := 3 + rb.IntN(3)
		numbered := rb.IntN(3) == 0
		start := rb.IntN(len(listItems))
		for i := range n {
			if numbered {
				b.WriteString(string(rune('1' + i)))
				b.WriteString(". ")
			} else {
				b.WriteString("- ")
			}
			b.WriteString(listItems[(start+i*7)%len(listItems)])
			if i < n-1 {
				b.WriteByte('\n')
			}
		}
		flush()
	}
	if !p.First && size != sizeShort && rb.IntN(25) == 0 {
		s := pick(rb, sites)
		b.WriteString("Se gärna [" + pick(rb, linkTexts) + "](" + s.Base + pick(rb, s.Paths) + ") från " + s.Name + ".")
		flush()
	}
	if p.First && p.Kind == "question" || !p.First && size != sizeShort && rb.IntN(5) == 0 {
		f.sentence(v.questions)
		flush()
	}
	if p.First && rb.IntN(3) == 0 || size == sizeLong && rb.IntN(4) == 0 {
		b.WriteString(pick(rb, closers))
		flush()
	}
	return paras
}

// mentionSentences are sentences around a mention: before and after the
// username.
var mentionSentences = [][2]string{
	{" Jag tror att @", " har varit med om något liknande."}, {" Tipsar @", " om den här tråden!"},
	{" Precis som @", " skrev tidigare."}, {" @", ", hur gjorde ni?"},
}

// genitive makes the Swedish possessive of a name: Skolverkets, IVO:s.
func genitive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name
	}
	if name == strings.ToUpper(name) {
		return name + ":s"
	}
	return name + "s"
}

// say returns the sentences a first post or a reply is made of.
func (v *voice) say(first bool) []string {
	if first {
		return v.statements
	}
	return v.replies
}
