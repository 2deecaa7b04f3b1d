// Package pnr finds what looks like a Swedish personal identity number
// (personnummer) or coordination number (samordningsnummer, whose day is
// the birth day plus 60) in free text, so that a post about a client or
// a patient can be stopped before it names her.
//
// A number counts when it has a real date and its last digit is the
// Luhn check digit of the ten-digit form, in any of its usual spellings:
// YYMMDD-NNNN, YYMMDD+NNNN (a person over 100), YYYYMMDD-NNNN,
// YYMMDDNNNN, YYYYMMDDNNNN, with spaces around or instead of the dash.
// A number inside a longer run of digits is not one.
package pnr

// Kind tells the two kinds of numbers apart.
type Kind string

// The kinds.
const (
	Personal     Kind = "personnummer"
	Coordination Kind = "samordningsnummer"
)

// Match is one number found: Text[Start:End] in bytes.
type Match struct {
	Start, End int
	Kind       Kind
}

// Contains reports whether text holds a number.
func Contains(text string) bool { return len(find(text, 1)) > 0 }

// Find returns every number in text, in order.
func Find(text string) []Match { return find(text, -1) }

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func find(s string, limit int) []Match {
	var out []Match
	for i := 0; i < len(s); {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			i++
			continue
		}
		m, ok := at(s, i)
		if ok {
			out = append(out, m)
			if limit > 0 && len(out) >= limit {
				return out
			}
			i = m.End
			continue
		}
		// Skip the rest of this run of digits.
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return out
}

// run is the end of the run of digits starting at i.
func run(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// at tries to read a number starting at i, the first digit of a run.
func at(s string, i int) (Match, bool) {
	j := run(s, i)
	switch n := j - i; n {
	case 10, 12:
		return check(s[i:j-4], s[j-4:j], false, i, j)
	case 6, 8:
		k := j
		for k < len(s) && s[k] == ' ' {
			k++
		}
		plus := false
		switch {
		case k < len(s) && s[k] == '-':
			k++
		case k < len(s) && s[k] == '+':
			plus = true
			k++
		case k+len("–") <= len(s) && s[k:k+len("–")] == "–":
			k += len("–")
		}
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if k == j && k < len(s) && isDigit(s[k]) {
			return Match{}, false
		}
		e := run(s, k)
		if e-k != 4 {
			return Match{}, false
		}
		return check(s[i:j], s[k:e], plus, i, e)
	}
	return Match{}, false
}

// check validates the date part (YYMMDD or YYYYMMDD) and the four last
// digits.
func check(date, last string, plus bool, start, end int) (Match, bool) {
	var century int
	ymd := date
	if len(date) == 8 {
		century = atoi(date[:2])
		if century < 18 || century > 20 || plus {
			return Match{}, false
		}
		ymd = date[2:]
	}
	yy, mm, dd := atoi(ymd[0:2]), atoi(ymd[2:4]), atoi(ymd[4:6])
	kind := Personal
	if dd > 60 {
		dd -= 60
		kind = Coordination
	}
	if mm < 1 || mm > 12 || dd < 1 || dd > daysIn(century, yy, mm, plus) {
		return Match{}, false
	}
	if !luhn(ymd + last) {
		return Match{}, false
	}
	return Match{Start: start, End: end, Kind: kind}, true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// daysIn is the length of month mm of year yy; with no century known,
// 29 February counts in any year divisible by four (2000 was a leap
// year), except for a person over 100 born in 1900.
func daysIn(century, yy, mm int, plus bool) int {
	switch mm {
	case 4, 6, 9, 11:
		return 30
	case 2:
		leap := yy%4 == 0
		if yy == 0 && (century == 18 || century == 19 || (century == 0 && plus)) {
			leap = false
		}
		if leap {
			return 29
		}
		return 28
	}
	return 31
}

// luhn checks the ten digits with the Luhn algorithm, weights 2,1,2,1…
func luhn(digits string) bool {
	if len(digits) != 10 {
		return false
	}
	sum := 0
	for i := 0; i < 10; i++ {
		d := int(digits[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// Mask replaces the last four digits of every number in text by "XXXX",
// for showing a flagged text without repeating the number.
func Mask(text string) string {
	ms := Find(text)
	if len(ms) == 0 {
		return text
	}
	b := []byte(text)
	for _, m := range ms {
		n := 0
		for k := m.End - 1; k >= m.Start && n < 4; k-- {
			if isDigit(b[k]) {
				b[k] = 'X'
				n++
			}
		}
	}
	return string(b)
}
