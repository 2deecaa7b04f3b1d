package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kliv/forum"
)

// noHalfWrites fails the test if a refused request left an account or a
// join request behind.
func noHalfWrites(t *testing.T, a *app, members, requests int) {
	t.Helper()
	if m, j := countRows(t, a, "members"), countRows(t, a, "join_requests"); m != members || j != requests {
		t.Fatalf("after a refused request: %d members, %d join requests; want %d, %d", m, j, members, requests)
	}
}

// setPath sets a key in a nested JSON object ("answers.sector"); a nil
// value deletes it.
func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		m = m[p].(map[string]any)
	}
	if v == nil {
		delete(m, parts[len(parts)-1])
	} else {
		m[parts[len(parts)-1]] = v
	}
}

// Every join field, missing, too long or malformed, gets its own message
// in the reader's language, through the API and the form, and writes
// nothing.
func TestJoinBadInput(t *testing.T) {
	a := newTestApp(t)
	c := newTestClient(t, a)

	long := func(n int) string { return strings.Repeat("å", n) }
	cases := []struct {
		path  string // JSON path; the form field is the last part
		value any    // nil: missing
		field string
		sv    string
		en    string
	}{
		{"username", nil, "username", "Fyll i det här fältet.", "Fill in this field."},
		{"username", strings.Repeat("a", 31), "username", "Skriv högst 30 tecken.", "Write at most 30 characters."},
		{"username", "ab", "username", "3–30 tecken", "3–30 characters"},
		{"username", "anna lind", "username", "3–30 tecken", "3–30 characters"},
		{"email", nil, "email", "Fyll i det här fältet.", "Fill in this field."},
		{"email", "anna.molndal.se", "email", "Skriv en e-postadress som namn@exempel.se.", "Enter an e-mail address like name@example.com."},
		{"email", "Anna <anna@molndal.se>", "email", "Skriv en e-postadress", "Enter an e-mail address"},
		{"email", "anna@localhost", "email", "Skriv en e-postadress", "Enter an e-mail address"},
		{"email", strings.Repeat("a", 250) + "@x.se", "email", "Skriv högst 254 tecken.", "Write at most 254 characters."},
		{"password", nil, "password", "Lösenordet behöver minst 10 tecken.", "The password needs at least 10 characters."},
		{"password", "kort", "password", "Lösenordet behöver minst 10 tecken.", "The password needs at least 10 characters."},
		{"password", strings.Repeat("p", 257), "password", "Skriv högst 256 tecken.", "Write at most 256 characters."},
		{"display_name", nil, "display_name", "Fyll i det här fältet.", "Fill in this field."},
		{"display_name", long(81), "display_name", "Skriv högst 80 tecken.", "Write at most 80 characters."},
		{"display_name", "Anna\nLind", "display_name", "Skriv på en rad.", "Write it on one line."},
		{"display_name", "Anna\x00Lind", "display_name", "kontrolltecken", "control characters"},
		{"answers.workplace", nil, "workplace", "Fyll i det här fältet.", "Fill in this field."},
		{"answers.workplace", long(201), "workplace", "Skriv högst 200 tecken.", "Write at most 200 characters."},
		{"answers.role", "x", "role", "Skriv minst 2 tecken.", "Write at least 2 characters."},
		{"answers.role", long(201), "role", "Skriv högst 200 tecken.", "Write at most 200 characters."},
		{"answers.staff_responsibility", nil, "staff_responsibility", "Fyll i det här fältet.", "Fill in this field."},
		{"answers.sector", nil, "sector", "Fyll i det här fältet.", "Fill in this field."},
		{"answers.sector", "privat", "sector", "Välj ett av alternativen.", "Pick one of the options."},
		{"answers.motivation", nil, "motivation", "Fyll i det här fältet.", "Fill in this field."},
		{"answers.motivation", "för kort", "motivation", "Skriv minst 10 tecken.", "Write at least 10 characters."},
		{"answers.motivation", long(2001), "motivation", "Skriv högst 2000 tecken.", "Write at most 2000 characters."},
	}
	for _, tc := range cases {
		for _, lang := range []string{"", "en"} {
			want := tc.sv
			if lang == "en" {
				want = tc.en
			}
			c.Lang = lang
			// API
			body := apiJoinBody("anna")
			setPath(body, tc.path, tc.value)
			r := c.api("POST", "/api/v1/join-requests", body)
			if r.Code != http.StatusBadRequest {
				t.Errorf("API %s=%q: status %d, want 400", tc.path, tc.value, r.Code)
				continue
			}
			j := r.json()
			fields, _ := j["fields"].(map[string]any)
			if msg, _ := fields[tc.field].(string); !strings.Contains(msg, want) || len(fields) != 1 {
				t.Errorf("API %s=%q lang %q: fields %v, want %s: %q", tc.path, tc.value, lang, fields, tc.field, want)
			}
			if msg, _ := j["error"].(string); !strings.Contains(msg, want) {
				t.Errorf("API %s=%q lang %q: error %q lacks %q", tc.path, tc.value, lang, msg, want)
			}
			// Form
			f := joinForm("anna")
			switch v := tc.value.(type) {
			case nil:
				f.Del(tc.field)
			case string:
				f.Set(tc.field, v)
			}
			fr := c.postForm("/join", f)
			if fr.Code != http.StatusBadRequest {
				t.Errorf("form %s=%q: status %d, want 400", tc.field, tc.value, fr.Code)
				continue
			}
			if (tc.field == "staff_responsibility" || tc.field == "sector") && tc.value == nil {
				// A choice left out asks to choose, not to fill in.
				want = map[string]string{"": "Välj ett av alternativen.", "en": "Pick one of the options."}[lang]
			}
			fr.contains(`id="f-`+tc.field+`"`, want, `href="#f-`+tc.field+`"`)
			if tc.field != "workplace" {
				// The form keeps what was typed (never the password).
				fr.contains(`value="Mölndals stad"`)
			}
			fr.lacks("ett långt lösenord")
		}
	}
	noHalfWrites(t, a, 0, 0)

	// Rules not accepted (through the form; the API may say accept_rules: false).
	f := joinForm("anna")
	f.Del("accept_rules")
	c.Lang = ""
	c.postForm("/join", f).wantStatus(http.StatusBadRequest).contains("Du behöver godkänna gemenskapens regler.")
	b := apiJoinBody("anna")
	b["accept_rules"] = false
	c.api("POST", "/api/v1/join-requests", b).wantStatus(http.StatusBadRequest)
	// A wrong JSON type names the field.
	b = apiJoinBody("anna")
	setPath(b, "answers.staff_responsibility", "ja")
	r := c.api("POST", "/api/v1/join-requests", b).wantStatus(http.StatusBadRequest)
	if fields, _ := r.json()["fields"].(map[string]any); fields["staff_responsibility"] != "Fel typ av värde." ||
		r.json()["error"] != "Har du medarbetaransvar? Fel typ av värde." {
		t.Errorf("wrong type: %s", r.Body)
	}
	noHalfWrites(t, a, 0, 0)

	// A long passphrase is fine.
	b = apiJoinBody("anna")
	b["password"] = strings.Repeat("lång fras ", 7)
	c.api("POST", "/api/v1/join-requests", b).wantStatus(http.StatusCreated)
	if _, err := a.store.Authenticate(t.Context(), "anna", strings.Repeat("lång fras ", 7)); err != nil {
		t.Fatalf("sign in with a 70-character password: %v", err)
	}
	noHalfWrites(t, a, 1, 1)
}

