package search

import (
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3"
)

// ftsSchema is the forum's full-text table in miniature: same module,
// tokenizer options and prefix indexes.
const ftsSchema = `CREATE VIRTUAL TABLE t USING fts4(title, body, tokenize=unicode61 "remove_diacritics=0", prefix="2,3,4"); CREATE VIRTUAL TABLE taux USING fts4aux(t)`

// testRows are Swedish titles and bodies chosen so that each rule has a
// document that must match and one that must not.
var testRows = []struct{ title, body string }{
	{"Ledarskap i äldreomsorgen", "Hur leder man med tillit?"},                 // 1
	{"Ledare och medarbetare", "Om tillitsbaserad styrning i kommunen"},        // 2
	{"Åsa läser", "En bok om styrning, inte tillitsbaserad"},                   // 3
	{"Ost och bröd", "Frukost på jobbet"},                                      // 4
	{"Öst och väst", "Väderstreck"},                                            // 5
	{"Träff i Malmö", "Vi ses på Möllan"},                                      // 6
	{"Malmo is not Malmö", "Without the dots"},                                 // 7
	{"E-post och covid-19", "Rutiner för e-post under covid-19"},               // 8
	{"Not and or near", "AND OR NOT NEAR are words here, title: too"},          // 9
	{"Pedagogik", "Skolverket.se har stödmaterial om ledarskap i klassrummet"}, // 10
}

// openFTS creates the FTS4 table with testRows in a fresh SQLite file.
func openFTS(tb testing.TB) *sqlx.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "fts.db")
	db, err := sqlx.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec(ftsSchema); err != nil {
		tb.Fatal(err)
	}
	for i, r := range testRows {
		if _, err := db.Exec(`INSERT INTO t (docid, title, body) VALUES (?, ?, ?)`, i+1, r.title, r.body); err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// matchIDs runs a MATCH against the whole row (column "t") or one column
// and returns the docids in order.
func matchIDs(tb testing.TB, db *sqlx.DB, column, expr string) ([]int, error) {
	tb.Helper()
	var ids []int
	err := db.Select(&ids, `SELECT docid FROM t WHERE `+column+` MATCH ? ORDER BY docid`, expr)
	return ids, err
}
