// Package orgs is the list of Swedish public-sector organisations the
// join form suggests for "Arbetsplats (organisation)": the 290
// municipalities by their kommun names (and the official names some use,
// such as "Stockholms stad" and "Region Gotland"), the 21 regions and the
// main state agencies. The list is data in the repository (orgs.txt),
// embedded in the binary.
package orgs

import (
	_ "embed"
	"strings"
)

//go:embed orgs.txt
var data string

// Org is one organisation and its sector code ("municipality",
// "region", "state").
type Org struct {
	Name   string
	Sector string
}

var all = parse(data)

func parse(s string) []Org {
	var out []Org
	sector := ""
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "#"):
			if name, _, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "#")), ":"); ok && !strings.Contains(name, " ") {
				sector = name
			}
		default:
			out = append(out, Org{Name: line, Sector: sector})
		}
	}
	return out
}

// All returns every organisation, grouped by sector (municipalities,
// regions, state agencies), each group in Swedish alphabetical order.
func All() []Org { return all }

// Sector returns the sector code of a suggested organisation, or "" when
// the name is not on the list.
func Sector(name string) string {
	name = strings.TrimSpace(name)
	for _, o := range all {
		if strings.EqualFold(o.Name, name) {
			return o.Sector
		}
	}
	return ""
}
