// Package markdown is Kliv's one and only Markdown pipeline.
//
// Every piece of member-written Markdown – a post being saved, a live preview,
// a private message – goes through [Renderer.Render], so a saved post shows
// exactly what its preview showed. The pipeline is:
//
//  1. bounds: the source is refused with [ErrTooComplex] when it is larger
//     than [MaxBytes]/[MaxChars], or when a line scan and a block-only parse
//     find the shapes that make Markdown parsers super-linear (see
//     [MaxNesting], [MaxRefDefs], [MaxDelimiterRuns], [MaxBrackets],
//     [MaxTableCells]);
//  2. goldmark with GitHub Flavoured Markdown (tables, strikethrough, task
//     lists, autolinks) plus @mentions, typographer off so the output stays
//     CommonMark-like;
//  3. a tree pass over the result (golang.org/x/net/html) that balances the
//     tags members may have left open in raw HTML, applies Kliv's URL rules
//     and adds rel="nofollow ugc noopener" to every link;
//  4. bluemonday with a policy written for exactly the HTML the steps above
//     produce, as the last and authoritative allowlist.
//
// Everything after the size and line checks runs under a time budget
// ([RenderBudget]) and a concurrency limit, so one hostile post can neither
// hang a request nor pile up work.
//
// The package deliberately knows nothing about HTTP: handlers call Render and
// map [ErrTooComplex] / [ErrBusy] to their own responses.
package markdown
