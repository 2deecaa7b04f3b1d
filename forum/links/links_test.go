package links

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            error
	}{
		// Scheme and host case.
		{"already canonical", "https://skolverket.se/undervisning", "https://skolverket.se/undervisning", nil},
		{"trim space", "  https://skolverket.se/a \n", "https://skolverket.se/a", nil},
		{"scheme upper-case", "HTTPS://skolverket.se/a", "https://skolverket.se/a", nil},
		{"host upper-case", "https://WWW.Skolverket.SE/a", "https://www.skolverket.se/a", nil},
		{"path case kept", "https://x.se/Service/Var-Stad", "https://x.se/Service/Var-Stad", nil},
		{"idn host kept", "https://Räksmörgås.SE/Ö", "https://räksmörgås.se/%C3%96", nil},
		{"trailing dot host", "https://skolverket.se./a", "https://skolverket.se/a", nil},
		{"http kept", "http://skr.se/", "http://skr.se/", nil},

		// Ports.
		{"default http port", "http://skr.se:80/a", "http://skr.se/a", nil},
		{"default https port", "https://skr.se:443/a", "https://skr.se/a", nil},
		{"443 on http kept", "http://skr.se:443/a", "http://skr.se:443/a", nil},
		{"80 on https kept", "https://skr.se:80/a", "https://skr.se:80/a", nil},
		{"other port", "https://skr.se:8443/a", "https://skr.se:8443/a", nil},
		{"port leading zeros", "http://skr.se:0080/a", "http://skr.se/a", nil},
		{"empty port", "http://skr.se:/a", "http://skr.se/a", nil},
		{"port out of range", "http://skr.se:99999/", "", ErrInvalid},
		{"port zero", "http://skr.se:0/", "", ErrInvalid},
		{"port not a number", "http://skr.se:http/", "", ErrInvalid},

		// Paths.
		{"empty path", "https://skr.se", "https://skr.se/", nil},
		{"empty path with query", "https://skr.se?a=1", "https://skr.se/?a=1", nil},
		{"root kept", "https://skr.se/", "https://skr.se/", nil},
		{"trailing slash", "https://skr.se/skr/vard/", "https://skr.se/skr/vard", nil},
		{"trailing slashes", "https://skr.se/skr//", "https://skr.se/skr", nil},
		{"only slashes", "https://skr.se///", "https://skr.se/", nil},
		{"trailing slash before query", "https://skr.se/a/?b=1", "https://skr.se/a?b=1", nil},
		{"double slash inside kept", "https://skr.se/a//b", "https://skr.se/a//b", nil},
		{"dot segments", "https://skr.se/a/./b/../c", "https://skr.se/a/c", nil},
		{"dot-dot above root", "https://skr.se/../../a", "https://skr.se/a", nil},
		{"trailing dot-dot", "https://skr.se/a/b/..", "https://skr.se/a", nil},
		{"encoded dots", "https://skr.se/a/%2e%2E/b", "https://skr.se/b", nil},
		{"dots in names kept", "https://skr.se/a.pdf/..b/.c", "https://skr.se/a.pdf/..b/.c", nil},
		{"unreserved decoded", "https://skr.se/%41%62%2D%5F%7E%30", "https://skr.se/Ab-_~0", nil},
		{"hex upper-cased", "https://skr.se/a%2fb%c3%a4", "https://skr.se/a%2Fb%C3%A4", nil},
		{"encoded slash kept", "https://skr.se/a%2Fb", "https://skr.se/a%2Fb", nil},
		{"raw utf8 encoded", "https://skr.se/förskola", "https://skr.se/f%C3%B6rskola", nil},
		{"raw and encoded agree", "https://skr.se/f%C3%B6rskola", "https://skr.se/f%C3%B6rskola", nil},
		{"space encoded", "https://skr.se/a b", "https://skr.se/a%20b", nil},
		{"sub-delims kept", "https://skr.se/a;b=c,d!$'()*+:@", "https://skr.se/a;b=c,d!$'()*+:@", nil},
		{"unsafe encoded", "https://skr.se/a\"<>\\^`{|}", "https://skr.se/a%22%3C%3E%5C%5E%60%7B%7C%7D", nil},
		{"bad path escape", "https://skr.se/100%", "", ErrInvalid},
		{"bad path escape hex", "https://skr.se/%zz", "", ErrInvalid},

		// Fragments and queries.
		{"fragment dropped", "https://skr.se/a#avsnitt-2", "https://skr.se/a", nil},
		{"empty fragment", "https://skr.se/a#", "https://skr.se/a", nil},
		{"empty query", "https://skr.se/a?", "https://skr.se/a", nil},
		{"params sorted", "https://skr.se/s?q=ledare&a=2&b=1", "https://skr.se/s?a=2&b=1&q=ledare", nil},
		{"sort is stable", "https://skr.se/s?tag=b&a=1&tag=a", "https://skr.se/s?a=1&tag=b&tag=a", nil},
		{"utm removed", "https://skr.se/a?utm_source=nyhetsbrev&id=7&UTM_Medium=mail&utm_whatever=x", "https://skr.se/a?id=7", nil},
		{"all trackers removed", "https://skr.se/a?fbclid=1&gclid=2&dclid=3&msclkid=4&mc_cid=5&mc_eid=6&igshid=7&_hsenc=8&_hsmi=9&ref_src=10&yclid=11&wt_mc=12", "https://skr.se/a", nil},
		{"tracker names case-insensitive", "https://skr.se/a?FBCLID=1&GClid=2&x=1", "https://skr.se/a?x=1", nil},
		{"encoded tracker name", "https://skr.se/a?%75tm_source=x&y=1", "https://skr.se/a?y=1", nil},
		{"look-alike kept", "https://skr.se/a?utm=1&ref=2&gclidx=3", "https://skr.se/a?gclidx=3&ref=2&utm=1", nil},
		{"empty params dropped", "https://skr.se/a?&&a=1&&", "https://skr.se/a?a=1", nil},
		{"flag and empty value kept apart", "https://skr.se/a?b=&a", "https://skr.se/a?a&b=", nil},
		{"plus kept", "https://skr.se/s?q=a+b&r=a%2Bb", "https://skr.se/s?q=a+b&r=a%2Bb", nil},
		{"query escapes", "https://skr.se/s?q=%c3%b6+%41&x=å ä", "https://skr.se/s?q=%C3%B6+A&x=%C3%A5%20%C3%A4", nil},
		{"stray percent in query", "https://skr.se/s?rabatt=20%&x=%zz", "https://skr.se/s?rabatt=20%25&x=%25zz", nil},
		{"equals in value", "https://skr.se/s?next=/a?b=c", "https://skr.se/s?next=/a?b=c", nil},
		{"encoded ampersand kept", "https://skr.se/s?q=a%26b", "https://skr.se/s?q=a%26b", nil},

		// Hosts.
		{"ipv4", "http://192.168.1.10:8080/a", "http://192.168.1.10:8080/a", nil},
		{"ipv6", "http://[2001:DB8:0:0::1]:80/", "http://[2001:db8::1]/", nil},
		{"bracketed name", "http://[skr.se]/", "", ErrInvalid},
		{"bracketed ipv4", "http://[127.0.0.1]/", "", ErrInvalid},
		{"ipv6 zone", "http://[fe80::1%25eth0]/", "", ErrInvalid},
		{"underscore host", "https://my_host.example.se/", "https://my_host.example.se/", nil},
		{"host with space", "https://skol verket.se/", "", ErrInvalid},
		{"host with encoded space", "https://skol%20verket.se/", "", ErrInvalid},
		{"empty label", "https://skolverket..se/", "", ErrInvalid},
		{"host with bang", "https://a!b.se/", "", ErrInvalid},
		{"no host", "https:///a", "", ErrInvalid},
		{"only scheme", "https://", "", ErrInvalid},
		{"opaque", "https:skr.se", "", ErrInvalid},
		{"single slash", "https:/skr.se", "", ErrInvalid},
		{"backslashes", `https:\\evil.example`, "", ErrInvalid},

		// Rejected outright.
		{"userinfo", "https://user:pass@skr.se/", "", ErrInvalid},
		{"user only", "https://bank.se@evil.example/", "", ErrInvalid},
		{"empty userinfo", "https://@skr.se/", "", ErrInvalid},
		{"backslash userinfo", `https://skr.se\@evil.example/`, "", ErrInvalid},
		{"javascript", "javascript:alert(1)", "", ErrNotHTTP},
		{"javascript upper", "JavaScript:alert(document.cookie)//https://skr.se", "", ErrNotHTTP},
		{"javascript tab", "java\tscript:alert(1)", "", ErrInvalid},
		{"data", "data:text/html,<script>alert(1)</script>", "", ErrNotHTTP},
		{"ftp", "ftp://ftp.sunet.se/pub", "", ErrNotHTTP},
		{"mailto", "mailto:info@skr.se", "", ErrNotHTTP},
		{"file", "file:///etc/passwd", "", ErrNotHTTP},
		{"relative path", "/t/123", "", ErrNotHTTP},
		{"no scheme", "skolverket.se/undervisning", "", ErrNotHTTP},
		{"scheme-relative", "//skolverket.se/", "", ErrNotHTTP},
		{"host and port without scheme", "localhost:8080/a", "", ErrNotHTTP},
		{"https look-alike", "httpx://skr.se/", "", ErrNotHTTP},
		{"empty", "", "", ErrNotHTTP},
		{"space only", "   ", "", ErrNotHTTP},
		{"newline inside", "https://skr.se/a\nb", "", ErrInvalid},
		{"nul", "https://skr.se/\x00", "", ErrInvalid},
		{"del", "https://skr.se/\x7f", "", ErrInvalid},
		{"c1 control", "https://skr.se/a\u0085b", "", ErrInvalid},
		{"invalid utf8", "https://skr.se/\xff", "", ErrInvalid},
		{"too long", "https://skr.se/" + strings.Repeat("a", MaxLength), "", ErrInvalid},
		{"longest", "https://skr.se/" + strings.Repeat("a", MaxLength-len("https://skr.se/")), "https://skr.se/" + strings.Repeat("a", MaxLength-len("https://skr.se/")), nil},
		{"too long once encoded", "https://skr.se/" + strings.Repeat("ö", 700), "", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("Normalize(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
			}
			if err == nil {
				again, err := Normalize(got)
				if again != got || err != nil {
					t.Fatalf("Normalize(%q) = %q, %v; not idempotent", got, again, err)
				}
			}
		})
	}
}