func TestJoinInvalidUTF8(t *testing.T) {
	a := newTestApp(t)
	c := newTestClient(t, a)
	for _, field := range []string{"username", "email", "password", "display_name", "workplace", "role", "motivation"} {
		// JSON with a raw invalid byte inside the field's string.
		body := apiJoinBody("anna")
		path := field
		if field == "workplace" || field == "role" || field == "motivation" {
			path = "answers." + field
		}
		setPath(body, path, "MARK-long enough text")
		raw, _ := json.Marshal(body)
		raw = bytes.Replace(raw, []byte("MARK"), []byte{'A', 0xff, 0xfe, 'B'}, 1)
		r := c.api("POST", "/api/v1/join-requests", raw).wantStatus(http.StatusBadRequest)
		fields, _ := r.json()["fields"].(map[string]any)
		if msg, _ := fields[field].(string); msg != "Texten innehåller ogiltiga tecken." {
			t.Errorf("JSON invalid UTF-8 in %s: %s", field, r.Body)
		}
		// The form, percent-encoded.
		f := joinForm("anna")
		f.Set(field, "A\xffB long enough text")
		c.postForm("/join", f).wantStatus(http.StatusBadRequest).contains(`href="#f-`+field+`"`, "Texten innehåller ogiltiga tecken.")
	}
	noHalfWrites(t, a, 0, 0)
}

