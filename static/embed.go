// Package static embeds Kliv's stylesheets, scripts and images.
package static

import "embed"

// FS holds the static files under css/, js/ and img/.
//
//go:embed css js img
var FS embed.FS
