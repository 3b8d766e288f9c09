//go:build e2e && windows

package e2e

import (
	"os"
	"os/exec"
)

// inOwnGroup leaves the command as it is: Windows has no process groups to signal; the script's
// process is killed alone.
func inOwnGroup(_ *exec.Cmd) {}

// signalGroup kills the process pgid (Windows has neither SIGTERM nor process groups).
func signalGroup(pgid int, _ bool) error {
	p, err := os.FindProcess(pgid)
	if err != nil {
		return err
	}
	return p.Kill()
}
