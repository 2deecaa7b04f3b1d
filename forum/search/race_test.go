//go:build race

package search

// raceEnabled is true under -race, where the walks over all of Unicode
// (a cgo call per chunk) shrink to the Basic Multilingual Plane.
const raceEnabled = true