func TestJoinMalformedAndLargeBodies(t *testing.T) {
	a := newTestApp(t)
	c := newTestClient(t, a)
	for _, body := range []string{`{`, `{"username": }`, `[]`, `"x"`, `{"username":"a"} {"b":1}`, `nul`} {
		r := c.api("POST", "/api/v1/join-requests", body)
		if r.Code != http.StatusBadRequest {
			t.Errorf("body %q: %d, want 400", body, r.Code)
		} else if msg, _ := r.json()["error"].(string); msg == "" {
			t.Errorf("body %q: no error message: %s", body, r.Body)
		}
	}
	c.Lang = "en"
	if msg := c.api("POST", "/api/v1/join-requests", `{`).json()["error"]; msg != "The request is not valid JSON." {
		t.Errorf("malformed JSON in English: %v", msg)
	}
	c.Lang = ""
	// Not JSON at all: a form post to the API without a session is refused.
	req := url.Values{"username": {"anna"}}
	r := c.do(newFormRequest("/api/v1/join-requests", req))
	if r.Code != http.StatusForbidden && r.Code != http.StatusBadRequest && r.Code != http.StatusUnsupportedMediaType {
		t.Errorf("form body to the API: %d", r.Code)
	}

	big := apiJoinBody("anna")
	setPath(big, "answers.motivation", strings.Repeat("a", 1<<20))
	r = c.api("POST", "/api/v1/join-requests", big).wantStatus(http.StatusRequestEntityTooLarge)
	if msg, _ := r.json()["error"].(string); msg != "Det du skickade är för stort." {
		t.Errorf("413 message: %s", r.Body)
	}
	f := joinForm("anna")
	f.Set("motivation", strings.Repeat("a", 1<<20))
	c.postForm("/join", f).wantStatus(http.StatusRequestEntityTooLarge).contains("Det du skickade är för stort.")
	noHalfWrites(t, a, 0, 0)
}

func newFormRequest(path string, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func TestJoinDuplicates(t *testing.T) {
	a := newTestApp(t)
	mustCreateMember(t, a, "anna", forum.RoleMember, forum.StatusApproved)
	c := newTestClient(t, a)

	b := apiJoinBody("ANNA") // usernames are unique in any case
	r := c.api("POST", "/api/v1/join-requests", b)
	if r.Code != http.StatusBadRequest && r.Code != http.StatusConflict {
		t.Fatalf("duplicate username: %d", r.Code)
	}
	if fields, _ := r.json()["fields"].(map[string]any); fields["username"] != "Användarnamnet är upptaget." {
		t.Fatalf("duplicate username: %s", r.Body)
	}
	b = apiJoinBody("bea")
	b["email"] = "Anna@Example.se"
	r = c.api("POST", "/api/v1/join-requests", b)
	if fields, _ := r.json()["fields"].(map[string]any); r.Code/100 != 4 || !strings.HasPrefix(fields["email"].(string), "Det finns redan ett konto") {
		t.Fatalf("duplicate e-mail: %d %s", r.Code, r.Body)
	}
	f := joinForm("anna")
	c.postForm("/join", f).contains("Användarnamnet är upptaget.")
	noHalfWrites(t, a, 1, 0)

	// Applying twice with the same account details: the second is refused.
	c.api("POST", "/api/v1/join-requests", apiJoinBody("bea")).wantStatus(http.StatusCreated)
	r = c.api("POST", "/api/v1/join-requests", apiJoinBody("bea"))
	if r.Code != http.StatusBadRequest && r.Code != http.StatusConflict {
		t.Fatalf("second join: %d", r.Code)
	}
	noHalfWrites(t, a, 2, 1)
}
