// Package places holds Sweden's 21 regions (län) and 290 municipalities
// (kommuner) with SCB's codes, as data embedded in the binary: members
// name where they work, and the directory filters by it.
package places

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

// Region is a region (län): SCB's two-digit county code and its name.
type Region struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Municipality is a municipality (kommun): SCB's four-digit code, its
// name and the code of the region it lies in.
type Municipality struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

var (
	//go:embed regions.tsv
	regionsTSV string
	//go:embed municipalities.tsv
	municipalitiesTSV string
)

var (
	regions        []Region
	municipalities []Municipality
	regionByCode   = map[string]*Region{}
	muniByCode     = map[string]*Municipality{}
	muniByRegion   = map[string][]Municipality{}
)

func init() {
	for _, f := range rows(regionsTSV, 2) {
		regions = append(regions, Region{Code: f[0], Name: f[1]})
	}
	for i := range regions {
		regionByCode[regions[i].Code] = &regions[i]
	}
	for _, f := range rows(municipalitiesTSV, 2) {
		m := Municipality{Code: f[0], Name: f[1], Region: f[0][:2]}
		if len(f[0]) != 4 || regionByCode[m.Region] == nil {
			panic(fmt.Sprintf("places: municipality %s has no region", f[0]))
		}
		municipalities = append(municipalities, m)
	}
	// Listed by name, as a reader looks for them (Swedish order: å, ä
	// and ö after z).
	sort.SliceStable(municipalities, func(i, j int) bool {
		return swedishKey(municipalities[i].Name) < swedishKey(municipalities[j].Name)
	})
	for i := range municipalities {
		m := &municipalities[i]
		muniByCode[m.Code] = m
		muniByRegion[m.Region] = append(muniByRegion[m.Region], *m)
	}
}

// rows splits tab-separated data into rows of n fields, skipping
// comments and blank lines; data that is not so is a build error.
func rows(data string, n int) [][]string {
	var out [][]string
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != n {
			panic(fmt.Sprintf("places: bad line %q", line))
		}
		out = append(out, f)
	}
	return out
}

// swedishKey orders names as a Swedish index does: å, ä, ö last.
var swedishKey = strings.NewReplacer("Å", "{", "Ä", "|", "Ö", "}", "å", "{", "ä", "|", "ö", "}").Replace

// Regions lists the regions in SCB's order (by code).
func Regions() []Region { return regions }

// Municipalities lists every municipality by name.
func Municipalities() []Municipality { return municipalities }

// InRegion lists a region's municipalities by name.
func InRegion(region string) []Municipality { return muniByRegion[region] }

// RegionByCode returns the region with that code.
func RegionByCode(code string) (Region, bool) {
	r, ok := regionByCode[code]
	if !ok {
		return Region{}, false
	}
	return *r, true
}

// MunicipalityByCode returns the municipality with that code.
func MunicipalityByCode(code string) (Municipality, bool) {
	m, ok := muniByCode[code]
	if !ok {
		return Municipality{}, false
	}
	return *m, true
}

// RegionName is a region's name, or "" for an unknown code.
func RegionName(code string) string {
	if r, ok := regionByCode[code]; ok {
		return r.Name
	}
	return ""
}

// MunicipalityName is a municipality's name, or "" for an unknown code.
func MunicipalityName(code string) string {
	if m, ok := muniByCode[code]; ok {
		return m.Name
	}
	return ""
}