// TestSameLink checks the point of it all: different ways of pasting one
// article normalise to one string.
func TestSameLink(t *testing.T) {
	variants := []string{
		"https://www.skolverket.se/undervisning/grundskolan",
		"https://www.skolverket.se/undervisning/grundskolan/",
		"HTTPS://WWW.SKOLVERKET.SE:443/undervisning/grundskolan#start",
		"https://www.skolverket.se/undervisning/./grundskolan/?utm_source=facebook&fbclid=IwAR0abc",
		" https://www.skolverket.se/%75ndervisning/grundskolan?utm_campaign=x ",
	}
	want, err := Normalize(variants[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range variants[1:] {
		if got, err := Normalize(v); got != want || err != nil {
			t.Errorf("Normalize(%q) = %q, %v; want %q", v, got, err, want)
		}
	}
}

func TestDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.skolverket.se/a", "skolverket.se"},
		{"https://skolverket.se/", "skolverket.se"},
		{"https://vardgivare.skane.se/", "vardgivare.skane.se"},
		{"https://www2.skr.se/", "www2.skr.se"},
		{"https://www.se/", "www.se"},
		{"https://skr.se:8443/", "skr.se"},
		{"https://WWW.Räksmörgås.SE/", "räksmörgås.se"},
		{"http://[2001:db8::1]/", "2001:db8::1"},
		{"not a url", ""},
		{"%", ""},
	}
	for _, tt := range tests {
		if got := Domain(tt.in); got != tt.want {
			t.Errorf("Domain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzNormalize checks that Normalize never panics, only ever returns
// http(s) URLs within MaxLength, and is idempotent.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"https://www.skolverket.se/undervisning/?utm_source=x#a",
		"HTTP://Räksmörgås.SE:80/a/../b/%7e?b=2&a=1&a=0",
		"http://[2001:db8::1]:8080/%2F/./x?q=100%",
		"javascript:alert(1)", "https://u:p@x.se/", "https://x.se/a b/ö",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Normalize(in)
		if err != nil {
			if out != "" || !(errors.Is(err, ErrInvalid) || errors.Is(err, ErrNotHTTP)) {
				t.Fatalf("Normalize(%q) = %q, %v", in, out, err)
			}
			return
		}
		if !strings.HasPrefix(out, "http://") && !strings.HasPrefix(out, "https://") {
			t.Fatalf("Normalize(%q) = %q: not http(s)", in, out)
		}
		if len(out) > MaxLength {
			t.Fatalf("Normalize(%q) = %d bytes", in, len(out))
		}
		again, err := Normalize(out)
		if err != nil || again != out {
			t.Fatalf("Normalize(%q) = %q, but Normalize(%q) = %q, %v", in, out, out, again, err)
		}
		if Domain(out) == "" {
			t.Fatalf("Domain(%q) is empty", out)
		}
	})
}
