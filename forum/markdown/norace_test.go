//go:build !race

package markdown

// raceEnabled relaxes timing assertions: the race detector slows rendering
// several times over.
const raceEnabled = false
