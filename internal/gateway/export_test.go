package gateway

import "github.com/keytrail/keytrail/internal/sigv4"

// ReasonOf is the reason the gateway gives a verification failure kind ("" when it has none).
func ReasonOf(k sigv4.Kind) string { return authReasons[k] }
