package places

import "strings"

// Guess finds the place an organisation's name speaks of: a
// municipality its name starts with ("Göteborgs stad", "Falu kommun",
// "Upplands Väsby kommun, Socialförvaltningen"), or a region
// ("Region Skåne", "Västra Götalandsregionen", "Region Jönköpings län").
// A municipality gives its region too; nothing found gives "", "".
func Guess(org string) (region, municipality string) {
	for _, part := range strings.Split(org, ",") {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, "Region ") || strings.HasSuffix(part, "regionen") {
			if r := regionOf(part); r != "" && region == "" {
				region = r
			}
			continue
		}
		if municipality == "" {
			municipality = municipalityOf(part)
		}
	}
	if m, ok := muniByCode[municipality]; ok {
		if region != "" && region != m.Region {
			return region, ""
		}
		region = m.Region
	}
	return region, municipality
}

// municipalityOf finds the municipality a name starts with, followed by
// " kommun" or " stad" or nothing more ("Falun" is "Falu kommun").
func municipalityOf(name string) string {
	for _, suffix := range []string{" kommun", " stad", "s kommun", "s stad", ""} {
		stem, ok := strings.CutSuffix(name, suffix)
		if !ok || stem == "" {
			continue
		}
		for _, m := range municipalities {
			if m.Name == stem || (strings.HasSuffix(m.Name, "n") && strings.TrimSuffix(m.Name, "n") == stem && suffix == " kommun") {
				return m.Code
			}
		}
	}
	return ""
}

// regionOf finds the region a regional organisation names.
func regionOf(name string) string {
	name = strings.TrimPrefix(name, "Region ")
	name = strings.TrimSuffix(name, "regionen")
	name = strings.TrimSuffix(name, " län")
	if name == "Sörmland" {
		return "04"
	}
	first, _, _ := strings.Cut(name, " ") // "Jämtland Härjedalen"
	for _, r := range regions {
		stem := strings.TrimSuffix(r.Name, " län")
		if stem == name || stem == first || strings.TrimSuffix(stem, "s") == name || strings.TrimSuffix(stem, "s") == first {
			return r.Code
		}
	}
	return ""
}
