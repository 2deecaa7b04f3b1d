//go:build !race

package search

// raceEnabled is false without -race: the Unicode walks cover every plane.
const raceEnabled = false
