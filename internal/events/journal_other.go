//go:build !linux

package events

// defaultBackend elsewhere than Linux writes segments with pwrite: portable file I/O, with no
// mapping to keep Windows from cutting or removing a segment.
var defaultBackend = fileBackend
