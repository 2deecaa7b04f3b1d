// Package templates embeds Kliv's HTML templates: layout.html and
// partials_*.html are shared, every other file is one page.
package templates

import "embed"

// FS holds every template file.
//
//go:embed *.html
var FS embed.FS
