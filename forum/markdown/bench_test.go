package markdown

import (
	"strings"
	"testing"
)

// BenchmarkRenderTypicalPost renders a ~1.5 kB post with the usual mix
// (headings, lists, task list, quote, table, links, mentions, code, image)
// through the whole pipeline, including the goroutine and budget machinery.
func BenchmarkRenderTypicalPost(b *testing.B) {
	r := New()
	b.SetBytes(int64(len(typicalPost)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(typicalPost); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderLargePost renders a post close to MaxChars.
func BenchmarkRenderLargePost(b *testing.B) {
	r := New()
	src := strings.Repeat(typicalPost, MaxChars/len([]rune(typicalPost)))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlainText(b *testing.B) {
	out, err := New().Render(typicalPost)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		_ = PlainText(out)
	}
}
