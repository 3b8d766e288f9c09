//go:build !e2e

package app_test

import "testing"

// crossCheckJSON is python3's second reading of the delivered log files, which needs python3 and
// so runs only in the e2e tier (pythonjson_e2e_test.go); the hermetic tier has encoding/json's.
func crossCheckJSON(*testing.T, []string, int) {}
